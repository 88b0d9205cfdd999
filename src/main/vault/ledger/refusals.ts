// A refusal cannot fill a cap. When a server answers 401 or 403 to a token (seen by the gateway,
// a helper's `erase`, `tokendeck reject`, the agent), the token becomes suspect, not ended: many
// APIs answer so for a permission or plan problem on one endpoint while the token stays valid,
// and ending it locally while it lives on the server would let a client mint past the cap. Only a
// confirmed refusal ends it (the profile's probe answering 401/403, or the provider's revoke
// answering that it was already invalid); seeing the server accept it again clears it. The token
// service replaces a suspect token (revoking it first where the provider can) at most once per
// refusalMintIntervalSeconds. Each write goes through Vault.mutate with its event.
import { fail, ok, type Result } from '../../../shared/result'
import { REFUSED_NOTE_PREFIX } from '../../../shared/state'
import type { Surface } from '../../../shared/views'
import { derivedState, endToken, tokensOf } from './ledger'
import type { Ledger } from './ledger-handle'

/** What marking a token suspect did. */
export interface SuspectMark {
  label: string
  tokenId: string
  /** It was suspect already (another client saw the same refusal): nothing was written. */
  already: boolean
}

/**
 * The account's server refused its token (`tokenId`, or its newest live held one): the token is
 * marked suspect. It keeps counting toward the cap and its record (and refresh token) stay.
 */
export async function markSuspect(
  ledger: Ledger,
  accountId: string,
  surface: Surface,
  tokenId?: string,
): Promise<Result<SuspectMark>> {
  return ledger.update(
    (draft, now) => {
      const acc = draft.accounts.find((a) => a.id === accountId)
      if (!acc) return fail('NOT_FOUND', 'No such account.')
      const t = tokensOf(draft, acc.id).find(
        (x) =>
          derivedState(x, now) === 'active' &&
          x.secret !== null &&
          (tokenId === undefined || x.id === tokenId),
      )
      if (!t) return fail('NOT_FOUND', `"${acc.label}" has no live token to mark as refused.`)
      const already = t.suspectAt !== undefined && t.suspectAt !== null
      if (!already) t.suspectAt = now
      return ok({ label: acc.label, tokenId: t.id, already })
    },
    (r) =>
      r.already
        ? undefined
        : {
            type: 'refusal',
            accountId,
            label: r.label,
            tokenId: r.tokenId,
            surface,
            message: `The server refused the token of "${r.label}" (reported through ${surface}); it is suspect, still counted toward the cap, until the server confirms or accepts it.`,
          },
  )
}

/**
 * A confirmed refusal (the profile's probe answered 401/403): the token ends as refused
 * ("rejected"), so it no longer counts, and the next request mints or refreshes a new one. Its
 * refresh token stays: the server refused the access token, not the session.
 */
export async function confirmRefused(
  ledger: Ledger,
  accountId: string,
  tokenId: string,
  surface: Surface,
  why: string,
): Promise<Result<{ label: string; tokenId: string }>> {
  return ledger.update(
    (draft, now) => {
      const acc = draft.accounts.find((a) => a.id === accountId)
      const t = draft.tokens.find((x) => x.id === tokenId && x.accountId === accountId)
      if (!acc || !t || derivedState(t, now) !== 'active') {
        return fail('NOT_FOUND', 'That token is not live.')
      }
      const refresh = t.refresh
      endToken(t, 'revoked', now, `${REFUSED_NOTE_PREFIX}: ${why} (reported through ${surface}).`)
      if (refresh) t.refresh = refresh
      return ok({ label: acc.label, tokenId: t.id })
    },
    (r) => ({
      type: 'revoke',
      accountId,
      label: r.label,
      tokenId: r.tokenId,
      surface,
      message: `The server confirmed it refuses the token of "${r.label}" (${why}); the next request gets a new one.`,
    }),
  )
}

/**
 * The server was seen to accept these tokens (a probe, a 2xx through the gateway): suspicion is
 * cleared, and a token minted to replace a refused one counts as working (the account may mint
 * after a later refusal again). Writes only when something changes; returns how many did.
 */
export async function confirmAccepted(
  ledger: Ledger,
  tokenIds: readonly string[],
  surface: Surface,
): Promise<Result<number>> {
  const d = ledger.read()
  if (!d.ok) return d
  const wanted = new Set(tokenIds)
  const needs = (t: { id: string; suspectAt?: number | null; confirmedAt?: number }) =>
    wanted.has(t.id) && ((t.suspectAt ?? null) !== null || t.confirmedAt === undefined)
  // Most requests carry a token that needs nothing: no write at all then.
  if (!d.value.tokens.some((t) => needs(t) && (t.suspectAt != null || t.replaces))) return ok(0)
  const cleared: { accountId: string; label: string; tokenId: string }[] = []
  const r = await ledger.update(
    (draft, now) => {
      for (const t of draft.tokens) {
        if (!needs(t) || derivedState(t, now) !== 'active') continue
        if (t.suspectAt == null && !t.replaces) continue
        const wasSuspect = t.suspectAt != null
        t.suspectAt = null
        t.confirmedAt = now
        if (wasSuspect) {
          const label = draft.accounts.find((a) => a.id === t.accountId)?.label ?? '?'
          cleared.push({ accountId: t.accountId, label, tokenId: t.id })
        }
      }
      return ok(cleared.length)
    },
    () =>
      cleared.map((c) => ({
        type: 'refusal' as const,
        accountId: c.accountId,
        label: c.label,
        tokenId: c.tokenId,
        surface,
        message: `The server accepted the token of "${c.label}" again: no longer suspect (its refusal was about something else, such as a permission).`,
      })),
  )
  return r
}
