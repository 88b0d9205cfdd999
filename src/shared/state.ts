// The one vocabulary of token and account state, and the words every surface shows for it.
//
// Token terms, over any `{ state, expiresAt, held }` (a ledger record or a TokenView):
//   state          the stored state; an `active` token at or past its expiry reads `expired`
//   live           active and unexpired, held or not: the server still accepts it
//   current        live, held, not suspect, and not within the renewal margin (`skewMs`) of its
//                  expiry: the token that is handed out; a live token within the margin is not (a
//                  new one is minted instead)
//   suspect        live, and its server refused it once (a 401/403) without a confirmed refusal:
//                  it still counts toward the cap; the next request replaces it (revoking it
//                  first where the provider can, at most once a minute) or, when no replacement
//                  may be minted yet, gets it again
//   counts toward the cap   live or uncertain (a lost login answer may have minted a token)
//   expiring       live and within its expiring window of expiry: the last fifth of its lifetime
//                  (issuedAt to expiresAt) or the last 5 minutes, whichever is shorter, but never
//                  less than the renewal margin (expiringWindowMs in expiry.ts). A 5-minute token
//                  is not "expiring" at birth: with the default 60 s margin it is in its last
//                  minute; a 15-minute token in its last 3 minutes; 25 minutes or more, the last 5
//   ended          revoked, forgotten, evicted (the server ended it at an evict-oldest cap) or
//                  expired: never handed out again
//
// An account's summary is what the window's chip, the tray item and the CLI's status and list rows
// say about it, from one function (accountSummary) and one words table (ACCOUNT_STATE_WORDS):
//   the account has                                  word        time left     notes
//   a current token                                  active      3 h left /    "N uncertain" if
//                                                                 no expiry     it also has some
//   a live token within its expiring window          expiring    4 m left      (same)
//     (above: the shorter of 5 min and a fifth of its lifetime, at least the renewal margin)
//   a live token its server refused once, no other   suspect     3 h left /    (same)
//     current one (not yet confirmed either way)                  no expiry
//   no live token, one or more uncertain tokens      uncertain   —             —
//   no live token, its newest token expired          expired     —             —
//   no live token, its newest token was refused      rejected    —             —
//     by its server, confirmed (a probe's 401/403, a revoke answering it was already invalid)
//   no token, or only revoked / forgotten ones       no token    —             —
//   no live token, and logins are refused locally    cooldown    —             "next login in
//     (a server's 429 cooldown or the login rate limit; this wins over the four rows above)        4 m"
// "next login in 4 m" is added to the notes of any account whose logins are refused locally
// (`loginCooldownUntil` in the future), live token or not.
// "needs secret" is added to the notes when the account does not remember its secret and has no
// current token that is not expiring (getting a header will ask for the secret).
import { didYouMean } from './did-you-mean'
import { sameLabel } from './labels'
import { expiringWindowMs, formatRemaining, timeLeftLabel } from './expiry'
import type { AccountView, CapUsage, TokenState, TokenView } from './views'
import { plural } from './words'

/** The least a token must say about itself for the definitions below. */
export interface TokenFacts {
  state: TokenState
  expiresAt: number | null
  /** The vault still holds the token itself. */
  held: boolean
  /** Its server refused it once, not confirmed either way (see "suspect" above). */
  suspect?: boolean
}

type Dated = Pick<TokenFacts, 'state' | 'expiresAt'>

/** The stored state, with `expired` derived from the clock. */
export function tokenState(t: Dated, now: number): TokenState {
  if (t.state === 'active' && t.expiresAt !== null && t.expiresAt <= now) return 'expired'
  return t.state
}

/** Active and unexpired, held or not. */
export function isLive(t: Dated, now: number): boolean {
  return tokenState(t, now) === 'active'
}

/** Can be handed out: live, held, not suspect, and not within `skewMs` of its expiry. */
export function isCurrent(t: TokenFacts, now: number, skewMs: number): boolean {
  return (
    isLive(t, now) &&
    t.held &&
    t.suspect !== true &&
    (t.expiresAt === null || t.expiresAt - skewMs > now)
  )
}

/** Live, held, and refused once by its server without a confirmed refusal. */
export function isSuspect(t: TokenFacts, now: number): boolean {
  return isLive(t, now) && t.held && t.suspect === true
}

