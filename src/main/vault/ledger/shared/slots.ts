// The shared ledger's document for one organization and the pure rules over it: which slots count
// toward the cap (by the database's clock), who holds them, reserving a slot (and, at an
// evict-oldest cap, choosing the slot the server will end) and settling this machine's slots.
// No token, password or secret is in a document, nor a hash of one: a slot is a random-looking id
// that only the vault holding the token can link to it (slotIdOf).
import { createHmac } from 'node:crypto'
import * as z from 'zod/mini'

/** A slot: one token (or one login in flight) of one machine, counted toward the cap. */
export interface Slot {
  /** slotIdOf(the vault's slot key, the local token id): no other vault can link the two. */
  id: string
  /** The holder's machine id (random per vault). */
  machine: string
  /**
   * live: a token the holder holds, until `expiresAt`. uncertain: a login in flight, or one
   * whose answer was lost (the server may hold a token): counts until the holder settles it.
   * evicted: ended by the server at an evict-oldest cap (the reserving machine decided it in the
   * same compare-and-set); no longer counts, and the holder marks its token evicted.
   */
  state: 'live' | 'uncertain' | 'evicted'
  /** When the slot was reserved or published (the database's clock, epoch ms). */
  at: number
  expiresAt: number | null
  /** Another machine asked the holder to revoke this token (its name and when). */
  revokeRequested?: { by: string; at: number }
}

/** One organization's document: its cap as last seen by a writer, slots, and holder names. */
export interface OrgDoc {
  cap: number
  slots: Slot[]
  /** machine id -> display name (the host name by default). */
  machines: Record<string, string>
}

/** Bounds of a document read from the database: anyone with write access could have written it. */
export const MAX_SLOTS = 2000
const name = z.string().check(z.minLength(1), z.maxLength(100))
const slotSchema = z.strictObject({
  id: z.string().check(z.regex(/^[0-9a-f]{32}$/)),
  machine: z.string().check(z.regex(/^[0-9a-f-]{36}$/)),
  state: z.enum(['live', 'uncertain', 'evicted']),
  at: z.number(),
  expiresAt: z.nullable(z.number()),
  revokeRequested: z.optional(z.strictObject({ by: name, at: z.number() })),
})
export const orgDocSchema = z.strictObject({
  cap: z.number().check(z.int(), z.minimum(0), z.maximum(1_000_000)),
  slots: z.array(slotSchema).check(z.maxLength(MAX_SLOTS)),
  machines: z.record(z.string().check(z.maxLength(36)), name),
})

export const emptyDoc = (cap: number): OrgDoc => ({ cap, slots: [], machines: {} })

/** The slot id of a local token: HMAC-SHA256 under the vault's slot key, 128 bits in hex. */
export function slotIdOf(slotKey: Buffer, tokenId: string): string {
  return createHmac('sha256', slotKey)
    .update(`tokendeck-slot/${tokenId}`)
    .digest('hex')
    .slice(0, 32)
}

/** Occupies a slot of the cap now (`now`: the database's clock). */
export function slotCounts(s: Slot, now: number): boolean {
  if (s.state === 'uncertain') return true
  return s.state === 'live' && (s.expiresAt === null || s.expiresAt > now)
}

/** The holders of an organization's counted slots, by machine. */
export interface Holder {
  machine: string
  name: string
  live: number
  uncertain: number
}

/** An organization's usage across every machine (what `ledger status` and the window show). */
export interface SharedUsage {
  max: number
  used: number
  active: number
  uncertain: number
  /** Counted slots held by this machine and by others. */
  here: number
  elsewhere: number
  holders: Holder[]
  /** This machine's id (its holder entry is the one with this id). */
  self: string
}

export function usageOf(doc: OrgDoc, machine: string, now: number, max = doc.cap): SharedUsage {
  const byMachine = new Map<string, Holder>()
  let active = 0
  let uncertain = 0
  let here = 0
  for (const s of doc.slots) {
    if (!slotCounts(s, now)) continue
    const h = byMachine.get(s.machine) ?? {
      machine: s.machine,
      name: doc.machines[s.machine] ?? 'unknown machine',
      live: 0,
      uncertain: 0,
    }
    byMachine.set(s.machine, h)
    if (s.state === 'uncertain') {
      uncertain++
      h.uncertain++
    } else {
      active++
      h.live++
    }
    if (s.machine === machine) here++
  }
  const used = active + uncertain
  return {
    max,
    used,
    active,
    uncertain,
    here,
    elsewhere: used - here,
    holders: [...byMachine.values()].sort((a, b) => b.live + b.uncertain - (a.live + a.uncertain)),
    self: machine,
  }
}

/** The machine reserving, with the counted local tokens the document does not have yet. */
export interface Reserver {
  machine: string
  name: string
  /** Counted local tokens of this organization whose slots are missing from the document. */
  unpublished: number
}

