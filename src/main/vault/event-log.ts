// The event log: what happened and why (mint, reuse, copy, revoke, failure...), newest 5,000.
// An append-only JSON-lines file beside the vault, so logging a reuse costs one small append,
// not a rewrite of the vault. It never holds a secret: entries are built from views and codes.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { eventSchema, type EventType, type VaultEvent } from '../../shared/views'

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

/** Appends events and reads the newest ones; compacts itself to the newest EVENT_LOG_LIMIT. */
export class EventLog {
  readonly path: string
  private appendsSinceCheck = 0

  /**
   * `needsCompaction` is called (now and then, from append) when the file has grown past twice
   * the limit; the vault answers by running compactIfLarge() under its write lock.
   */
  constructor(
    dir: string,
    private readonly needsCompaction: () => void = () => {},
    private readonly limit = EVENT_LOG_LIMIT,
  ) {
    this.path = path.join(dir, EVENT_LOG_FILE)
  }

  append(event: Omit<VaultEvent, 'id'>): VaultEvent {
    const full: VaultEvent = { id: randomUUID(), ...event }
    // One write() of one line with O_APPEND: concurrent processes never interleave within a line.
    // A line torn by a crash (power loss) is closed first, so this entry is not glued onto it.
    const torn = !endsWithNewline(this.path)
    fs.appendFileSync(this.path, `${torn ? '\n' : ''}${JSON.stringify(full)}\n`, { mode: 0o600 })
    if (++this.appendsSinceCheck >= 200) {
      this.appendsSinceCheck = 0
      try {
        if (fs.statSync(this.path).size > this.limit * 2 * 200) this.needsCompaction()
      } catch {
        /* nothing to compact */
      }
    }
    return full
  }

  /** Newest first. Lines that do not parse (a crash mid-append) are skipped. */
  list(
    opts: { limit?: number; accountId?: string; types?: readonly EventType[] } = {},
  ): VaultEvent[] {
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
      let parsed: unknown
      try {
        parsed = JSON.parse(line)
      } catch {
        continue
      }
      const ev = eventSchema.safeParse(parsed)
      if (!ev.success) continue
      if (opts.accountId && ev.data.accountId !== opts.accountId) continue
      if (opts.types && !opts.types.includes(ev.data.type)) continue
      out.push(ev.data)
    }
    return out
  }

  /**
   * Rewrites the file with the newest `limit` lines once it holds more than twice that many.
   * Callers hold the vault's write lock, so two processes never compact at once. (An append by
   * another process during the rename can be lost: the log is a record, not the ledger.)
   */
  compactIfLarge(): void {
    let text: string
    try {
      text = fs.readFileSync(this.path, 'utf8')
    } catch {
      return
    }
    const lines = text.split('\n').filter((l) => l !== '')
    if (lines.length <= this.limit * 2) return
    const tmp = `${this.path}.${process.pid}.tmp`
    fs.writeFileSync(tmp, `${lines.slice(-this.limit).join('\n')}\n`, { mode: 0o600 })
    fs.renameSync(tmp, this.path)
  }
}
