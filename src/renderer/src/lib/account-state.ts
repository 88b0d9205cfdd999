// What an account's row says about its token: the state chip and the token the countdown follows.
import { expiryStatus } from '../../../shared/expiry'
import type { AccountView, TokenView } from '../../../shared/views'

export type AccountState = 'active' | 'expiring' | 'expired' | 'none' | 'uncertain'

export const STATE_WORDS: Record<AccountState, string> = {
  active: 'active',
  expiring: 'expiring soon',
  expired: 'expired',
  none: 'no token',
  uncertain: 'uncertain',
}

/** The newest token the vault still holds and has not ended (may have expired since). */
export function liveToken(a: AccountView): TokenView | null {
  return a.current ?? a.tokens.find((t) => t.state === 'active' && t.held) ?? null
}

export function uncertainTokens(a: AccountView): TokenView[] {
  return a.tokens.filter((t) => t.state === 'uncertain')
}

export function accountState(a: AccountView, now: number): AccountState {
  if (a.tokens.some((t) => t.state === 'uncertain')) return 'uncertain'
  const t = liveToken(a)
  if (t) {
    const s = expiryStatus(t.expiresAt, now)
    return s === 'expired' ? 'expired' : s === 'expiring' ? 'expiring' : 'active'
  }
  return a.tokens[0]?.state === 'expired' ? 'expired' : 'none'
}

/** Tokens that count as live now (active and unexpired, held or not). */
export function liveTokens(a: AccountView, now: number): TokenView[] {
  return a.tokens.filter((t) => t.state === 'active' && (t.expiresAt === null || t.expiresAt > now))
}
