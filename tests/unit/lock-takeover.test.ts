// A live lock holder is never taken over (locks.ts, process-identity.ts): a real process holding a
// lock and stopped far past the stale time keeps it, and its waiter gives up naming it; a dead
// owner's lock, or one whose pid now belongs to a process that started at another time, is taken
// over at once; an owner on another host is judged by the lock's age only. A lock never exists
// under its name without its owner (watched while processes take and release it), and what
// attacker 1 plants under a lock's name (a link to another folder, a FIFO as the owner file) is
// neither followed nor waited on.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createLock,
  OWNER_FILE,
  readOwner,
  withFileLock,
  type Owner,
} from '../../src/main/vault/storage/locks'
import {
  linuxStartTicks,
  ownerState,
  parseElapsed,
  selfIdentity,
} from '../../src/main/vault/storage/process-identity'
import { tempDir } from '../helpers/vault'

const HOLDER = path.resolve('tests/helpers/lock-holder.ts')
const LINUX = process.platform === 'linux'
const children = new Set<ChildProcess>()
afterEach(() => {
  for (const c of children) {
    c.kill('SIGCONT')
    c.kill('SIGKILL')
  }
  children.clear()
})

interface Holder {
  pid: number
  /** The next line starting with `prefix` (waits for it). */
  line(prefix: string): Promise<string>
  send(text: string): void
  exited: Promise<number | null>
}

function startHolder(lock: string, staleMs: number, mode: 'hold' | 'loop', count = 0): Holder {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', HOLDER, lock, String(staleMs), mode, String(count)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  children.add(child)
  const lines: string[] = []
  const waiters: (() => void)[] = []
  let buf = ''
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    let i
    while ((i = buf.indexOf('\n')) !== -1) {
      lines.push(buf.slice(0, i))
      buf = buf.slice(i + 1)
    }
    waiters.splice(0).forEach((w) => w())
  })
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child)
      waiters.splice(0).forEach((w) => w())
      resolve(code)
    }),
  )
  return {
    pid: child.pid!,
    async line(prefix) {
      for (;;) {
        const i = lines.findIndex((l) => l.startsWith(prefix) || l.startsWith('err '))
        if (i !== -1) return lines.splice(i, 1)[0]!
        if (child.exitCode !== null) throw new Error(`the holder exited: ${lines.join(' | ')}`)
        await new Promise<void>((r) => waiters.push(r))
      }
    },
    send: (text) => child.stdin!.write(text),
    exited,
  }
}

/** A pid that was alive a moment ago and is not any more. */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise((r) => c.on('exit', r))
  return c.pid!
}

/** A lock under `lock` whose owner file says `owner` (as a process that made it would). */
function plantLock(lock: string, owner: Partial<Owner>): void {
  const full = { ...selfIdentity(), token: 'planted-token', ...owner }
  expect(createLock(lock, full)).toBe(true)
}

const ran = async () => 'ran'
const lockIn = () => path.join(tempDir('tokendeck-locks-'), '.vault.lock')

describe('a live holder is never taken over', () => {
  it('a real process holding the lock, stopped 7x past the stale time, keeps it', async () => {
    const lock = lockIn()
    const holder = startHolder(lock, 200, 'hold')
    expect(await holder.line('held')).toBe('held')
    process.kill(holder.pid, 'SIGSTOP')
    try {
      // It refreshes nothing while stopped: the lock only grows older than staleMs (200 ms).
      const r = await withFileLock(lock, { waitMs: 1_500, staleMs: 200 }, ran)
      expect(r).toMatchObject({ ok: false, code: 'VAULT_BUSY' })
      expect(!r.ok && r.message).toContain(
        `(pid ${holder.pid} on this machine) held the vault lock`,
      )
    } finally {
      process.kill(holder.pid, 'SIGCONT')
    }
    holder.send('go\n')
    expect(await holder.line('still-held')).toBe('still-held true')
    expect(await holder.exited).toBe(0)
    expect(fs.existsSync(lock)).toBe(false)
    expect(await withFileLock(lock, { waitMs: 1_000 }, ran)).toEqual({ ok: true, value: 'ran' })
  }, 30_000)

  it.skipIf(!LINUX)(
    'an owner whose pid and start time match a live process: never, however old',
    async () => {
      const lock = lockIn()
      const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
        stdio: 'ignore',
      })
      children.add(live)
      await new Promise((r) => live.on('spawn', r))
      plantLock(lock, { pid: live.pid!, startTicks: linuxStartTicks(live.pid!) })
      const hourAgo = new Date(Date.now() - 3_600_000)
      fs.utimesSync(lock, hourAgo, hourAgo)
      const r = await withFileLock(lock, { waitMs: 500, staleMs: 100 }, ran)
      expect(r).toMatchObject({ ok: false, code: 'VAULT_BUSY' })
      expect(readOwner(lock)?.token).toBe('planted-token')
    },
  )
})