/** Occupies a slot of the provider's cap: live or uncertain. */
export function countsTowardCap(t: Dated, now: number): boolean {
  const s = tokenState(t, now)
  return s === 'active' || s === 'uncertain'
}

/**
 * Live, with its expiry within its expiring window: the shorter of 5 minutes and a fifth of its
 * lifetime, but at least the renewal margin `skewMs` (expiringWindowMs).
 */
export function isExpiring(t: Dated & { issuedAt: number }, now: number, skewMs = 0): boolean {
  if (!isLive(t, now) || t.expiresAt === null) return false
  return t.expiresAt - now <= expiringWindowMs(t.issuedAt, t.expiresAt, skewMs)
}

export const TOKEN_STATE_WORDS: Record<TokenState, string> = {
  active: 'active',
  expired: 'expired',
  revoked: 'revoked',
  uncertain: 'uncertain',
  forgotten: 'forgotten',
  evicted: 'evicted',
}

export type AccountState =
  'active' | 'expiring' | 'suspect' | 'expired' | 'uncertain' | 'rejected' | 'cooldown' | 'none'

/** The start of the note of a token its server confirmed it refuses (refusals.ts, revocation.ts). */
export const REFUSED_NOTE_PREFIX = 'Refused by its server'

/** A token its server refused: revoked through the one rejection path. */
export function isRefused(t: { state: TokenState; note: string | null }): boolean {
  return t.state === 'revoked' && t.note !== null && t.note.startsWith(REFUSED_NOTE_PREFIX)
}

/**
 * The word for one token: its state's, "rejected" for a token its server refused (confirmed), or
 * "suspect" for a live one its server refused once (not confirmed).
 */
export function tokenWord(t: {
  state: TokenState
  note: string | null
  suspect?: boolean
}): string {
  if (t.state === 'active' && t.suspect === true) return 'suspect'
  return isRefused(t) ? 'rejected' : TOKEN_STATE_WORDS[t.state]
}

/** "next login in 4 m" while logins are refused locally; null otherwise. */
export function loginCooldownNote(until: number | null | undefined, now: number): string | null {
  return until != null && until > now ? `next login in ${formatRemaining(until - now)}` : null
}

export const ACCOUNT_STATE_WORDS: Record<AccountState, string> = {
  active: 'active',
  expiring: 'expiring',
  suspect: 'suspect',
  expired: 'expired',
  uncertain: 'uncertain',
  rejected: 'rejected',
  cooldown: 'cooldown',
  none: 'no token',
}

export const NEEDS_SECRET_NOTE = 'needs secret'

export interface AccountSummary {
  state: AccountState
  /** ACCOUNT_STATE_WORDS[state] */
  word: string
  /** The token a countdown follows: the current one, else the newest held one that was live. */
  token: TokenView | null
  /** "3 h left" or "no expiry" while that token is live; null otherwise. */
  timeLeft: string | null
  /** Uncertain tokens of the account. */
  uncertain: number
  /** "1 uncertain" when the account also has a live token to show; null otherwise. */
  uncertainNote: string | null
  needsSecret: boolean
  /** Secondary notes, in order: the uncertain note, "needs secret", "next login in 4 m". */
  notes: string[]
  /** Everything in one line: "active, 3 h left, 1 uncertain". */
  text: string
}

/** The token an account's countdown follows (it may have expired since the view was made). */
export function shownToken(a: AccountView): TokenView | null {
  return a.current ?? a.tokens.find((t) => t.state === 'active' && t.held) ?? null
}

/**
 * What every surface says about an account at `now`. `skewMs` (the renewal margin) is the least
 * "expiring" window (isExpiring); a live token the view did not pick as current was already within
 * the margin when the view was made, so it reads "expiring" regardless.
 */
