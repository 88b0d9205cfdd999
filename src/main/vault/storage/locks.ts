// Locks that serialise work within this process (a keyed async mutex) and across processes
// (lock directories: the app and any number of CLI invocations).
//
// A lock is a directory holding an `owner` file (pid, host, start time, a random token). It is
// built whole under a private temporary name and renamed into place, so a lock without its owner
// never exists under the lock's name (a rename onto an existing lock fails). A lock whose owner
// is a live process on this machine is never taken over, however old: only a dead owner, a pid
// now held by another process (process-identity.ts), or an owner on another host (a shared
// folder) that has not refreshed the lock for `staleMs` is stale. Taking over is serialised by a
// `.takeover` lock built the same way, and moves the stale lock aside by rename before checking
// that it is the one judged stale; a holder that finds its token gone refuses to write.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fail, ok, type Result } from '../../../shared/result'
import { writeFileSafely } from '../../platform/safe-write'
import { ownerState, selfIdentity, type ProcessIdentity } from './process-identity'

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
  /**
   * A lock owned on another host (a shared folder) and not refreshed for this long is stale, as
   * is a lock with no readable owner this old. Never applies to a live owner on this machine.
   */
  staleMs?: number
}

/** What the task gets: a way to check, right before writing, that the lock is still ours. */
export interface LockHandle {
  stillHeld(): boolean
}

export interface Owner extends ProcessIdentity {
  token: string
}

export const OWNER_FILE = 'owner'
const MAX_OWNER_BYTES = 4096
const LEFTOVER = /\.(new|old)-[0-9a-f]{16}$/
/** Leftovers of a creator or remover that died mid-step are removed after this long. */
const LEFTOVER_MS = 60_000

const randomName = () => randomBytes(8).toString('hex')

function isOwner(o: unknown): o is Owner {
  const r = o as Partial<Owner> | null
  return (
    typeof r === 'object' &&
    r !== null &&
    Number.isSafeInteger(r.pid) &&
    r.pid! > 0 &&
    typeof r.host === 'string' &&
    typeof r.token === 'string' &&
    r.token.length > 0 &&
    (r.boot === undefined || typeof r.boot === 'string') &&
    (r.pidns === undefined || typeof r.pidns === 'string') &&
    (r.startTicks === undefined || Number.isSafeInteger(r.startTicks)) &&
    (r.startedAt === undefined || Number.isFinite(r.startedAt))
  )
}

/** The owner file of the lock directory `dir`, read without following a link; null if none. */
export function readOwner(dir: string): Owner | null {
  // No link followed, and no wait on a FIFO planted there (O_NONBLOCK; it is then not a file).
  const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants
  let fd: number
  try {
    fd = fs.openSync(path.join(dir, OWNER_FILE), O_RDONLY | (O_NOFOLLOW ?? 0) | (O_NONBLOCK ?? 0))
  } catch {
    return null
  }
  try {
    const st = fs.fstatSync(fd)
    if (!st.isFile() || st.size > MAX_OWNER_BYTES) return null
    const buf = Buffer.alloc(st.size)
    const n = fs.readSync(fd, buf, 0, buf.length, 0)
    const o: unknown = JSON.parse(buf.subarray(0, n).toString('utf8'))
    return isOwner(o) ? o : null
  } catch {
    return null
  } finally {
    fs.closeSync(fd)
  }
}

/** What is under a lock's name: its inode and owner (none for a file or link planted there). */
interface Found {
  ino: number
  mtimeMs: number
  owner: Owner | null
}

function lockAt(p: string): Found | null {
  let st: fs.Stats
  try {
    st = fs.lstatSync(p)
  } catch {
    return null
  }
  return { ino: st.ino, mtimeMs: st.mtimeMs, owner: st.isDirectory() ? readOwner(p) : null }
}

/** Whether the lock found may be taken over (see the header). */
function isStale(found: Found, staleMs: number, now = Date.now()): boolean {
  const age = now - found.mtimeMs
  // No readable owner: a file or link planted there, or an older TokenDeck's lock being made.
  if (!found.owner) return age > staleMs
  const state = ownerState(found.owner)
  if (state === 'dead') return true
  if (state === 'alive') return false
  // Another host on a shared folder: only its refreshes tell that it lives.
  return age > staleMs
}

/**
 * Makes the lock with `owner` inside, atomically: a private directory with the owner file is
 * renamed to the lock's name. False when a lock is there.
 */
