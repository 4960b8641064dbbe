// Every bad input a person can type gives one line naming the problem and the fix, with its documented exit
// code, at once (no hang, no internal error), and under --json the same error object on stdout.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {runCli} from '../helpers/cli.js'

const long = 'a'.repeat(5000)
const nasty = '\u001b[31mred\u202e\n'

// [args, exit code, what the line must say]
const cases = [
  // echo serve
  [['echo', 'serve', '--host', ''], 2, /^--host is empty: give the address to listen on, e\.g\. 0\.0\.0\.0/],
  [['echo', 'serve', '--duration', '2592000000'], 2, /^--duration 2592000000: must be from 0 to 31536000 seconds/],
  [['echo', 'serve', '--stats', '2592000'], 2, /^--stats 2592000: must be from 0 to 86400 seconds/],
  [['echo', 'serve', '--stats', '0.001'], 2, /^--stats 0\.001: must be 0 \(off\) or from 0\.1 to 86400 seconds/],
  [['echo', 'serve', '--max-conns', '4294967297'], 2, /^--max-conns 4294967297: must be from 0 to 1000000000/],
  [['echo', 'serve', '--idle-timeout', '4294968'], 2, /^--idle-timeout 4294968: must be from 0 to 2592000 seconds/],
  [['echo', 'serve', '--grace', '4294967297'], 2, /^--grace 4294967297: must be from 0 to 3600000 ms/],
  [['echo', 'serve', '--max-pending', '4294967297'], 2, /^--max-pending 4294967297: must be from 4096 to 1073741824 bytes/],
  [['echo', 'serve', '--threads', '1e3'], 2, /^--threads 1e3: write it in plain digits: --threads 1000/],
  [['echo', 'serve', '--port', '99999999999999999999'], 2, /^--port 99999999999999999999: must be from 0 to 65535/],
  [['echo', 'serve', '--duration', '0x10'], 2, /^--duration 0x10: write it in plain digits: --duration 16/],
  [['echo', 'serve', '--backend', 'epoll', '--sqpoll'], 2, /^--sqpoll only applies to --backend io_uring: drop --sqpoll, or use --backend io_uring/],
  [['echo', 'serve', '--backend', 'epoll', '--buffers', '512'], 2, /^--buffers only applies to --backend io_uring/],
  [['echo', 'serve', '--backend', ''], 2, /^--backend "": expected one of io_uring, epoll/],
  [['echo', 'serve', '--host', 'fe80::1%nosuch0'], 2, /^--host fe80::1%nosuch0: no network interface named "nosuch0" here; name one from `ip link`/],
  [['echo', 'serve', '--host', '127.0.0.1%lo'], 2, /^--host 127\.0\.0\.1%lo: a %interface scope only goes with an IPv6 address; drop %lo/],
  [['echo', 'serve', '--host', nasty], 5, /^--host "\\e\[31mred\\u\{202e\}\\n" is not an IP address/],
  [['echo', 'serve', '--host', long], 5, /^--host "a+…" \(5000 characters\) is not an IP address/],
  [['echo', 'serve', '--pid-file', ''], 2, /^--pid-file is empty: name a file, e\.g\. \/run\/uringctl-echo\.pid/],
  [['echo', 'serve', '--metrics', ':99999999999999999999'], 2, /^--metrics ":99999999999999999999": the port must be from 0 to 65535/],
  [['echo', 'serve', '--metrics', `${nasty}:80`], 2, /^--metrics "\\e\[31mred\\u\{202e\}\\n:80" is not HOST:PORT/],
  [['echo', 'serve', '--metrics', '[fe80::1%nosuch0]:9464'], 2, /^--metrics fe80::1%nosuch0: no network interface named "nosuch0" here/],
  [['echo', 'serve', '--sqpoll=false'], 2, /^--sqpoll is a switch and takes no value \(drop =false\): give --sqpoll to turn it on, leave it out for off/],
  // echo bench
  [['echo', 'bench', '--port', '7', '--pin', '99999999999999999999'], 2, /^--pin 99999999999999999999: CPU 99999999999999999999 does not exist here; this machine's CPUs are 0/],
  [['echo', 'bench', '--port', '7', '--pin', '0-1000000000'], 2, /^--pin 0-1000000000: CPU 1000000000 does not exist here/],
  [['echo', 'bench', '--compare', '--server-cpu', '99999999999999999999'], 2, /^--server-cpu 99999999999999999999: CPU 99999999999999999999 does not exist here/],
  [['echo', 'bench', '--port', '7', '--host', 'fe80::1%nosuch0'], 2, /^--host fe80::1%nosuch0: no network interface named "nosuch0" here; name one from `ip link`/],
  [['echo', 'bench', '--port', '7', '--pin', ','], 2, /^--pin ",": expected CPU numbers such as 1, 0,2 or 0-3/],
  [['echo', 'bench', '--port', '7', '--duration', '1e300'], 2, /^--duration 1e300: expected a number of seconds from 0\.1 to 86400/],
  [['echo', 'bench', '--port', '7', '--warmup', '99999'], 2, /^--warmup 99999: must be from 0 to 3600 seconds/],
  [['echo', 'bench', '--port', '7', '--duration', '0.0001'], 2, /^--duration 0\.0001: must be from 0\.1 to 86400 seconds/],
  [['echo', 'bench', '--port', '7', '--messages', '1e3'], 2, /^--messages 1e3: write it in plain digits: --messages 1000/],
  [['echo', 'bench', '--port', '7', '--size', '1e3'], 2, /^--size 1e3: expected a byte count such as 128 or 4K/],
  [['echo', 'bench', '--port', '7', '--server-pid', '99999999999999999999'], 2, /^--server-pid 99999999999999999999: must be from 1 to 4194304/],
  [['echo', 'bench', '--port', '7', '--client-backend', nasty], 2, /^--client-backend "\\e\[31mred\\u\{202e\}\\n": expected one of auto, io_uring, epoll/],
  // ulimit
  [['ulimit', '--require', ''], 2, /^--require "": no check given; write NAME OP VALUE/],
  [['ulimit', '--require', ','], 2, /^--require ",": no check given/],
  [['ulimit', '--require', 'nofile>='], 2, /^--require "nofile>=": no value after >=; e\.g\. nofile>=65536/],
  [['ulimit', '--require', `nofile>=${nasty}`], 2, /^--require "nofile>=\\e\[31mred\\u\{202e\}": "\\e\[31mred\\u\{202e\}" is not a number/],
  [['ulimit', '--pid', '99999999999999999999'], 2, /^--pid 99999999999999999999: must be from 1 to 4194304/],
  [['ulimit', '--pid', '1', '--self'], 2, /^--pid and --self both choose the process to report: give one of them\./],
  [['ulimit', '--connections', '1e5'], 2, /^--connections 1e5: write it in plain digits: --connections 100000/],
  [['ulimit', '--pid', String(process.pid), '--nofile', '99999999999999999999'], 2, /^--nofile "99999999999999999999" is above any open-files limit Linux allows/],
  [['ulimit', '--pid', String(process.pid), '--nofile', `${nasty}:`], 2, /^--nofile "\\e\[31mred\\u\{202e\}\\n:": "\\e\[31mred\\u\{202e\}\\n" is not a whole number/],
  // probe, tcp-data-split
  [['probe', '--require', ','], 2, /^--require needs capability names/],
  [['probe', '--require', nasty], 2, /^unknown capability "\\e\[31mred\\u\{202e\}" in --require/],
  [['probe', '--format', ''], 2, /^--format "": expected one of table, env, c/],
  [['tcp-data-split', 'check', '--queue', '-1'], 2, /^--queue -1: expected a whole number from 0 to 65535/],
  [['tcp-data-split', 'check', nasty], 4, /^no such interface: "\\e\[31mred\\u\{202e\}\\n"/],
  [['tcp-data-split', 'check', long], 4, /^no such interface: "a+…" \(5000 characters\)/],
]

for (const [args, code, pattern] of cases) {
  const shown = args.map((a) => JSON.stringify(a.length > 30 ? `${a.slice(0, 20)}...` : a)).join(' ')
  test(`${shown}: exit ${code}, one line`, async () => {
    const human = await runCli(args, {timeoutMs: 20000})
    assert.equal(human.code, code, human.stderr)
    assert.equal(human.stdout, '')
    const lines = human.stderr.split('\n')
    assert.equal(lines.length, 2, human.stderr)
    assert.equal(lines[1], '')
    assert.doesNotMatch(human.stderr, /[\u0000-\u0009\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/)
    assert.ok(lines[0].length < 400, lines[0])
    assert.doesNotMatch(lines[0], /internal error|occurred::/)
    const message = lines[0].replace(/^Error: /, '')
    assert.match(message, pattern)

    const json = await runCli([...args, '--json'], {timeoutMs: 20000})
    assert.equal(json.code, code, json.stderr)
    assert.equal(json.stderr, '')
    const {error} = json.json()
    assert.deepEqual(error, {code: error.code, exitCode: code, message})
  })
}