export function accountSummary(a: AccountView, now: number, skewMs = 0): AccountSummary {
  const token = shownToken(a)
  const uncertain = a.tokens.filter((t) => t.state === 'uncertain').length
  let state: AccountState
  if (token && isLive(token, now)) {
    const withinMargin = token !== a.current
    state =
      token.suspect === true
        ? 'suspect'
        : withinMargin || isExpiring(token, now, skewMs)
          ? 'expiring'
          : 'active'
  } else if (uncertain > 0) state = 'uncertain'
  else if (a.tokens[0] && isRefused(a.tokens[0])) state = 'rejected'
  else if (token || a.tokens[0]?.state === 'expired') state = 'expired'
  else state = 'none'
  const live = state === 'active' || state === 'expiring' || state === 'suspect'
  const cooldownNote = loginCooldownNote(a.loginCooldownUntil, now)
  if (cooldownNote && !live) state = 'cooldown'
  const uncertainNote =
    (live || state === 'cooldown') && uncertain > 0 ? `${uncertain} uncertain` : null
  const needsSecret = !a.remember && state !== 'active'
  const notes = [uncertainNote, needsSecret ? NEEDS_SECRET_NOTE : null, cooldownNote].filter(
    (n): n is string => n !== null,
  )
  const timeLeft = live && token ? timeLeftLabel(token.expiresAt, now) : null
  const word = ACCOUNT_STATE_WORDS[state]
  return {
    state,
    word,
    token,
    timeLeft,
    uncertain,
    uncertainNote,
    needsSecret,
    notes,
    text: [word, timeLeft, ...notes].filter(Boolean).join(', '),
  }
}

/** The organization has no slot left. */
export function capReached(cap: CapUsage): boolean {
  return cap.used >= cap.max
}

/** "12/20 tokens", "20/20 tokens, 1 uncertain, cap reached". */
export function capUsageText(cap: CapUsage): string {
  const parts = [`${cap.used}/${plural(cap.max, 'token')}`]
  if (cap.uncertain > 0) parts.push(`${cap.uncertain} uncertain`)
  if (capReached(cap)) parts.push('cap reached')
  return parts.join(', ')
}

/**
 * An account by id, or by label ignoring case (the id wins): how every surface names an account.
 * Its failure is worded by noAccount.
 */
export function findAccount<A extends { id: string; label: string }>(
  accounts: readonly A[],
  idOrLabel: string,
): A | undefined {
  return (
    accounts.find((a) => a.id === idOrLabel) ?? accounts.find((a) => sameLabel(a.label, idOrLabel))
  )
}

/**
 * What is said when no account has that id or label; given the vault's `accounts`, it names the
 * closest label when the one asked for reads as a typo of it ("Did you mean "acme-prod"?").
 */
export function noAccount(idOrLabel: string, accounts?: readonly { label: string }[]): string {
  const hint = accounts
    ? didYouMean(
        idOrLabel,
        accounts.map((a) => a.label),
      )
    : ''
  return `No account "${idOrLabel.slice(0, 80)}".${hint}`
}

// ---------- renewal: "expires soon and cannot renew" (src/main/renewal.ts, tray, CLI status) ----------

/** The short note every surface adds for an account that expires soon and cannot renew. */
export const CANNOT_RENEW_NOTE = 'expires soon, cannot renew'

/**
 * The token of an account that expires within `warnMs` and cannot be renewed unattended (the
 * account does not remember its secret, so neither keep-ready nor a header request can log it in
 * again without the person); null when that is not the case. Defined once: the renewal warning
 * (notification), the tray line and `tokendeck status` all ask this.
 */
export function expiresSoonCannotRenew(
  a: AccountView,
  now: number,
  warnMs: number,
): TokenView | null {
  if (a.remember) return null
  const t = shownToken(a)
  if (!t || t.expiresAt === null || !isLive(t, now)) return null
  return t.expiresAt - now <= warnMs ? t : null
}

/** "acme: token expires in 12 m and cannot renew unattended (secret not remembered)." */
export function cannotRenewText(a: AccountView, t: TokenView, now: number): string {
  const left = formatRemaining(Math.max(0, (t.expiresAt ?? now) - now))
  return `${a.label}: token expires in ${left} and cannot renew unattended (secret not remembered)`
}

/** Every account that expires soon and cannot renew, with the words for it. */
export function cannotRenewWarnings(
  accounts: readonly AccountView[],
  now: number,
  warnMs: number,
): { account: AccountView; token: TokenView; text: string }[] {
  const out: { account: AccountView; token: TokenView; text: string }[] = []
  for (const a of accounts) {
    const t = expiresSoonCannotRenew(a, now, warnMs)
    if (t) out.push({ account: a, token: t, text: cannotRenewText(a, t, now) })
  }
  return out
}