describe('a lock whose owner is gone is taken over at once', () => {
  it("a dead process's lock, however fresh (the stale time is a minute)", async () => {
    const lock = lockIn()
    plantLock(lock, { pid: await deadPid() })
    const r = await withFileLock(lock, { waitMs: 5_000, staleMs: 60_000 }, ran)
    expect(r).toEqual({ ok: true, value: 'ran' })
    expect(fs.existsSync(lock)).toBe(false)
  })

  it.skipIf(!LINUX)(
    'a reused pid (a live process that started at another time) is not the owner',
    async () => {
      const me = selfIdentity()
      for (const reused of [
        { startTicks: me.startTicks! - 1 },
        { startTicks: me.startTicks! + 12345 },
        { boot: '00000000-0000-0000-0000-000000000000' }, // the same pid, in an earlier boot
      ]) {
        const lock = lockIn()
        plantLock(lock, { pid: process.pid, ...reused })
        expect(ownerState({ ...me, ...reused })).toBe('dead')
        const r = await withFileLock(lock, { waitMs: 5_000, staleMs: 60_000 }, ran)
        expect(r, JSON.stringify(reused)).toEqual({ ok: true, value: 'ran' })
      }
      // The exact identity of this live process: alive.
      expect(ownerState(me)).toBe('alive')
    },
  )

  it('without /proc (macOS, BSD): the start time `ps` reports tells a reused pid apart', async () => {
    const started = Date.now()
    const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
    children.add(live)
    await new Promise((r) => live.on('spawn', r))
    const me = { pid: process.pid, host: selfIdentity().host, startedAt: Date.now() }
    const owner = { pid: live.pid!, host: me.host }
    expect(ownerState({ ...owner, startedAt: started }, me)).toBe('alive')
    expect(ownerState({ ...owner, startedAt: started - 3_600_000 }, me)).toBe('dead')
    expect(ownerState({ ...owner, pid: await deadPid(), startedAt: started }, me)).toBe('dead')
    expect(
      [['05:07'], ['1:02:03'], ['2-01:00:00'], ['  00:01\n'], ['soon'], ['']].map(([t]) =>
        parseElapsed(t!),
      ),
    ).toEqual([307, 3723, 176_400, 1, undefined, undefined])
  })

  it('an owner on another host (a shared folder) only by age: fresh is kept, unrefreshed is not', async () => {
    const lock = lockIn()
    plantLock(lock, { host: 'laptop-on-the-share.example', pid: 4242 })
    const busy = await withFileLock(lock, { waitMs: 300, staleMs: 5_000 }, ran)
    expect(busy).toMatchObject({ ok: false, code: 'VAULT_BUSY' })
    expect(!busy.ok && busy.message).toContain('pid 4242 on laptop-on-the-share.example')
    const old = new Date(Date.now() - 6_000)
    fs.utimesSync(lock, old, old)
    expect(await withFileLock(lock, { waitMs: 2_000, staleMs: 5_000 }, ran)).toMatchObject({
      ok: true,
    })
  })
})

