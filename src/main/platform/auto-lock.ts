// Locks the vault when it has been idle too long (checked every 30 s) and at once when the machine
// sleeps or the screen locks. The demo vault is never locked by the clock or the OS: it holds only
// the sandbox's published demo credentials behind a public passphrase, so locking it protects
// nothing and would interrupt a demo. (A person can still lock it, from the window or the tray.)
// Every lock here waits for logins in flight first (see AppCore.lock); the idle check does not
// lock while one runs.
import type { AppSession } from '../app-core'
import type { IntervalTimers } from './timers'

export const AUTO_LOCK_CHECK_MS = 30_000

export interface PowerEvents {
  on(event: 'suspend' | 'lock-screen', listener: () => void): unknown
  removeListener(event: 'suspend' | 'lock-screen', listener: () => void): unknown
}

export function startAutoLock(
  core: AppSession,
  power: PowerEvents,
  timers: IntervalTimers,
  log: (line: string) => void = () => {},
): () => void {
  const tick = () => {
    if (core.isDemo) return
    if (core.tick()) log('auto-lock: locked after inactivity')
  }
  const lockNow = (why: string) => () => {
    if (core.isDemo || !core.actions.protection.isUnlocked()) return
    // Waits for logins in flight (bounded by their deadline) so their tokens are recorded.
    void core.lock().then(() => log(`auto-lock: locked (${why})`))
  }
  const onSuspend = lockNow('suspend')
  const onLockScreen = lockNow('screen locked')
  const handle = timers.setInterval(tick, AUTO_LOCK_CHECK_MS)
  power.on('suspend', onSuspend)
  power.on('lock-screen', onLockScreen)
  return () => {
    timers.clearInterval(handle)
    power.removeListener('suspend', onSuspend)
    power.removeListener('lock-screen', onLockScreen)
  }
}
