// Pure countdown and time-phrase math for token expiry, shared by the renderer, the tray and the
// CLI. Messages made in main for people carry only the relative phrases below ("in 9 m", "3 h
// ago"); exact times travel as epoch ms (a view's fields, a failure's details) and each surface
// formats them its own way (the window with Intl, the CLI in UTC).

/** The longest a token's "expiring" window gets (see expiringWindowMs). */
export const EXPIRING_SOON_MS = 5 * 60 * 1000
/** A token is "expiring" in at most this share of its lifetime (see expiringWindowMs). */
export const EXPIRING_SHARE = 1 / 5

/** What a countdown shows: no expiry, still running, or over. */
export type ExpiryStatus = 'no-expiry' | 'active' | 'expired'

export function expiryStatus(expiresAt: number | null, now: number): ExpiryStatus {
  if (expiresAt === null) return 'no-expiry'
  return expiresAt - now <= 0 ? 'expired' : 'active'
}

/**
 * How long before its expiry a token reads "expiring": the last fifth of its lifetime or the last
 * 5 minutes, whichever is shorter, but never less than the renewal margin (`skewMs`: within it the
 * token is no longer handed out). A 5-minute token is "expiring" in its last minute (with the
 * default 60 s margin), a 15-minute one in its last 3, anything of 25 minutes or more in its last 5.
 */
export function expiringWindowMs(issuedAt: number, expiresAt: number, skewMs = 0): number {
  const lifetime = Math.max(0, expiresAt - issuedAt)
  return Math.max(Math.min(EXPIRING_SOON_MS, lifetime * EXPIRING_SHARE), skewMs)
}

/**
 * Time left in words: "3 d 4 h", "2 h 14 m", "14 m", "45 s" (seconds only in the last minute),
 * "expired" at or below zero.
 */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return 'expired'
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${Math.max(s, 1)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} m`
  const h = Math.floor(m / 60)
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} m`
  const d = Math.floor(h / 24)
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`
}

/** "in 9 m", "now": when something happens, `ms` from the moment the words are made. */
export function formatIn(ms: number): string {
  return ms <= 0 ? 'now' : `in ${formatRemaining(ms)}`
}

/**
 * "3 h ago", "just now": when something happened, `ms` before the words are made ("5 m from now"
 * for a time ahead of this clock, e.g. written by a machine whose clock runs ahead).
 */
export function formatAgo(ms: number): string {
  if (ms <= -1000) return `${formatRemaining(-ms)} from now`
  return ms < 1000 ? 'just now' : `${formatRemaining(ms)} ago`
}

/** "3 h left", "expired", "no expiry": the short form used in lists and the tray. */
export function timeLeftLabel(expiresAt: number | null, now: number): string {
  if (expiresAt === null) return 'no expiry'
  const left = expiresAt - now
  return left <= 0 ? 'expired' : `${formatRemaining(left)} left`
}