export function createLock(lockPath: string, owner: Owner): boolean {
  const tmp = `${lockPath}.new-${randomName()}`
  fs.mkdirSync(tmp, { mode: 0o700 })
  try {
    writeFileSafely(path.join(tmp, OWNER_FILE), JSON.stringify(owner), { fsync: false })
    try {
      fs.renameSync(tmp, lockPath)
    } catch (e) {
      // A lock is (or was, a moment ago) there: ENOTEMPTY or EEXIST; ENOTDIR for a file or link
      // planted there; EPERM on Windows, which renames no folder over another.
      const code = (e as NodeJS.ErrnoException).code ?? ''
      if (['ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes(code) || lockAt(lockPath)) return false
      throw e
    }
    if (readOwner(lockPath)?.token === owner.token) return true
    // Emptied before the rename (a leftover sweep after a very long stall): not a lock.
    try {
      fs.rmdirSync(lockPath)
    } catch {
      /* not empty: someone else's now */
    }
    return false
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

/**
 * Moves what is under `lockPath` aside and deletes it if it is still `expected` (same inode, same
 * owner token); otherwise puts it back. Never deletes by name what it did not check.
 */
function removeIf(lockPath: string, expected: Found): boolean {
  const grave = `${lockPath}.old-${randomName()}`
  try {
    fs.renameSync(lockPath, grave)
  } catch {
    return false // gone already, or replaced by a lock renamed in: someone else's
  }
  const moved = lockAt(grave)
  if (moved && moved.ino === expected.ino && moved.owner?.token === expected.owner?.token) {
    fs.rmSync(grave, { recursive: true, force: true })
    return true
  }
  try {
    fs.renameSync(grave, lockPath)
  } catch {
    // A new lock was made meanwhile: the one moved has lost its place (its holder's stillHeld()
    // says so, and it writes nothing).
    fs.rmSync(grave, { recursive: true, force: true })
  }
  return false
}

/** Releases our own lock only: after a takeover it is someone else's. */
function release(lockPath: string, token: string): void {
  try {
    const found = lockAt(lockPath)
    if (found?.owner?.token === token) removeIf(lockPath, found)
  } catch {
    // Left in place: its owner (this process) is alive until it exits, then it is a dead
    // owner's lock, taken over at once.
  }
}

/** Takes over the stale lock `found`, one process at a time; true if it is gone. */
function takeOver(lockPath: string, found: Found, staleMs: number): boolean {
  const gatePath = `${lockPath}.takeover`
  const gate: Owner = { ...selfIdentity(), token: randomName() }
  if (!createLock(gatePath, gate)) {
    // Someone is taking over. A gate left by a dead process goes the same way as a lock.
    const g = lockAt(gatePath)
    if (g && isStale(g, staleMs)) removeIf(gatePath, g)
    return false
  }
  try {
    // Judge again under the gate: it must still be the same lock, and stale.
    const now = lockAt(lockPath)
    if (!now) return true
    if (now.ino !== found.ino || now.owner?.token !== found.owner?.token) return false
    if (!isStale(now, staleMs)) return false
    return removeIf(lockPath, now)
  } finally {
    release(gatePath, gate.token)
  }
}

/** Leftovers of creators and removers that died between two steps, old enough to be garbage. */
function sweepLeftovers(lockPath: string): void {
  const dir = path.dirname(lockPath)
  const prefix = `${path.basename(lockPath)}.`
  try {
    for (const name of fs.readdirSync(dir)) {
      if (!name.startsWith(prefix) || !LEFTOVER.test(name)) continue
      const p = path.join(dir, name)
      const st = fs.lstatSync(p)
      if (Date.now() - st.mtimeMs > LEFTOVER_MS) fs.rmSync(p, { recursive: true, force: true })
    }
  } catch {
    /* nothing to tidy, or it went meanwhile */
  }
}

/** "Another TokenDeck process (pid 123 on this machine) held the vault lock" */
function busyWords(lockPath: string, found: Found | null): string {
  const name = path.basename(lockPath)
  const lock =
    name === '.vault.lock'
      ? 'the vault lock'
      : name.startsWith('.mint-')
        ? "the organization's login lock"
        : `the lock ${name}`
  const o = found?.owner
  const where = o && (o.host === selfIdentity().host ? 'on this machine' : `on ${o.host}`)
  return `Another TokenDeck process${o ? ` (pid ${o.pid} ${where})` : ''} held ${lock}`
}

/**
 * Holds `lockPath` for the duration of `task`, across processes. The lock is refreshed while
 * held (for processes on other hosts, which judge it by age); a lock left by a dead process is
 * taken over; a live holder is waited for, up to `waitMs`.
 */
export async function withFileLock<T>(
  lockPath: string,
  opts: FileLockOptions,
  task: (handle: LockHandle) => Promise<T>,
): Promise<Result<T>> {
  const staleMs = opts.staleMs ?? 10_000
  const deadline = Date.now() + opts.waitMs
  const owner: Owner = { ...selfIdentity(), token: randomBytes(12).toString('hex') }
  let delay = 4
  for (;;) {
    let found: Found | null
    try {
      if (createLock(lockPath, owner)) break
      found = lockAt(lockPath)
      if (found && isStale(found, staleMs) && takeOver(lockPath, found, staleMs)) continue
    } catch (e) {
      return fail(
        'VAULT_BUSY',
        `The lock ${path.basename(lockPath)} could not be taken (${(e as NodeJS.ErrnoException).code ?? 'error'}).`,
      )
    }
    if (Date.now() >= deadline) {
      return fail(
        'VAULT_BUSY',
        `${busyWords(lockPath, found)} for more than ${Math.round(opts.waitMs / 1000)} s. Try again when it is done.`,
      )
    }
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay))
    delay = Math.min(delay * 1.5, 50)
  }

  sweepLeftovers(lockPath)
  const handle: LockHandle = { stillHeld: () => readOwner(lockPath)?.token === owner.token }
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
    release(lockPath, owner.token)
  }
}
