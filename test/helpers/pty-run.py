#!/usr/bin/env python3
"""Run a command in a real pseudo-terminal, as a person at a terminal would.

usage: pty-run.py COLS ROWS TIMEOUT_SECONDS -- COMMAND [ARGS...]

The command is the session leader of a fresh pty (so the tty is its controlling terminal and its
process group is the foreground one): bytes written to our stdin go to the pty master as typed
keys, so "\\x03" makes the line discipline send SIGINT, exactly as Ctrl-C on a keyboard does.
Everything the command draws on the terminal is copied raw to our stdout. On stderr we print two
JSON lines: {"pid": N} once the command started, and {"exit": CODE, "signal": NAME|null} at the end.
After TIMEOUT_SECONDS the command's process group is killed (SIGKILL) and "timedOut" is reported.
"""
import errno
import fcntl
import json
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time


def main():
    cols, rows, timeout = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    argv = sys.argv[5:] if sys.argv[4] == '--' else sys.argv[4:]
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))

    def become_session_leader():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    child = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                             preexec_fn=become_session_leader)
    os.close(slave)
    sys.stderr.write(json.dumps({'pid': child.pid}) + '\n')
    sys.stderr.flush()

    deadline = time.monotonic() + timeout
    timed_out = False
    stdin_open = True
    out = sys.stdout.buffer
    while True:
        if time.monotonic() > deadline and not timed_out:
            timed_out = True
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        fds = [master] + ([0] if stdin_open else [])
        ready, _, _ = select.select(fds, [], [], 0.05)
        if 0 in ready:
            keys = os.read(0, 1024)
            if keys:
                os.write(master, keys)
            else:
                stdin_open = False
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError as e:
                if e.errno != errno.EIO:
                    raise
                data = b''
            if not data:
                break  # EIO: every process holding the pty slave has closed it
            out.write(data)
            out.flush()
        elif child.poll() is not None and not ready:
            # Output drained and the command ended (a grandchild may still hold the slave open).
            break
    code = child.wait()
    result = {'exit': code if code >= 0 else None,
              'signal': signal.Signals(-code).name if code < 0 else None,
              'timedOut': timed_out}
    sys.stderr.write(json.dumps(result) + '\n')
    sys.stderr.flush()


if __name__ == '__main__':
    main()