describe('a lock never exists under its name without its owner', () => {
  it('watched while three processes take and release it 300 times each', async () => {
    const lock = lockIn()
    const lockers = [0, 1, 2].map(() => startHolder(lock, 10_000, 'loop', 300))
    const done = Promise.all(lockers.map((l) => l.line('done')))
    let finished = false
    void done.then(() => (finished = true))
    let seen = 0
    const ownerless: string[] = []
    while (!finished) {
      for (let i = 0; i < 5_000; i++) {
        let a: fs.BigIntStats
        try {
          a = fs.lstatSync(lock, { bigint: true })
        } catch {
          continue
        }
        seen++
        if (fs.existsSync(path.join(lock, OWNER_FILE))) continue
        // No owner: the same directory, unchanged (no entry added or removed) around that look?
        try {
          const b = fs.lstatSync(lock, { bigint: true })
          if (b.ino === a.ino && b.ctimeNs === a.ctimeNs) ownerless.push(`${a.ino}`)
        } catch {
          /* gone meanwhile: released */
        }
      }
      await new Promise((r) => setImmediate(r))
    }
    expect(await done).toEqual(['done', 'done', 'done'])
    expect(seen).toBeGreaterThan(0)
    expect(ownerless).toEqual([])
    // Nothing left behind: no lock, no temporary or moved-aside copies.
    expect(fs.readdirSync(path.dirname(lock))).toEqual([])
  }, 120_000)

  it('making a lock where one is: refused, the lock untouched, no temporary left', () => {
    const lock = lockIn()
    plantLock(lock, {})
    const before = fs.readFileSync(path.join(lock, OWNER_FILE))
    expect(createLock(lock, { ...selfIdentity(), token: 'second' })).toBe(false)
    expect(fs.readFileSync(path.join(lock, OWNER_FILE))).toEqual(before)
    expect(fs.readdirSync(path.dirname(lock))).toEqual(['.vault.lock'])
    // The owner file: private, a plain file, in a private directory.
    const st = fs.lstatSync(path.join(lock, OWNER_FILE))
    expect(st.isFile() && (st.mode & 0o777).toString(8)).toBe('600')
    expect((fs.statSync(lock).mode & 0o077).toString(8)).toBe('0')
  })

  it('a holder that lost its lock knows it, and releasing leaves the new lock alone', async () => {
    const lock = lockIn()
    const r = await withFileLock(lock, { waitMs: 1_000 }, async (handle) => {
      expect(handle.stillHeld()).toBe(true)
      // Taken over (as another host would after the stale time) and made again by another owner.
      fs.renameSync(lock, `${lock}-moved`)
      plantLock(lock, { token: 'the-new-owner' })
      return handle.stillHeld()
    })
    expect(r).toEqual({ ok: true, value: false })
    expect(readOwner(lock)?.token).toBe('the-new-owner')
  })

  it('leftovers of a process that died between two steps are removed once old', async () => {
    const lock = lockIn()
    const dir = path.dirname(lock)
    const old = [`${lock}.new-0123456789abcdef`, `${lock}.old-fedcba9876543210`]
    const fresh = `${lock}.new-00000000000000ff`
    for (const p of [...old, fresh]) fs.mkdirSync(p)
    const longAgo = new Date(Date.now() - 120_000)
    for (const p of old) fs.utimesSync(p, longAgo, longAgo)
    expect(await withFileLock(lock, { waitMs: 1_000 }, ran)).toMatchObject({ ok: true })
    expect(fs.readdirSync(dir)).toEqual([path.basename(fresh)])
  })
})

describe('what attacker 1 plants under a lock name', () => {
  it('a link to another folder is moved aside, never followed: the folder keeps its files', async () => {
    const victim = tempDir('tokendeck-victim-')
    fs.writeFileSync(path.join(victim, 'keep.txt'), 'precious')
    // Even with the owner file of a live process (this one) inside.
    fs.writeFileSync(
      path.join(victim, OWNER_FILE),
      JSON.stringify({ ...selfIdentity(), token: 'in-the-victim' }),
    )
    const lock = lockIn()
    fs.symlinkSync(victim, lock)
    const old = new Date(Date.now() - 60_000)
    fs.lutimesSync(lock, old, old)
    expect(await withFileLock(lock, { waitMs: 2_000, staleMs: 1_000 }, ran)).toMatchObject({
      ok: true,
    })
    expect(fs.readdirSync(victim).sort()).toEqual(['keep.txt', OWNER_FILE])
    expect(fs.readFileSync(path.join(victim, 'keep.txt'), 'utf8')).toBe('precious')
    expect(fs.existsSync(lock)).toBe(false)
  })

  it.skipIf(process.platform === 'win32')(
    'a FIFO or a link as the owner file is not read, not waited on: the lock counts as ownerless',
    async () => {
      for (const plant of ['fifo', 'link'] as const) {
        const lock = lockIn()
        fs.mkdirSync(lock)
        const ownerPath = path.join(lock, OWNER_FILE)
        if (plant === 'fifo') execFileSync('mkfifo', [ownerPath])
        else {
          const real = path.join(tempDir(), 'owner.json')
          fs.writeFileSync(real, JSON.stringify({ ...selfIdentity(), token: 'via-link' }))
          fs.symlinkSync(real, ownerPath)
        }
        expect(readOwner(lock), plant).toBeNull()
        const old = new Date(Date.now() - 60_000)
        fs.utimesSync(lock, old, old)
        const r = await withFileLock(lock, { waitMs: 2_000, staleMs: 1_000 }, ran)
        expect(r, plant).toEqual({ ok: true, value: 'ran' })
      }
    },
  )
})
