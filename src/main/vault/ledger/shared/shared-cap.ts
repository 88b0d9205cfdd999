// The token service's two steps in a shared organization: read the cap across machines (before
// the plan), and reserve the login's slot with compare-and-set (before anything is sent).
import { fail, ok, type Failure, type Result } from '../../../../shared/result'
import { countsTowardCap } from '../../../../shared/state'
import type { VaultData } from '../../storage/schema'
import type { Ledger } from '../ledger-handle'
import type { SharedLink, SharedOrg } from './link'
import type { SharedLedger } from './shared-ledger'
import { elsewhereText } from '../../../../shared/ledger-words'
import { reserve, usageOf, type SharedUsage } from './slots'

/** A shared organization's cap as read before a mint. */
export interface SharedCap {
  ledger: SharedLedger
  shared: SharedOrg
  /** The cap across machines, with this machine's counted tokens the document lacks. */
  usage: { max: number; used: number; active: number; uncertain: number }
  across: SharedUsage
  /** Counted local tokens whose slots are not in the document (minted before connecting). */
  unpublished: number
  /**
   * Gives back the slot reserved for `tokenId` (its login was never sent). If that fails, the
   * slot stays uncertain (counted) until this machine's next sync settles it.
   */
  release(tokenId: string): Promise<Result<void>>
}

/** The shared cap of `orgKey` read now; undefined when the organization is not shared. */
export async function sharedCapOf(
  link: SharedLink,
  data: VaultData,
  orgKey: string,
  localNow: number,
): Promise<Result<SharedCap> | undefined> {
  const shared = link.sharedOrgs(data).get(orgKey)
  if (!shared) return undefined
  const l = await link.ledgerFor(data)
  if (!l.ok) return l
  if (!l.value) return undefined
  const ledger = l.value
  const read = await ledger.read(orgKey, shared.max)
  if (!read.ok) return read
  const inDoc = new Set(read.value.doc.slots.map((s) => s.id))
  const unpublished = data.tokens.filter(
    (t) =>
      t.orgKey === orgKey && countsTowardCap(t, localNow) && !inDoc.has(link.slotId(data, t.id)),
  ).length
  const across = usageOf(read.value.doc, ledger.machine.id, read.value.now, shared.max)
  return ok({
    ledger,
    shared,
    across,
    unpublished,
    usage: {
      max: shared.max,
      used: across.used + unpublished,
      active: across.active + unpublished,
      uncertain: across.uncertain,
    },
    release: (tokenId) =>
      link.settle(ledger, orgKey, shared.max, [
        { slotId: link.slotId(data, tokenId), state: 'gone', expiresAt: null },
      ]),
  })
}

/**
 * Reserves the slot of the login `tokenId` is about to be (uncertain until it is settled), checking
 * the cap again in the same compare-and-set; at an evict-oldest cap with `evict`, the oldest live
 * slot is marked evicted in that same change. Answers the local token evicted, if it was this
 * machine's; TOKEN_CAP_REACHED when another machine took the last slot since the cap was read.
 */
export async function reserveSlot(
  ledger: Ledger,
  cap: SharedCap,
  orgKey: string,
  tokenId: string,
  evict: boolean,
): Promise<Result<string | undefined>> {
  const data = ledger.read()
  if (!data.ok) return data
  const link = ledger.shared
  const slotId = link.slotId(data.value, tokenId)
  const { id: machine, name } = cap.ledger.machine
  const r = await cap.ledger.change(orgKey, cap.shared.max, (doc, now) => {
    const res = reserve(doc, {
      machine,
      name,
      unpublished: cap.unpublished,
      slotId,
      max: cap.shared.max,
      now,
      evict,
    })
    if (res.kind === 'full') return fullAcross(cap.shared, res.usage)
    return { doc: res.doc, value: res.kind === 'evicting' ? res.victim : undefined }
  })
  if (!r.ok) return r
  const victim = r.value
  if (!victim || victim.machine !== machine) return ok(undefined)
  const local = data.value.tokens.find((t) => link.slotId(data.value, t.id) === victim.id)
  return ok(local?.id)
}

/** The words of a cap reached across machines: how many here, elsewhere, and whose. */
export function acrossMachines(u: SharedUsage): string {
  const others = u.holders
    .filter((h) => h.machine !== u.self)
    .slice(0, 5)
    .map((h) => `${h.name} ${h.live + h.uncertain}`)
  return `${elsewhereText(u.elsewhere)}${u.elsewhere > 0 && others.length ? ` (by holder: ${others.join(', ')})` : ''}`
}

function fullAcross(shared: SharedOrg, u: SharedUsage): Failure {
  return fail(
    'TOKEN_CAP_REACHED',
    `Organization "${shared.org.organizationId}" has ${u.used} of ${u.max} tokens in use across machines, ${acrossMachines(u)}. Revoke one to mint another.`,
    { details: { used: u.used, max: u.max, elsewhere: u.elsewhere, shared: true } },
  )
}
