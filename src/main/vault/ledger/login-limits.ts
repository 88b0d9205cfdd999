// Login rate limits per login endpoint (normalised base URL + login path, so every account of a
// provider at one server shares them): a server's 429 puts the endpoint in a cooldown until its
// Retry-After, and a profile's `loginRateLimit` caps the logins sent in any window. Both are kept
// in the vault (every process sees them) and checked in the same write as a login's pending
// record, so two processes cannot both take the last slot. Reuse of a token is never limited.
import { fail, ok, type Failure, type Result } from '../../../shared/result'
import { formatIn, formatRemaining } from '../../../shared/expiry'
import { joinUrl, normalizeBaseUrl } from '../../../shared/url-policy'
import type { ProviderProfile } from '../../../shared/providers/profile'
import { endpointUrl } from '../../../shared/providers/oauth-login'
import type { AccountRecord, LoginLimitRecord, VaultData } from '../storage/schema'
import type { LedgerWrites } from './ledger-writes'

/** The cooldown after a 429 that names no (readable) Retry-After. */
export const DEFAULT_RETRY_AFTER_SECONDS = 60
/** The longest cooldown a server can ask for; a longer Retry-After is cut to this. */
export const MAX_RETRY_AFTER_SECONDS = 24 * 3600

/**
 * When the server allows the next login, from a Retry-After value: delta seconds ("120") or an
 * HTTP date ("Wed, 21 Oct 2026 07:28:00 GMT"). Absent or unreadable: the default; bounded to
 * between 1 s and MAX_RETRY_AFTER_SECONDS from `now`.
 */
export function retryAt(raw: string | undefined, now: number): number {
  const text = raw?.trim() ?? ''
  let waitMs = DEFAULT_RETRY_AFTER_SECONDS * 1000
  if (/^\d{1,12}$/.test(text)) waitMs = Number(text) * 1000
  else if (text !== '' && /[A-Za-z]/.test(text)) {
    const at = Date.parse(text)
    if (Number.isFinite(at)) waitMs = at - now
  }
  return now + Math.min(Math.max(waitMs, 1000), MAX_RETRY_AFTER_SECONDS * 1000)
}

/** The login endpoint an account's logins go to. */
export function loginEndpoint(
  profile: Pick<ProviderProfile, 'baseUrl' | 'login'>,
  acc: Pick<AccountRecord, 'baseUrl'>,
): Result<string> {
  const base = normalizeBaseUrl(acc.baseUrl || profile.baseUrl)
  if (!base.ok) return base
  const login = profile.login
  // An OAuth login's tokens come from its token endpoint: the one its limits are counted at.
  return ok(
    login.kind === 'request'
      ? joinUrl(base.value, login.path)
      : endpointUrl(base.value, login.tokenUrl),
  )
}

/** Why logins to an endpoint are refused here, and until when. */
export interface LoginBlock {
  until: number
  /** cooldown: the server answered 429; limit: the profile's loginRateLimit is used up. */
  reason: 'cooldown' | 'limit'
}

function recordOf(data: Pick<VaultData, 'loginLimits'>, endpoint: string) {
  return data.loginLimits?.find((r) => r.endpoint === endpoint)
}

/** Whether a login to `endpoint` would be refused at `now`, and until when; null: allowed. */
export function loginBlock(
  data: Pick<VaultData, 'loginLimits'>,
  endpoint: string,
  profile: Pick<ProviderProfile, 'loginRateLimit'>,
  now: number,
): LoginBlock | null {
  const rec = recordOf(data, endpoint)
  const blocks: LoginBlock[] = []
  if (rec?.cooldownUntil && rec.cooldownUntil > now) {
    blocks.push({ until: rec.cooldownUntil, reason: 'cooldown' })
  }
  const limit = profile.loginRateLimit
  if (limit && rec) {
    const windowMs = limit.perSeconds * 1000
    const recent = rec.attempts.filter((t) => t > now - windowMs)
    if (recent.length >= limit.max) {
      blocks.push({ until: recent[recent.length - limit.max]! + windowMs, reason: 'limit' })
    }
  }
  return blocks.sort((a, b) => b.until - a.until)[0] ?? null
}

/** Until when an account's logins are refused here, for its view; null when they are not. */
export function loginBlockedUntil(
  data: Pick<VaultData, 'loginLimits'>,
  profile: ProviderProfile | undefined,
  acc: AccountRecord,
  now: number,
): number | null {
  if (!profile || !data.loginLimits?.length) return null
  const endpoint = loginEndpoint(profile, acc)
  return endpoint.ok ? (loginBlock(data, endpoint.value, profile, now)?.until ?? null) : null
}

