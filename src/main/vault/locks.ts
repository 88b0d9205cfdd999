// Locks that serialise work within this process (a keyed async mutex) and across processes
// (lock directories via proper-lockfile: the app and any number of CLI invocations).
import lockfile from 'proper-lockfile'
import { fail, ok, type Result } from '../../shared/result'

/** Runs tasks with the same key one after another, in call order, within this process. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>()

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const current = new Promise<void>((r) => (release = r))
    const tail = previous.then(() => current)
    this.tails.set(key, tail)
    await previous
    try {
      return await task()
    } finally {
      release()
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}

export interface FileLockOptions {
  /** How long to wait for another process before giving up with VAULT_BUSY. */
  waitMs: number
  /** A lock not refreshed for this long belongs to a dead process and is taken over. */
  staleMs?: number
}

/**
 * Holds `lockPath` (a directory created atomically) for the duration of `task`, across
 * processes. The lock is refreshed while held, so a long login does not look stale; a process
 * that died (even by SIGKILL) leaves a lock that goes stale and is taken over.
 */
export async function withFileLock<T>(
  lockPath: string,
  opts: FileLockOptions,
  task: () => Promise<T>,
): Promise<Result<T>> {
  const staleMs = opts.staleMs ?? 10_000
  const deadline = Date.now() + opts.waitMs
  let release: (() => Promise<void>) | undefined
  let delay = 5
  for (;;) {
    try {
      release = await lockfile.lock(lockPath, {
        lockfilePath: lockPath,
        realpath: false,
        stale: staleMs,
        update: Math.max(1000, Math.floor(staleMs / 4)),
        retries: 0,
        // A compromised lock (its directory removed or taken over) is reported by the next write
        // through the normal checks; it must never crash the process from a timer.
        onCompromised: () => {},
      })
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e
      if (Date.now() >= deadline) {
        return fail(
          'VAULT_BUSY',
          `Another TokenDeck process held the vault lock for more than ${Math.round(opts.waitMs / 1000)} s.`,
        )
      }
      await new Promise((r) => setTimeout(r, delay + Math.random() * delay))
      delay = Math.min(delay * 1.5, 60)
    }
  }
  try {
    return ok(await task())
  } finally {
    await release().catch(() => {})
  }
}
