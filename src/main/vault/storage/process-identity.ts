// Who a process is, beyond its pid: enough to tell a lock's live owner from a dead one whose pid
// was reused. On Linux the kernel's own start time (/proc/PID/stat, clock ticks since boot) with
// the boot id and the pid namespace; on other Unix systems the start time `ps` reports, to the
// second; on Windows only whether the pid is alive (a live pid counts as the owner).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'

/** What a lock's owner file records of the process that made it. */
export interface ProcessIdentity {
  pid: number
  host: string
  /** Linux: /proc/sys/kernel/random/boot_id (a pid from another boot is dead). */
  boot?: string
  /** Linux: the pid namespace; another one (a container) cannot see our pids, or we its. */
  pidns?: string
  /** Linux: start time in clock ticks since boot (field 22 of /proc/PID/stat). Exact. */
  startTicks?: number
  /** Wall-clock start time in ms; compared with `ps` where there is no /proc. */
  startedAt?: number
}

/** What an owner is to this process: alive here, dead (or its pid reused), or on another host. */
export type OwnerState = 'alive' | 'dead' | 'elsewhere'

const HOST = os.hostname()

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim()
  } catch {
    return undefined
  }
}

/** Field 22 of /proc/PID/stat (the fields after the command name, which may hold spaces). */
export function linuxStartTicks(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`)
  if (!stat) return undefined
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[19])
  return Number.isSafeInteger(ticks) ? ticks : undefined
}

const LINUX = process.platform === 'linux'
let self: ProcessIdentity | undefined

/** This process, as a lock's owner file records it. */
export function selfIdentity(): ProcessIdentity {
  if (self) return self
  const id: ProcessIdentity = {
    pid: process.pid,
    host: HOST,
    startedAt: Math.round(Date.now() - process.uptime() * 1000),
  }
  if (LINUX) {
    const boot = readText('/proc/sys/kernel/random/boot_id')
    const ticks = linuxStartTicks(process.pid)
    let pidns: string | undefined
    try {
      pidns = fs.readlinkSync('/proc/self/ns/pid')
    } catch {
      /* no namespaces to tell apart */
    }
    if (boot) id.boot = boot
    if (pidns) id.pidns = pidns
    if (ticks !== undefined) id.startTicks = ticks
  }
  self = id
  return id
}

/** Whether a process with this pid exists (EPERM: it exists, another user's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** `ps -o etime=` ("[[dd-]hh:]mm:ss") in seconds; undefined if it is not that shape. */
export function parseElapsed(text: string): number | undefined {
  const m = /^\s*(?:(?:(\d+)-)?(\d+):)?(\d+):(\d+)\s*$/.exec(text)
  if (!m) return undefined
  const [, d, h, min, s] = m
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min)) * 60 + Number(s)
}

const psCache = new Map<number, { at: number; startedAt: number | undefined }>()

/** A process's wall-clock start from `ps` (to the second); undefined if ps cannot say. */
export function psStartedAt(pid: number): number | undefined {
  const cached = psCache.get(pid)
  if (cached && Date.now() - cached.at < 5_000) return cached.startedAt
  let startedAt: number | undefined
  try {
    const out = execFileSync('ps', ['-o', 'etime=', '-p', String(pid)], {
      encoding: 'utf8',
      timeout: 2_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const secs = parseElapsed(out)
    if (secs !== undefined) startedAt = Date.now() - secs * 1000
  } catch {
    startedAt = undefined
  }
  psCache.set(pid, { at: Date.now(), startedAt })
  return startedAt
}

/**
 * Whether the process an owner file names is alive on this machine. Never "dead" for a live
 * process whose start time matches (or cannot be read): only a dead pid, a pid from another
 * boot, or a pid now held by a process that started at another time is.
 */
export function ownerState(o: ProcessIdentity, me: ProcessIdentity = selfIdentity()): OwnerState {
  if (o.host !== me.host) return 'elsewhere'
  if (o.pidns !== undefined && me.pidns !== undefined && o.pidns !== me.pidns) return 'elsewhere'
  if (o.boot !== undefined && me.boot !== undefined && o.boot !== me.boot) return 'dead'
  if (!pidAlive(o.pid)) return 'dead'
  if (o.startTicks !== undefined && me.startTicks !== undefined) {
    const ticks = linuxStartTicks(o.pid)
    return ticks !== undefined && ticks !== o.startTicks ? 'dead' : 'alive'
  }
  if (o.startedAt !== undefined && process.platform !== 'win32') {
    const started = psStartedAt(o.pid)
    // ps reports whole seconds: more than 3 s apart is another process.
    return started !== undefined && Math.abs(started - o.startedAt) > 3_000 ? 'dead' : 'alive'
  }
  return 'alive'
}
