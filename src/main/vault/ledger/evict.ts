// Evict-oldest caps (profile `cap.onExceed: "evictOldest"`): which token the server will end when
// a login goes past the cap, the failure that names it before anything is sent, and marking it
// `evicted` once the login minted (it then no longer counts toward the cap).
import { formatAgo } from '../../../shared/expiry'
import { fail, ok, type Failure, type Result } from '../../../shared/result'
import type { ProviderProfile } from '../../../shared/providers/profile'
import type { Surface } from '../../../shared/views'
import { countsUnder, derivedState, endToken, type Organization } from './ledger'
import type { TokenRecord, VaultData } from '../storage/schema'
import type { Ledger } from './ledger-handle'

/** The token the server ends next: the organization's oldest live one (held or not). */
export function evictionVictim(
  data: VaultData,
  org: Organization,
  profile: ProviderProfile,
  now: number,
): TokenRecord | undefined {
  const keyOfToken = countsUnder(data, profile)
  return data.tokens
    .filter((t) => keyOfToken(t) === org.key && derivedState(t, now) === 'active')
    .sort((a, b) => a.issuedAt - b.issuedAt)[0]
}

/**
 * EVICTION_NEEDS_CONFIRMATION: which account's token a login for `label` would evict. The words
 * say how long ago it was issued; `details.evictedIssuedAt` holds the exact time for each surface.
 */
export function evictionNeedsConfirmation(
  data: VaultData,
  label: string,
  victim: TokenRecord | undefined,
  usage: { used: number; max: number },
  now: number,
): Failure {
  const owner = victim ? data.accounts.find((a) => a.id === victim.accountId) : undefined
  const whose = owner?.label ?? 'an account not in this vault'
  const what = victim
    ? `the token of "${whose}" (issued ${formatAgo(now - victim.issuedAt)})`
    : 'the oldest token on the server (not one this vault holds)'
  return fail(
    'EVICTION_NEEDS_CONFIRMATION',
    `${usage.used} of ${usage.max} tokens are in use: a new token for "${label}" makes the server end its oldest one, ${what}. Confirm to go ahead.`,
    {
      details: {
        used: usage.used,
        max: usage.max,
        evictedAccount: victim ? whose : null,
        evictedAccountId: owner?.id ?? null,
        evictedTokenId: victim?.id ?? null,
        evictedIssuedAt: victim?.issuedAt ?? null,
      },
    },
  )
}

/**
 * After a login past an evict-oldest cap: the server ended `tokenId`, so it ends here too, as
 * `evicted` (its secret dropped, no longer counted toward the cap), with an event naming who
 * caused it. A token that ended meanwhile is left as it is.
 */
export async function markEvicted(
  ledger: Ledger,
  tokenId: string,
  by: { label: string; surface: Surface },
): Promise<Result<{ label: string; tokenId: string } | null>> {
  return ledger
    .update(
      (draft, now) => {
        const t = draft.tokens.find((x) => x.id === tokenId)
        if (!t || derivedState(t, now) !== 'active') return ok(null)
        const owner = draft.accounts.find((a) => a.id === t.accountId)
        endToken(
          t,
          'evicted',
          now,
          `Evicted by the server: a new token for "${by.label}" went past the cap, and the provider ends the oldest token.`,
        )
        return ok({ label: owner?.label ?? '?', tokenId: t.id, accountId: t.accountId })
      },
      (r) =>
        r
          ? {
              type: 'revoke',
              accountId: r.accountId,
              label: r.label,
              tokenId: r.tokenId,
              surface: by.surface,
              message: `The token of "${r.label}" was evicted by its server: a new token for "${by.label}" went past the cap.`,
            }
          : undefined,
    )
    .then((r) =>
      r.ok ? ok(r.value ? { label: r.value.label, tokenId: r.value.tokenId } : null) : r,
    )
}
