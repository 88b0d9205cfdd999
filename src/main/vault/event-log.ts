// The event log: what happened and why (mint, reuse, copy, revoke, failure...), newest 5,000.
// An append-only file beside the vault, so logging a reuse costs one small append, not a rewrite
// of the vault. Each line is one entry sealed with the vault's key (EventCipher): labels and
// hosts are not readable without it, and a line edited or written outside TokenDeck does not
// open and is not shown. It never holds a secret: entries are built from views and codes.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { eventSchema, type EventType, type VaultEvent } from '../../shared/views'
import { encRecordSchema, openString, seal } from './crypto'

export { EVENT_TYPES, eventSchema, type EventType, type VaultEvent } from '../../shared/views'

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

/** Seals one entry into one line and opens it again; null when it does not authenticate. */
export interface EventCipher {
  seal(json: string): string
  open(line: string): string | null
}

/** The vault's event cipher: AES-256-GCM under the data key, bound to the vault and the log. */
export function sealedEventCipher(key: Buffer, vaultId: string): EventCipher {
  const aad = `tokendeck/${vaultId}/event-log`
  return {
    seal: (json) => JSON.stringify(seal(key, json, aad)),
    open: (line) => {
      const rec = encRecordSchema.safeParse(safeJson(line))
      return rec.success ? openString(key, rec.data, aad) : null
    },
  }
}

/** Appends events and reads the newest ones; compacts itself to the newest EVENT_LOG_LIMIT. */
export class EventLog {
  readonly path: string
  private appendsSinceCheck = 0
  /** The file size below which appends do not ask for compaction again (see compactIfLarge). */
  private quietBelow = 0

  /**
   * `needsCompaction` is called (now and then, from append) when the file has grown past twice
   * the limit; the vault answers by running compactIfLarge() under its write lock.
   */
  /**
   * `cipher` is the vault's while it is unlocked and null while it is locked: nothing is written
   * or read then (an event of a locked vault is dropped, as the log is a record, not the ledger).
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
    const full = events.map((e): VaultEvent => ({ id: randomUUID(), ...e }))
    const cipher = this.cipher()
    if (!cipher || full.length === 0) return full
    // One write() with O_APPEND: concurrent processes never interleave within a line. A line
    // torn by a crash (power loss) is closed first, so these entries are not glued onto it.
    const torn = !endsWithNewline(this.path)
    const lines = full.map((e) => `${cipher.seal(JSON.stringify(e))}\n`).join('')
    fs.appendFileSync(this.path, `${torn ? '\n' : ''}${lines}`, { mode: 0o600 })
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
   * Newest first. Lines that do not open (edited outside TokenDeck, torn by a crash mid-append,
   * sealed with a key since rotated) are skipped and counted in `unverified`.
   */
  list(
    opts: { limit?: number; accountId?: string; types?: readonly EventType[] } = {},
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
    const out: VaultEvent[] = []
    const lines = text.split('\n')
    for (let i = lines.length - 1; i >= 0 && out.length < want; i--) {
      const line = lines[i]
      if (!line) continue
      const opened = cipher.open(line)
      let parsed: unknown
      try {
        parsed = opened === null ? undefined : JSON.parse(opened)
      } catch {
        parsed = undefined
      }
      const ev = eventSchema.safeParse(parsed)
      if (!ev.success) {
        this.unverified++
        continue
      }
      if (opts.accountId && ev.data.accountId !== opts.accountId) continue
      if (opts.types && !opts.types.includes(ev.data.type)) continue
      out.push(ev.data)
    }
    return out
  }

  /**
   * Rewrites the file once it holds more than twice `limit` lines, keeping the newest `limit`
   * gateway request records and, apart from them, the newest `limit` other lines: a busy gateway
   * never pushes a mint, a revoke or a protection change out of the log. Callers hold the
   * vault's write lock, so two processes never compact at once. (An append by another process
   * during the rename can be lost: the log is a record, not the ledger.)
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
    const isTraffic = (line: string) => {
      const json = cipher?.open(line)
      return json != null && (safeJson(json) as { type?: unknown } | undefined)?.type === 'gateway'
    }
    let traffic = 0
    let other = 0
    const keep: string[] = []
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]!
      if (isTraffic(line) ? ++traffic <= this.limit : ++other <= this.limit) keep.push(line)
    }
    if (keep.length === lines.length) return
    this.replace(keep.reverse())
  }

  /**
   * Re-seals every line from one cipher to another (key rotation; a format 1 log, whose lines
   * were plain JSON, with `from` null) into a temp file, and returns `commit`, which puts it in
   * place: call it once the vault file sealed with `to` is written, so a failed or interrupted
   * rotation leaves the log as it was. Lines already sealed with `to` stay; lines that open with
   * neither are dropped. Callers hold the vault's write lock; as for compaction, an append by
   * another process in between can be lost.
   */
  prepareReseal(from: EventCipher | null, to: EventCipher): { commit(): void; abort(): void } {
    let text = ''
    try {
      text = fs.readFileSync(this.path, 'utf8')
    } catch {
      /* no log yet: an empty one */
    }
    const out: string[] = []
    for (const line of text.split('\n').slice(-this.limit * 2)) {
      if (!line) continue
      const already = to.open(line)
      if (already !== null) {
        out.push(line)
        continue
      }
      const json = from ? from.open(line) : line
      if (json === null || !eventSchema.safeParse(safeJson(json)).success) continue
      out.push(to.seal(json))
    }
    const tmp = `${this.path}.${process.pid}.reseal.tmp`
    fs.writeFileSync(tmp, out.length > 0 ? `${out.join('\n')}\n` : '', { mode: 0o600 })
    return {
      commit: () => fs.renameSync(tmp, this.path),
      abort: () => fs.rmSync(tmp, { force: true }),
    }
  }

  private replace(lines: string[]): void {
    const tmp = `${this.path}.${process.pid}.tmp`
    fs.writeFileSync(tmp, lines.length > 0 ? `${lines.join('\n')}\n` : '', { mode: 0o600 })
    fs.renameSync(tmp, this.path)
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
