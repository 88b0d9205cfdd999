// The event log: what happened and why (mint, reuse, copy, revoke, failure...), the newest 5,000
// of each bucket. An append-only file beside the vault, so logging a reuse costs one small
// append, not a rewrite of the vault. Each line is one entry sealed with the vault's key
// (EventCipher) under its bucket's name: labels and hosts are not readable without the key, and a
// line edited, moved or written outside TokenDeck does not open; it is counted, not shown. It
// never holds a secret: entries are built from views and codes. An entry written while the agent
// answers a request names who asked (platform/request-origin.ts).
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { eventSchema, type EventType, type Surface, type VaultEvent } from '../../../shared/views'
import { currentOrigin, type RequestOrigin } from '../../platform/request-origin'
import { tempNameFor, writeFileSafely } from '../../platform/safe-write'
import { encRecordSchema, openString, seal } from './crypto'

export { EVENT_TYPES, eventSchema, type EventType, type VaultEvent } from '../../../shared/views'

export const EVENT_LOG_FILE = 'events.jsonl'

/** True for a missing or empty file too (nothing to close). */
function endsWithNewline(file: string): boolean {
  let fd: number | undefined
  try {
    fd = fs.openSync(file, 'r')
    const size = fs.fstatSync(fd).size
    if (size === 0) return true
    const b = Buffer.alloc(1)
    fs.readSync(fd, b, 0, 1, size - 1)
    return b[0] === 0x0a
  } catch {
    return true
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}
export const EVENT_LOG_LIMIT = 5000

/**
 * Compaction keeps the newest `limit` entries of each bucket, so the entries a client can cause
 * by the thousand (gateway request records, agent requests, the reuse each `header` writes)
 * never push a mint, a revoke or a protection change out of the log.
 */
export const EVENT_BUCKETS = ['other', 'gateway', 'agent', 'reuse'] as const
export type EventBucket = (typeof EVENT_BUCKETS)[number]

export function bucketOf(type: EventType): EventBucket {
  return type === 'gateway' || type === 'agent' || type === 'reuse' ? type : 'other'
}

/**
 * Seals one entry into one line and opens it again. A line names its bucket in clear text (so
 * compaction need not decrypt it) and that name is part of its associated data: a line moved to
 * another bucket no longer opens. Lines written before buckets have no name and still open.
 */
export interface EventCipher {
  seal(json: string, bucket: EventBucket): string
  /** The entry's JSON; null when the line does not authenticate (under its bucket, if named). */
  open(line: string): string | null
}

/** A line's clear-text bucket: null for an older line without one, undefined for no line at all. */
export function lineBucket(line: string): EventBucket | null | undefined {
  const raw = safeJson(line)
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined
  const b = (raw as { b?: unknown }).b
  if (b === undefined) return null
  return (EVENT_BUCKETS as readonly unknown[]).includes(b) ? (b as EventBucket) : undefined
}

/** The vault's event cipher: AES-256-GCM under the data key, bound to the vault, log and bucket. */
export function sealedEventCipher(key: Buffer, vaultId: string): EventCipher {
  const aad = (b: EventBucket | null) =>
    b === null ? `tokendeck/${vaultId}/event-log` : `tokendeck/${vaultId}/event-log/${b}`
  return {
    seal: (json, bucket) => JSON.stringify({ b: bucket, ...seal(key, json, aad(bucket)) }),
    open: (line) => {
      const raw = safeJson(line)
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null
      const { b, ...rest } = raw as Record<string, unknown>
      const bucket = b === undefined ? null : lineBucket(line)
      if (bucket === undefined) return null
      const rec = encRecordSchema.safeParse(rest)
      return rec.success ? openString(key, rec.data, aad(bucket)) : null
    },
  }
}

/** The entry a line holds, when it opens, is an entry and sits in its own bucket. */
function openEntry(cipher: EventCipher, line: string): VaultEvent | null {
  const json = cipher.open(line)
  const ev = json === null ? undefined : eventSchema.safeParse(safeJson(json))
  if (!ev?.success) return null
  const named = lineBucket(line)
  return named === null || named === bucketOf(ev.data.type) ? ev.data : null
}

/** Appends events and reads the newest ones; compacts itself to the newest `limit` per bucket. */
export class EventLog {
  readonly path: string
  private appendsSinceCheck = 0
  /** The file size below which appends do not ask for compaction again (see compactIfLarge). */
  private quietBelow = 0

  /**
   * `cipher` is the vault's while it is unlocked and null while it is locked: nothing is written
   * or read then (an event of a locked vault is dropped, as the log is a record, not the ledger).
   * `needsCompaction` is called (now and then, from append) when the file has grown past twice
   * the limit; the vault answers by running compactIfLarge() under its write lock.
   */
  constructor(
    dir: string,
    private readonly cipher: () => EventCipher | null,
    private readonly needsCompaction: () => void = () => {},
    private readonly limit = EVENT_LOG_LIMIT,
  ) {
    this.path = path.join(dir, EVENT_LOG_FILE)
  }

  /** Lines that did not open in the last list() (edited, or sealed with an older key). */
  unverified = 0

  append(event: Omit<VaultEvent, 'id'>): VaultEvent {
    return this.appendAll([event])[0]!
  }

  /**
   * Appends several events in one write (the gateway's batches of request records): one line
   * each, so a reader sees whole lines whatever another process appends meanwhile.
   */
  appendAll(events: readonly Omit<VaultEvent, 'id'>[]): VaultEvent[] {
    const cipher = this.cipher()
    const origin = cipher ? currentOrigin() : undefined
    const full = events.map((e): VaultEvent => ({
      id: randomUUID(),
      ...(origin ? askedBy(e, origin) : e),
    }))
    if (!cipher || full.length === 0) return full
    // One write() with O_APPEND: concurrent processes never interleave within a line. A line
    // torn by a crash (power loss) is closed first, so these entries are not glued onto it.
    const torn = !endsWithNewline(this.path)
    const lines = full.map((e) => `${cipher.seal(JSON.stringify(e), bucketOf(e.type))}\n`)
    appendNoFollow(this.path, `${torn ? '\n' : ''}${lines.join('')}`)
    this.appendsSinceCheck += full.length
    if (this.appendsSinceCheck >= 200) {
      this.appendsSinceCheck = 0
      try {
        const size = fs.statSync(this.path).size
        if (size > this.limit * 2 * 200 && size > this.quietBelow) this.needsCompaction()
      } catch {
        /* nothing to compact */
      }
    }
    return full
  }

  /**
   * Newest first. Lines that do not open (edited outside TokenDeck, moved to another bucket,
   * torn by a crash mid-append, sealed with a key since rotated) are skipped and counted in
   * `unverified`. With `types`, lines whose bucket cannot hold those types are not opened.
   */
  list(
    opts: {
      limit?: number
      accountId?: string
      types?: readonly EventType[]
      surfaces?: readonly Surface[]
    } = {},
  ): VaultEvent[] {
    this.unverified = 0
    const cipher = this.cipher()
    if (!cipher) return []
    let text: string
    try {
      text = fs.readFileSync(this.path, 'utf8')
    } catch {
      return []
    }
    const want = Math.min(opts.limit ?? this.limit, this.limit)
    const buckets = opts.types ? new Set(opts.types.map(bucketOf)) : null
    const out: VaultEvent[] = []
    const lines = text.split('\n')
    for (let i = lines.length - 1; i >= 0 && out.length < want; i--) {
      const line = lines[i]
      if (!line) continue
      if (buckets) {
        const named = lineBucket(line)
        if (named && !buckets.has(named)) continue
      }
      const ev = openEntry(cipher, line)
      if (!ev) {
        this.unverified++
        continue
      }
      if (opts.accountId && ev.accountId !== opts.accountId) continue
      if (opts.types && !opts.types.includes(ev.type)) continue
      if (opts.surfaces && (!ev.surface || !opts.surfaces.includes(ev.surface))) continue
      out.push(ev)
    }
    return out
  }

  /**
   * Rewrites the file once it holds more than twice `limit` lines, keeping the newest `limit`
   * lines of each bucket, told apart by their clear-text names without decrypting (older lines
   * without one are opened to tell, and re-sealed with their name). A line that does not open
   * stays, in the bucket it names: compaction drops only what the limits push out. Callers hold
   * the vault's write lock, so two processes never compact at once. (An append by another
   * process during the rename can be lost: the log is a record, not the ledger.)
   */
  compactIfLarge(): void {
    let text: string
    try {
      text = fs.readFileSync(this.path, 'utf8')
    } catch {
      return
    }
    const lines = text.split('\n').filter((l) => l !== '')
    // Not asked again until about half a limit's worth of lines more has been appended.
    this.quietBelow = Buffer.byteLength(text) + this.limit * 100
    if (lines.length <= this.limit * 2) return
    const cipher = this.cipher()
    let changed = false
    const sorted = lines.map((line) => {
      const named = lineBucket(line)
      if (named) return { line, bucket: named }
      const ev = named === null && cipher ? openEntry(cipher, line) : null
      if (!ev || !cipher) return { line, bucket: 'other' as const }
      changed = true
      return { line: cipher.seal(JSON.stringify(ev), bucketOf(ev.type)), bucket: bucketOf(ev.type) }
    })
    const keep = this.newestPerBucket(sorted)
    if (keep.length === lines.length && !changed) return
    this.replace(keep)
  }

  /** The newest `limit` lines of each bucket, in file order. */
  private newestPerBucket(lines: readonly { line: string; bucket: EventBucket }[]): string[] {
    const counts = new Map<EventBucket, number>()
    const keep: string[] = []
    for (let i = lines.length - 1; i >= 0; i--) {
      const { line, bucket } = lines[i]!
      const n = (counts.get(bucket) ?? 0) + 1
      counts.set(bucket, n)
      if (n <= this.limit) keep.push(line)
    }
    return keep.reverse()
  }

  /**
   * Re-seals every line from one cipher to another (key rotation; a format 1 log, whose lines
   * were plain JSON, with `from` null) into a temp file, each in its bucket, and returns
   * `commit`, which puts it in place: call it once the vault file sealed with `to` is written,
   * so a failed or interrupted rotation leaves the log as it was. Lines already sealed with `to`
   * stay; lines that open with neither are dropped; each bucket keeps its newest `limit`.
   * Callers hold the vault's write lock; as for compaction, an append by another process in
   * between can be lost.
   */
  prepareReseal(from: EventCipher | null, to: EventCipher): { commit(): void; abort(): void } {
    let text = ''
    try {
      text = fs.readFileSync(this.path, 'utf8')
    } catch {
      /* no log yet: an empty one */
    }
    const out: { line: string; bucket: EventBucket }[] = []
    for (const line of text.split('\n')) {
      if (!line) continue
      const already = openEntry(to, line)
      if (already) {
        out.push({ line, bucket: bucketOf(already.type) })
        continue
      }
      const ev = from ? openEntry(from, line) : plainEntry(line)
      if (!ev) continue
      out.push({ line: to.seal(JSON.stringify(ev), bucketOf(ev.type)), bucket: bucketOf(ev.type) })
    }
    const keep = this.newestPerBucket(out)
    // A fresh name, created O_EXCL | O_NOFOLLOW: a name planted in the folder is never followed.
    const tmp = tempNameFor(this.path)
    const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants
    const fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | (O_NOFOLLOW ?? 0), 0o600)
    try {
      fs.writeSync(fd, keep.length > 0 ? `${keep.join('\n')}\n` : '')
      fs.fchmodSync(fd, 0o600)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    return {
      commit: () => fs.renameSync(tmp, this.path),
      abort: () => fs.rmSync(tmp, { force: true }),
    }
  }

  private replace(lines: string[]): void {
    writeFileSafely(this.path, lines.length > 0 ? `${lines.join('\n')}\n` : '')
  }
}

/**
 * An entry written while an agent request is answered, in that request's name: who asked (the
 * client's own description) as a field and in the words, and the surface `agent`. Counted, so
 * the agent writes no second entry for the same request (agent/host.ts).
 */
function askedBy(e: Omit<VaultEvent, 'id'>, origin: RequestOrigin): Omit<VaultEvent, 'id'> {
  if (e.client !== undefined) return e
  origin.logged++
  return {
    ...e,
    surface: e.surface ?? 'agent',
    client: origin.client.slice(0, 500),
    message: `${e.message} Asked by ${origin.client}.`.slice(0, 1000),
  }
}

/** Appends with O_APPEND | O_NOFOLLOW: a symlink planted at the log's name is not followed. */
function appendNoFollow(file: string, text: string): void {
  const { O_WRONLY, O_CREAT, O_APPEND, O_NOFOLLOW } = fs.constants
  const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_APPEND | (O_NOFOLLOW ?? 0), 0o600)
  try {
    fs.writeSync(fd, text)
  } finally {
    fs.closeSync(fd)
  }
}

/** A line of a format 1 log: the entry as plain JSON. */
function plainEntry(line: string): VaultEvent | null {
  const ev = eventSchema.safeParse(safeJson(line))
  return ev.success ? ev.data : null
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
