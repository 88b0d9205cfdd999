// The event log's line format. Each line is sealed with the vault's key (AES-256-GCM) and names
// its bucket in clear text, so compaction can sort lines without decrypting them. A line holds
// one entry, or (a batch appended at once, such as the gateway's request records) several
// entries of one bucket, sealed together as one JSON array with their count in clear: one
// cipher call per batch instead of one per request. The bucket and the count are part of the
// associated data, so a line moved to another bucket, or given another count, does not open.
import { eventSchema, type EventType, type VaultEvent } from '../../../shared/views'
import { encRecordSchema, openString, seal } from './crypto'

/**
 * Compaction keeps the newest `limit` entries of each bucket, so the entries a client can cause
 * by the thousand (gateway request records, agent requests, the reuse each `header` writes)
 * never push a mint, a revoke or a protection change out of the log.
 */
export const EVENT_BUCKETS = ['other', 'gateway', 'agent', 'reuse'] as const
export type EventBucket = (typeof EVENT_BUCKETS)[number]

/** The most entries one line holds. */
export const MAX_ENTRIES_PER_LINE = 1000

export function bucketOf(type: EventType): EventBucket {
  return type === 'gateway' || type === 'agent' || type === 'reuse' ? type : 'other'
}

/**
 * Seals entries into one line and opens it again. `count` is given for a line of several
 * entries (the JSON is their array) and is absent for a line of one.
 */
export interface EventCipher {
  seal(json: string, bucket: EventBucket, count?: number): string
  /** The line's JSON; null when it does not authenticate (under its bucket and count). */
  open(line: string): string | null
}

/** A line's clear-text bucket: null for an older line without one, undefined for no line at all. */
export function lineBucket(line: string): EventBucket | null | undefined {
  const raw = safeJson(line)
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined
  return bucketNamed((raw as { b?: unknown }).b)
}

/** The bucket a line's `b` names: null when it names none (an older line), undefined if unknown. */
function bucketNamed(b: unknown): EventBucket | null | undefined {
  if (b === undefined) return null
  return (EVENT_BUCKETS as readonly unknown[]).includes(b) ? (b as EventBucket) : undefined
}

const SHAPE = /^\{"b":"([a-z]+)"(?:,"n":(\d{1,4}))?,"v":/

/**
 * The bucket and entry count of a line as this log seals it, read from its first bytes without
 * parsing it (compaction reads tens of thousands); otherwise from lineBucket (count 1), so an
 * older line, or one that does not parse, is sorted as before.
 */
export function lineShape(line: string): { bucket: EventBucket | null | undefined; count: number } {
  const m = SHAPE.exec(line)
  if (m && line.endsWith('}') && (EVENT_BUCKETS as readonly string[]).includes(m[1]!)) {
    const count = m[2] === undefined ? 1 : Number(m[2])
    if (count >= 1) return { bucket: m[1] as EventBucket, count }
  }
  return { bucket: lineBucket(line), count: 1 }
}

/** The vault's event cipher: AES-256-GCM under the data key, bound to the vault, log and bucket. */
export function sealedEventCipher(key: Buffer, vaultId: string): EventCipher {
  const aad = (b: EventBucket | null, n: number | undefined) =>
    b === null
      ? `tokendeck/${vaultId}/event-log`
      : n === undefined
        ? `tokendeck/${vaultId}/event-log/${b}`
        : `tokendeck/${vaultId}/event-log/${b}/${n}`
  return {
    seal: (json, bucket, n) =>
      JSON.stringify(
        n === undefined
          ? { b: bucket, ...seal(key, json, aad(bucket, n)) }
          : { b: bucket, n, ...seal(key, json, aad(bucket, n)) },
      ),
    open: (line) => {
      const raw = safeJson(line)
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null
      const { b, n, ...rest } = raw as Record<string, unknown>
      const bucket = bucketNamed(b)
      if (bucket === undefined) return null
      if (n !== undefined && (bucket === null || !isCount(n))) return null
      const rec = encRecordSchema.safeParse(rest)
      return rec.success ? openString(key, rec.data, aad(bucket, n as number | undefined)) : null
    },
  }
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 2 && n <= MAX_ENTRIES_PER_LINE
}

/** One line for entries of one bucket: a single-entry line for one, a batch line for more. */
export function sealEntries(cipher: EventCipher, entries: readonly VaultEvent[]): string {
  const bucket = bucketOf(entries[0]!.type)
  return entries.length === 1
    ? cipher.seal(JSON.stringify(entries[0]), bucket)
    : cipher.seal(JSON.stringify(entries), bucket, entries.length)
}

/**
 * The entries a line holds, oldest first, when it opens, every one is an entry, and each sits in
 * the line's bucket (a batch line: exactly as many as it says); null otherwise.
 */
export function openEntries(cipher: EventCipher, line: string): VaultEvent[] | null {
  const json = cipher.open(line)
  if (json === null) return null
  const raw = safeJson(json)
  const { bucket, count } = lineShape(line)
  const items = Array.isArray(raw) ? raw : [raw]
  if (Array.isArray(raw) !== count > 1 || items.length !== count) return null
  const out: VaultEvent[] = []
  for (const item of items) {
    const ev = eventSchema.safeParse(item)
    if (!ev.success || (bucket !== null && bucket !== bucketOf(ev.data.type))) return null
    out.push(ev.data)
  }
  return out
}

/** Splits events into runs of one bucket (in order), each at most MAX_ENTRIES_PER_LINE long. */
export function runsOfOneBucket<T extends { type: EventType }>(events: readonly T[]): T[][] {
  const runs: T[][] = []
  for (const e of events) {
    const last = runs.at(-1)
    if (
      last &&
      last.length < MAX_ENTRIES_PER_LINE &&
      bucketOf(last[0]!.type) === bucketOf(e.type)
    ) {
      last.push(e)
    } else {
      runs.push([e])
    }
  }
  return runs
}

/** A line of a format 1 log: the entry as plain JSON. */
export function plainEntry(line: string): VaultEvent | null {
  const ev = eventSchema.safeParse(safeJson(line))
  return ev.success ? ev.data : null
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