export type Reservation =
  | { kind: 'reserved'; doc: OrgDoc }
  /** At an evict-oldest cap: reserved, and `victim` (the oldest live slot) marked evicted. */
  | { kind: 'evicting'; doc: OrgDoc; victim: Slot }
  | { kind: 'full'; usage: SharedUsage }

/**
 * Reserves `slotId` (uncertain: the login is about to be sent) if the organization is under its
 * cap; at the cap, with `evict`, marks the oldest live slot evicted in the same change.
 */
export function reserve(
  doc: OrgDoc,
  o: Reserver & { slotId: string; max: number; now: number; evict: boolean },
): Reservation {
  const usage = usageOf(doc, o.machine, o.now, o.max)
  const next: OrgDoc = {
    cap: o.max,
    slots: doc.slots.filter((s) => s.id !== o.slotId),
    machines: { ...doc.machines, [o.machine]: o.name },
  }
  const slot: Slot = {
    id: o.slotId,
    machine: o.machine,
    state: 'uncertain',
    at: o.now,
    expiresAt: null,
  }
  if (usage.used + o.unpublished < o.max) {
    next.slots.push(slot)
    return { kind: 'reserved', doc: pruned(next, o.now) }
  }
  if (!o.evict) return { kind: 'full', usage: { ...usage, used: usage.used + o.unpublished } }
  const victim = next.slots
    .filter((s) => s.state === 'live' && slotCounts(s, o.now))
    .sort((a, b) => a.at - b.at)[0]
  if (!victim) return { kind: 'full', usage }
  next.slots = next.slots.map((s) => (s.id === victim.id ? { ...s, state: 'evicted' } : s))
  next.slots.push(slot)
  return { kind: 'evicting', doc: pruned(next, o.now), victim }
}

/** What this machine's local record of a slot says now: counted (live, uncertain) or gone. */
export interface SlotChange {
  slotId: string
  state: 'live' | 'uncertain' | 'gone'
  expiresAt: number | null
}

/**
 * This machine's slots set to what its vault says. A slot another machine marked evicted stays
 * evicted (the holder marks its token, then it is gone); slots of other machines are untouched.
 * Returns null when nothing changes (no write needed).
 */
export function settle(
  doc: OrgDoc,
  o: { machine: string; name: string; changes: readonly SlotChange[]; now: number },
): OrgDoc | null {
  let changed = doc.machines[o.machine] !== o.name
  let slots = doc.slots
  for (const c of o.changes) {
    const i = slots.findIndex((s) => s.id === c.slotId)
    const cur = i >= 0 ? slots[i] : undefined
    if (cur && cur.machine !== o.machine) continue
    if (c.state === 'gone') {
      if (!cur) continue
      slots = slots.filter((s) => s.id !== c.slotId)
      changed = true
      continue
    }
    if (cur?.state === 'evicted') continue
    if (cur && cur.state === c.state && cur.expiresAt === c.expiresAt) continue
    const next: Slot = {
      id: c.slotId,
      machine: o.machine,
      state: c.state,
      at: cur?.at ?? o.now,
      expiresAt: c.expiresAt,
      ...(cur?.revokeRequested ? { revokeRequested: cur.revokeRequested } : {}),
    }
    slots = cur ? slots.map((s) => (s.id === c.slotId ? next : s)) : [...slots, next]
    changed = true
  }
  if (!changed) return null
  return pruned({ ...doc, slots, machines: { ...doc.machines, [o.machine]: o.name } }, o.now)
}

/** Asks the holder of `slotId` to revoke it; null if there is no such counted slot. */
export function requestRevoke(
  doc: OrgDoc,
  o: { slotId: string; by: string; now: number },
): OrgDoc | null {
  const cur = doc.slots.find((s) => s.id === o.slotId)
  if (!cur || cur.state !== 'live') return null
  return {
    ...doc,
    slots: doc.slots.map((s) =>
      s.id === o.slotId ? { ...s, revokeRequested: { by: o.by, at: o.now } } : s,
    ),
  }
}

/**
 * Housekeeping in every write: a live slot expired more than a day ago is dropped (its token is
 * useless everywhere), and so is an evicted one a day old (the server ended it). Uncertain slots are never dropped here: no slot is freed silently.
 */
function pruned(doc: OrgDoc, now: number): OrgDoc {
  const day = 24 * 3600_000
  const slots = doc.slots.filter(
    (s) =>
      !(s.state === 'live' && s.expiresAt !== null && s.expiresAt < now - day) &&
      !(s.state === 'evicted' && s.at < now - day),
  )
  const holders = new Set(slots.map((s) => s.machine))
  const machines = Object.fromEntries(Object.entries(doc.machines).filter(([m]) => holders.has(m)))
  return { ...doc, slots, machines }
}