/**
 * The RATE_LIMITED failure of a login refused here; nothing was sent. The words say how long
 * ("in 9 m"); `details.retryAt` holds the exact time for each surface to format its own way.
 */
export function blockedFailure(label: string, block: LoginBlock, now: number): Failure {
  const seconds = Math.max(1, Math.ceil((block.until - now) / 1000))
  const why =
    block.reason === 'cooldown'
      ? 'its server answered 429 (too many requests) and asked to wait'
      : "the provider's login rate limit is used up"
  return fail(
    'RATE_LIMITED',
    `No login was sent for "${label}": ${why}. The next login is allowed ${formatIn(block.until - now)}.`,
    { details: { retryAt: block.until, retryAfterSeconds: seconds, reason: block.reason } },
  )
}

/** The longest window a profile may declare: older login times never matter. */
const LONGEST_WINDOW_MS = 7 * 24 * 3600 * 1000
/** The most login times kept per endpoint (the schema's bound, and loginRateLimit's max). */
const MAX_ATTEMPTS = 10_000

/**
 * Drops what no longer matters: login times older than the longest window (another profile at
 * the same endpoint may count a longer window than this one), ended cooldowns, empty records.
 */
function prune(draft: VaultData, now: number): void {
  draft.loginLimits = (draft.loginLimits ?? [])
    .map((r) => ({
      ...r,
      attempts: r.attempts.filter((t) => t > now - LONGEST_WINDOW_MS).slice(-MAX_ATTEMPTS),
      cooldownUntil: r.cooldownUntil !== null && r.cooldownUntil > now ? r.cooldownUntil : null,
    }))
    .filter((r) => r.cooldownUntil !== null || r.attempts.length > 0)
}

function ensure(draft: VaultData, endpoint: string): LoginLimitRecord {
  const found = recordOf(draft, endpoint)
  if (found) return found
  const rec: LoginLimitRecord = { endpoint, cooldownUntil: null, attempts: [] }
  draft.loginLimits = [...(draft.loginLimits ?? []), rec]
  return rec
}

/** The login limits of one account's logins, as the token service's mint uses them. */
export function loginLimitsFor(acc: AccountRecord, profile: ProviderProfile) {
  const endpoint = loginEndpoint(profile, acc)
  return {
    /** Read only: the refusal a login would get now, or null. */
    check(data: VaultData, now: number): Failure | null {
      if (!endpoint.ok) return null
      const block = loginBlock(data, endpoint.value, profile, now)
      return block ? blockedFailure(acc.label, block, now) : null
    },

    /**
     * Inside the write of the login's pending record: refuses the login (nothing is written or
     * sent) or records its time, so the check and the count are one step across processes.
     */
    admit(draft: VaultData, now: number): Result<void> {
      if (!endpoint.ok) return endpoint
      const block = loginBlock(draft, endpoint.value, profile, now)
      if (block) return blockedFailure(acc.label, block, now)
      prune(draft, now)
      if (profile.loginRateLimit) {
        const rec = ensure(draft, endpoint.value)
        rec.attempts = [...rec.attempts, now].slice(-MAX_ATTEMPTS)
      }
      return ok(undefined)
    },

    /**
     * After a failed login: a 429 puts the endpoint in a cooldown until its Retry-After (kept
     * in the vault); the failure says for how long, and `details.retryAt` until when. Other
     * failures pass through unchanged.
     */
    async afterFailure(ledger: LedgerWrites, failure: Failure): Promise<Failure> {
      if (failure.code !== 'RATE_LIMITED' || !endpoint.ok) return failure
      const raw = failure.details?.retryAfter
      const saved = await ledger.update((draft, now) => {
        const until = retryAt(typeof raw === 'string' ? raw : undefined, now)
        const rec = ensure(draft, endpoint.value)
        rec.cooldownUntil = Math.max(rec.cooldownUntil ?? 0, until)
        return ok(rec.cooldownUntil)
      })
      if (!saved.ok) return failure
      const now = ledger.storage.clock.now()
      return {
        ...failure,
        message: `${failure.message} TokenDeck sends no login to this server for the next ${formatRemaining(Math.max(1000, saved.value - now))}.`,
        details: {
          ...failure.details,
          retryAt: saved.value,
          retryAfterSeconds: Math.max(1, Math.ceil((saved.value - now) / 1000)),
          reason: 'cooldown',
        },
      }
    },
  }
}
