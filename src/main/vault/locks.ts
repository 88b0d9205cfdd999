// Locks that serialise work within this process (a keyed async mutex) and across processes
// (lock directories: the app and any number of CLI invocations).
//
// A lock is a directory created with mkdir (atomic) holding an `owner` file: pid, host and a
// random token. A lock whose owner is a dead process on this host, or that has not been
// refreshed for `staleMs` (another host on a shared folder, or a hung process), is stale.
// Taking over a stale lock is itself serialised by a short-lived `.takeover` directory and
// re-checks the owner token under it, so two waiters can never both take over (check-then-act
// races are what lose updates); a holder that finds its token gone refuses to write.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
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
  /** A lock not refreshed for this long is stale even if its owner seems alive. */
  staleMs?: number
}

/** What the task gets: a way to check, right before writing, that the lock is still ours. */
export interface LockHandle {
  stillHeld(): boolean
}

interface Owner {
  pid: number
  host: string
  token: string
}

const HOST = os.hostname()
const OWNER_FILE = 'owner'

function readOwner(lockPath: string): Owner | null {
  try {
    const o = JSON.parse(fs.readFileSync(path.join(lockPath, OWNER_FILE), 'utf8')) as Owner
    return typeof o.pid === 'number' && typeof o.token === 'string' ? o : null
  } catch {
    return null
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The owner token of a stale lock, '' for a stale lock with no readable owner, null if live. */
function staleToken(lockPath: string, staleMs: number): string | null {
  let mtime: number
  try {
    mtime = fs.statSync(lockPath).mtimeMs
  } catch {
    return null // gone: not ours to take over, just try mkdir again
  }
  const owner = readOwner(lockPath)
  const age = Date.now() - mtime
  if (!owner) {
    // Created but the owner file not written yet (or lost): give its creator a moment.
    return age > Math.min(staleMs, 2000) ? '' : null
  }
  if (owner.host === HOST && !processAlive(owner.pid)) return owner.token
  return age > staleMs ? owner.token : null
}

/** Removes a stale lock, at most one process at a time, only if it is still the same lock. */
function takeOver(lockPath: string, staleMs: number): void {
  const gate = `${lockPath}.takeover`
  try {
    fs.mkdirSync(gate)
  } catch {
    // Someone else is taking over. A gate left by a process that died inside this tiny
    // section is cleared after a while.
    try {
      if (Date.now() - fs.statSync(gate).mtimeMs > 10_000)
        fs.rmSync(gate, { recursive: true, force: true })
    } catch {
      /* gone already */
    }
    return
  }
  try {
    const token = staleToken(lockPath, staleMs)
    if (token === null) return
    const now = readOwner(lockPath)
    if ((now?.token ?? '') !== token) return
    fs.rmSync(lockPath, { recursive: true, force: true })
  } finally {
    fs.rmSync(gate, { recursive: true, force: true })
  }
}

function tryAcquire(lockPath: string, token: string): boolean {
  try {
    fs.mkdirSync(lockPath)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw e
  }
  const owner: Owner = { pid: process.pid, host: HOST, token }
  fs.writeFileSync(path.join(lockPath, OWNER_FILE), JSON.stringify(owner), { mode: 0o600 })
  return true
}

/**
 * Holds `lockPath` for the duration of `task`, across processes. The lock is refreshed while
 * held, so a long login does not look stale; a lock left by a dead process is taken over.
 */
export async function withFileLock<T>(
  lockPath: string,
  opts: FileLockOptions,
  task: (handle: LockHandle) => Promise<T>,
): Promise<Result<T>> {
  const staleMs = opts.staleMs ?? 10_000
  const deadline = Date.now() + opts.waitMs
  const token = randomBytes(12).toString('hex')
  let delay = 4
  for (;;) {
    let acquired: boolean
    try {
      acquired = tryAcquire(lockPath, token)
      if (!acquired && staleToken(lockPath, staleMs) !== null) {
        takeOver(lockPath, staleMs)
        continue
      }
    } catch (e) {
      return fail(
        'VAULT_BUSY',
        `The vault lock could not be taken (${(e as NodeJS.ErrnoException).code ?? 'error'}).`,
      )
    }
    if (acquired) break
    if (Date.now() >= deadline) {
      return fail(
        'VAULT_BUSY',
        `Another TokenDeck process held the vault lock for more than ${Math.round(opts.waitMs / 1000)} s.`,
      )
    }
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay))
    delay = Math.min(delay * 1.5, 50)
  }

  const handle: LockHandle = { stillHeld: () => readOwner(lockPath)?.token === token }
  const refresh = setInterval(
    () => {
      const t = new Date()
      if (handle.stillHeld()) fs.utimes(lockPath, t, t, () => {})
    },
    Math.max(500, Math.floor(staleMs / 4)),
  )
  refresh.unref()
  try {
    return ok(await task(handle))
  } finally {
    clearInterval(refresh)
    // Release only our own lock: after a takeover (we were stale), it is someone else's.
    if (handle.stillHeld()) fs.rmSync(lockPath, { recursive: true, force: true })
  }
}
