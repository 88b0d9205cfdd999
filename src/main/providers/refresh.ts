// Refresh tokens in the engine: reading the refresh token (and its expiry) out of a login answer,
// and exchanging it for a new access token (and a rotated refresh token) with the profile's
// `refresh` request, over the same hardened client, with the refresh token masked everywhere.
import type { Clock } from '../../shared/clock'
import { getPath } from '../../shared/json-path'
import { redact } from '../../shared/redact'
import { fail, ok, type Failure, type Result } from '../../shared/result'
import { normalizeBaseUrl } from '../../shared/url-policy'
import { endpointUrl } from '../../shared/providers/oauth-login'
import type { ProviderProfile } from '../../shared/providers/profile'
import type { HttpBody, HttpClient, HttpResponse } from './http-client'
import {
  computeExpiry,
  describeFailure,
  extractToken,
  statusMatches,
  validTokenString,
  type MintedToken,
  type RefreshGrant,
} from './interpret'
import { oauthErrorOf } from './oauth-flow'
import { secretValues } from './request-body'

export interface RefreshInput {
  profile: ProviderProfile
  baseUrl?: string
  /** The account's field values (secrets only if remembered); the body may name them. */
  fields: Record<string, string>
  refreshToken: string
}

/**
 * The refresh token at `path` of an answer, with its expiry from `profile.refresh.expiry`; null
 * when the answer has none (or one that could not be stored or sent safely, or already expired).
 */
export function readRefreshToken(
  json: unknown,
  path: string,
  profile: ProviderProfile,
  issuedAt: number,
): RefreshGrant | null {
  const spec = profile.refresh
  if (!spec || json === undefined) return null
  const raw = getPath(json, path)
  if (typeof raw !== 'string' || !validTokenString(raw)) return null
  const expiry = computeExpiry(spec.expiry, json, raw, issuedAt)
  return expiry.ok ? { token: raw, expiresAt: expiry.value } : null
}

/**
 * The profile's `refresh` request as a refresh of the access token: its own paths and expiry,
 * the rest (auth header, metadata, errors) from the profile.
 */
function accessProfile(profile: ProviderProfile): ProviderProfile {
  const spec = profile.refresh!
  return {
    ...profile,
    token: { path: spec.accessTokenPath ?? profile.token.path },
    expiry: spec.accessExpiry ?? profile.expiry,
  }
}

/** A refusal of the refresh token itself (a 4xx other than 429): fall back to a full login. */
export function refreshRefused(f: Failure): boolean {
  return f.details?.refresh === 'refused'
}

function masked(f: Failure, secrets: readonly string[]): Failure {
  return { ...f, message: redact(f.message, [...secrets, ...secrets.map((s) => s.toLowerCase())]) }
}

/**
 * Exchanges a refresh token. Success: the new access token, with `refresh` set to the rotated
 * refresh token when the profile names `rotatedTokenPath` and the answer has one. Failures:
 * PROVIDER_REJECTED with `details.refresh = 'refused'` for a 4xx (the token is no good),
 * OUTCOME_UNKNOWN when the answer was lost after the request left (the server may have rotated
 * the token), and the client's own codes for the rest. No message ever holds the refresh token.
 */
export async function refreshAccessToken(
  deps: { http: HttpClient; clock: Clock },
  { profile, baseUrl, fields, refreshToken }: RefreshInput,
  /** The refresh request's body with this refresh token in it (engine.ts buildBody). */
  bodyWith: (refreshToken: string) => HttpBody,
): Promise<Result<MintedToken>> {
  const spec = profile.refresh
  if (!spec) return fail('UNSUPPORTED', `${profile.name} has no refresh request.`)
  const base = normalizeBaseUrl(baseUrl ?? profile.baseUrl)
  if (!base.ok) return base
  const secrets = [refreshToken, ...secretValues(profile.fields, fields)]
  const res = await deps.http.send({
    method: spec.method,
    url: endpointUrl(base.value, spec.path),
    body: bodyWith(refreshToken),
    // A lost answer may have rotated the token: OUTCOME_UNKNOWN, not a plain timeout.
    mayMint: true,
  })
  if (!res.ok) return masked(res, secrets)
  const issuedAt = deps.clock.now()
  if (!statusMatches(res.value, spec.success)) return refusal(res.value, profile, secrets)
  const answerRefusal = oauthRefusalIn(res.value, accessProfile(profile), secrets)
  if (answerRefusal) return answerRefusal
  const rotated = spec.rotatedTokenPath
    ? readRefreshToken(res.value.json, spec.rotatedTokenPath, profile, issuedAt)
    : null
  const minted = extractToken(
    res.value,
    accessProfile(profile),
    rotated ? [...secrets, rotated.token] : secrets,
    issuedAt,
    'Refresh',
  )
  if (!minted.ok) return minted
  return ok(rotated ? { ...minted.value, refresh: rotated } : minted.value)
}

/** OAuth errors that say the server is in trouble, not that the refresh token is bad. */
const SERVER_TROUBLE = new Set(['server_error', 'temporarily_unavailable'])

/**
 * A success status whose body is an OAuth error (RFC 6749 §5.2) and holds no access token: GitHub
 * answers a bad refresh token with HTTP 200 and `{"error": "bad_refresh_token"}`. A refusal of the
 * refresh token (dropped, a login follows), not an unreadable success (kept); null otherwise.
 */
function oauthRefusalIn(
  res: HttpResponse,
  access: ProviderProfile,
  secrets: string[],
): Failure | null {
  const e = oauthErrorOf(res)
  if (!e || getPath(res.json, access.token.path) !== undefined) return null
  const f = describeFailure(res, access, [], secrets, 'Refresh')
  if (SERVER_TROUBLE.has(e.error)) {
    return { ...f, code: 'SERVER_ERROR', details: { ...f.details, oauthError: e.error } }
  }
  return {
    ...f,
    code: 'PROVIDER_REJECTED',
    details: { ...f.details, oauthError: e.error, refresh: 'refused' },
  }
}

function refusal(res: HttpResponse, profile: ProviderProfile, secrets: string[]): Failure {
  const f = describeFailure(res, profile, [], secrets, 'Refresh')
  if (f.code !== 'PROVIDER_REJECTED' || res.status < 400 || res.status >= 500) return f
  return { ...f, details: { ...f.details, refresh: 'refused' } }
}
