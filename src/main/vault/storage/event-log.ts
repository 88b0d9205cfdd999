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
import type { EventType, Surface, VaultEvent } from '../../../shared/views'
import { currentOrigin, type RequestOrigin } from '../../platform/request-origin'
import { FRESH_FILE_FLAGS, tempNameFor } from '../../platform/safe-write'
import {
  bucketOf,
  lineShape,
  openEntries,
  plainEntry,
  runsOfOneBucket,
  sealEntries,
  type EventBucket,
  type EventCipher,
} from './event-lines'

export { EVENT_TYPES, eventSchema, type EventType, type VaultEvent } from '../../../shared/views'
export {
  bucketOf,
  EVENT_BUCKETS,
  lineBucket,
  sealedEventCipher,
  type EventBucket,
  type EventCipher,
} from './event-lines'

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
   * Appends several events in one write (the gateway's batches of request records). Events of
   * one bucket in a row share one sealed line (event-lines.ts), so a batch of 100 request
   * records costs one cipher call, not 100; a reader sees whole lines whatever another process
   * appends meanwhile.
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
    const lines = runsOfOneBucket(full).map((run) => `${sealEntries(cipher, run)}\n`)
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
        const named = lineShape(line).bucket
        if (named && !buckets.has(named)) continue
      }
      const entries = openEntries(cipher, line)
      if (!entries) {
        this.unverified++
        continue
      }
      for (let j = entries.length - 1; j >= 0 && out.length < want; j--) {
        const ev = entries[j]!
        if (opts.accountId && ev.accountId !== opts.accountId) continue
        if (opts.types && !opts.types.includes(ev.type)) continue
        if (opts.surfaces && (!ev.surface || !opts.surfaces.includes(ev.surface))) continue
        out.push(ev)
      }
    }
    return out
  }

  /**
   * Rewrites the file once it holds more than twice `limit` entries, keeping the newest `limit`
   * entries of each bucket (whole lines: a batch line that straddles the limit stays), told
   * apart by their clear-text names and counts without decrypting (older lines
   * without one are opened to tell, and re-sealed with their name). A line that does not open
   * stays, in the bucket it names: compaction drops only what the limits push out. Callers hold
   * the vault's write lock, so two processes never compact at once.
   *
   * Asynchronous, so a busy gateway's requests are answered while it runs: the file is read and
   * the newest lines written to a fresh temporary file without blocking. What was appended
   * meanwhile (by this process or another) is then copied over and the file renamed in one
   * synchronous step, so no append of this process can fall between the two. (An append by
   * another process in that last step can be lost: the log is a record, not the ledger.)
   */
  compactIfLarge(): Promise<void> {
    // One at a time in this process (the vault lock keeps other processes out).
    this.compacting ??= this.compactNow().finally(() => (this.compacting = null))
    return this.compacting
  }

  private compacting: Promise<void> | null = null

  private async compactNow(): Promise<void> {
    let bytes: Buffer
    try {
      bytes = await fs.promises.readFile(this.path)
    } catch {
      return
    }
    // Only whole lines: a line still being appended is part of the tail copied at the end.
    const whole = bytes.lastIndexOf(0x0a) + 1
    const text = bytes.toString('utf8', 0, whole)
    // Not asked again until about half a limit's worth of lines more has been appended.
    this.quietBelow = bytes.length + this.limit * 100
    const lines = text.split('\n').filter((l) => l !== '')
    const shapes = lines.map(lineShape)
    if (shapes.reduce((n, s) => n + s.count, 0) <= this.limit * 2) return
    const cipher = this.cipher()
    let changed = false
    const sorted = lines.map((line, i): SortedLine => {
      const { bucket, count } = shapes[i]!
      if (bucket) return { line, bucket, count }
      const ev = bucket === null && cipher ? openEntries(cipher, line) : null
      if (!ev || !cipher) return { line, bucket: 'other', count: 1 }
      changed = true
      return { line: sealEntries(cipher, ev), bucket: bucketOf(ev[0]!.type), count: ev.length }
    })
    const keep = this.newestPerBucket(sorted)
    if (keep.length === lines.length && !changed) return
    const tmp = tempNameFor(this.path)
    const file = await fs.promises.open(tmp, FRESH_FILE_FLAGS, 0o600)
    let renamed = false
    try {
      await file.writeFile(keep.length > 0 ? `${keep.join('\n')}\n` : '')
      await file.chmod(0o600)
      await file.sync()
      // From here to the rename nothing yields: this process's appends land before or after.
      const tail = readFrom(this.path, whole)
      if (tail.length > 0) fs.writeSync(file.fd, tail)
      fs.renameSync(tmp, this.path)
      renamed = true
    } finally {
      await file.close()
      if (!renamed) fs.rmSync(tmp, { force: true })
    }
  }

  /** The lines holding the newest `limit` entries of each bucket, in file order. */
  private newestPerBucket(lines: readonly SortedLine[]): string[] {
    const counts = new Map<EventBucket, number>()
    const keep: string[] = []
    for (let i = lines.length - 1; i >= 0; i--) {
      const { line, bucket, count } = lines[i]!
      const before = counts.get(bucket) ?? 0
      counts.set(bucket, before + count)
      if (before < this.limit) keep.push(line)
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
    const out: SortedLine[] = []
    for (const line of text.split('\n')) {
      if (!line) continue
      const already = openEntries(to, line)
      if (already) {
        out.push({ line, bucket: bucketOf(already[0]!.type), count: already.length })
        continue
      }
      const plain = from ? null : plainEntry(line)
      const ev = from ? openEntries(from, line) : plain ? [plain] : null
      if (!ev) continue
      out.push({ line: sealEntries(to, ev), bucket: bucketOf(ev[0]!.type), count: ev.length })
    }
    const keep = this.newestPerBucket(out)
    // A fresh name, created O_EXCL | O_NOFOLLOW: a name planted in the folder is never followed.
    const tmp = tempNameFor(this.path)
    const fd = fs.openSync(tmp, FRESH_FILE_FLAGS, 0o600)
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

/** The bytes of `file` from `offset` to its end (empty when it is gone). */
function readFrom(file: string, offset: number): Buffer {
  let fd: number | undefined
  try {
    fd = fs.openSync(file, 'r')
    const size = fs.fstatSync(fd).size
    if (size <= offset) return Buffer.alloc(0)
    const out = Buffer.alloc(size - offset)
    let at = 0
    while (at < out.length) {
      const n = fs.readSync(fd, out, at, out.length - at, offset + at)
      if (n === 0) break
      at += n
    }
    return out.subarray(0, at)
  } catch {
    return Buffer.alloc(0)
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

/** A line as compaction sorts it: its bucket and how many entries it holds. */
interface SortedLine {
  line: string
  bucket: EventBucket
  count: number
}
