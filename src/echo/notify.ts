// systemd's readiness protocol (sd_notify(3)) for `echo serve` run as a Type=notify service: READY=1
// once listening, STATUS= lines, STOPPING=1 and WATCHDOG=1 pings. A no-op without $NOTIFY_SOCKET.
import {errnoName} from '../base/errno.js'
import {addon} from '../native/addon.js'
import type {EchoNative} from './native.js'

export interface ServiceNotifier {
  /** True when $NOTIFY_SOCKET names a socket to tell. */
  readonly active: boolean
  ready(status: string): void
  status(text: string): void
  stopping(): void
}

const inactive: ServiceNotifier = {active: false, ready() {}, status() {}, stopping() {}}

/**
 * The notifier for this process's environment. `alive()` decides each watchdog ping (half of
 * $WATCHDOG_USEC), so a server whose engine stopped serving is restarted by systemd. `warn` hears of
 * a socket that cannot be reached, once.
 */
export function serviceNotifier(env: NodeJS.ProcessEnv, alive: () => boolean, warn: (message: string) => void): ServiceNotifier {
  const socket = env.NOTIFY_SOCKET
  if (!socket) return inactive
  const native = addon<EchoNative>()
  let warned = false
  const send = (message: string) => {
    const errno = native.systemdNotify(socket, message)
    if (errno !== 0 && !warned) {
      warned = true
      warn(`warning: cannot notify systemd at NOTIFY_SOCKET=${socket} (${errnoName(errno)}); readiness and watchdog pings are lost`)
    }
  }
  let watchdog: NodeJS.Timeout | undefined
  const watchdogUsec = Number(env.WATCHDOG_USEC)
  const forUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === process.pid
  const oneLine = (text: string) => text.replaceAll(/\s*\n\s*/g, ' ')
  return {
    active: true,
    ready(status) {
      send(`READY=1\nSTATUS=${oneLine(status)}\nMAINPID=${process.pid}`)
      if (forUs && Number.isInteger(watchdogUsec) && watchdogUsec > 0) {
        const every = Math.min(2 ** 31 - 1, Math.max(1, Math.floor(watchdogUsec / 2000)))
        watchdog = setInterval(() => alive() && send('WATCHDOG=1'), every)
        watchdog.unref()
      }
    },
    status(text) {
      send(`STATUS=${oneLine(text)}`)
    },
    stopping() {
      if (watchdog) clearInterval(watchdog)
      send('STOPPING=1\nSTATUS=stopping')
    },
  }
}
