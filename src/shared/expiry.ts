// Pure countdown and status math for token expiry, shared by the renderer, the tray and the CLI.

export type ExpiryStatus = 'no-expiry' | 'active' | 'expiring' | 'expired'

/** Within this much of its expiry a token counts as "expiring soon". */
export const EXPIRING_SOON_MS = 5 * 60 * 1000

export function expiryStatus(
  expiresAt: number | null,
  now: number,
  soonMs = EXPIRING_SOON_MS,
): ExpiryStatus {
  if (expiresAt === null) return 'no-expiry'
  const left = expiresAt - now
  if (left <= 0) return 'expired'
  return left <= soonMs ? 'expiring' : 'active'
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

/** "3 h left", "expired", "no expiry": the short form used in lists and the tray. */
export function timeLeftLabel(expiresAt: number | null, now: number): string {
  if (expiresAt === null) return 'no expiry'
  const left = expiresAt - now
  return left <= 0 ? 'expired' : `${formatRemaining(left)} left`
}
