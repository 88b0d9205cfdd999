// The decision a header or login request makes under the organization's lock, as a pure
// function: reuse the current token, refuse at the cap (or, at an evict-oldest cap, ask first and
// then mint), or mint and say what becomes of the token it replaces. The token service carries the plan out; tests read it as a table.

/** What to do with a request for a token. */
export type MintPlan =
  /** A usable token exists and no new one was asked for. */
  | { kind: 'reuse' }
  /** The organization is at its cap and nothing this request may revoke would free a slot. */
  | { kind: 'refuse' }
  /** At the cap: revoke the replaced token on the server first, then mint into its slot. */
  | { kind: 'revoke-first' }
  /** Mint, then revoke the replaced token ("log in again" on a provider that revokes). */
  | { kind: 'revoke-after' }
  /** Mint and leave any older token alone (no token to replace, or no revoke-on-replace). */
  | { kind: 'keep' }
  /**
   * At an evict-oldest cap, unconfirmed: minting would make the server end the organization's
   * oldest live token, so ask first (EVICTION_NEEDS_CONFIRMATION) and send nothing.
   */
  | { kind: 'confirm-evict' }
  /** At an evict-oldest cap, confirmed: mint; the server ends the oldest token, marked evicted. */
  | { kind: 'evict' }

export interface MintPlanInput {
  /** The account has a usable (current) token. */
  hasCurrent: boolean
  /** A new token was asked for even though one is usable ("log in again"). */
  force: boolean
  /** Settings say a replaced token is revoked (default: on for providers with a cap). */
  revokeOnReplace: boolean
  /** The provider has a revoke endpoint. */
  canRevoke: boolean
  /** Cap usage of the account's organization, or null for providers without a cap. */
  cap: { used: number; max: number } | null
  /** The provider's answer to a login beyond the cap (profile `cap.onExceed`; default refuse). */
  onExceed?: 'refuse' | 'evictOldest'
  /** The caller confirmed that the oldest token may be evicted. */
  confirmEviction?: boolean
}

export function planMint(i: MintPlanInput): MintPlan {
  if (i.hasCurrent && !i.force) return { kind: 'reuse' }
  const replaces = i.hasCurrent && i.revokeOnReplace && i.canRevoke
  const atCap = i.cap !== null && i.cap.used >= i.cap.max
  if (atCap && replaces) return { kind: 'revoke-first' }
  if (atCap && i.onExceed === 'evictOldest') {
    return i.confirmEviction === true ? { kind: 'evict' } : { kind: 'confirm-evict' }
  }
  if (atCap) return { kind: 'refuse' }
  return replaces ? { kind: 'revoke-after' } : { kind: 'keep' }
}
