// Turns a provider's HTTP answer into a token or a typed failure, as its profile describes.
// Everything here is pure: the engine feeds it responses, tests feed it anything.
import { decodeJwt } from 'jose'
import { getPath } from '../../shared/json-path'
import { serverText } from '../../shared/redact'
import { fail, ok, type ErrorDetails, type Failure, type Result } from '../../shared/result'
import {
  metadataEntries,
  type ExpirySpec,
  type ProviderProfile,
} from '../../shared/providers/profile'
import type { HttpResponse } from './http-client'

export type TokenMetaValue = string | number | boolean | string[]

/**
 * A token as the engine hands it to the vault. `token` and `secretMetadata` are secrets (kept
 * encrypted, never in a view, an event or a message); the rest is not.
 */
export interface MintedToken {
  token: string
  headerName: string
  scheme: string
  issuedAt: number
  /** Epoch ms, or null when the provider gives no expiry (valid until revoked). */
  expiresAt: number | null
  metadata: Record<string, TokenMetaValue>
  /** The values of metadata entries the profile marks `secret` (xpay's ticket); `{}` if none. */
  secretMetadata: Record<string, string>
  /** The refresh token that came with it (profile `refresh`), a secret like `token`. */
  refresh?: RefreshGrant
}

/** A refresh token and when it expires (epoch ms, null: no expiry given). A secret. */
export interface RefreshGrant {
  token: string
  expiresAt: number | null
}

type Condition = { path: string; equals: string | number | boolean | null }

export const MAX_TOKEN_LENGTH = 8192
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000

function conditionHolds(json: unknown, when: Condition | undefined): boolean {
  return when === undefined || getPath(json, when.path) === when.equals
}

export function statusMatches(
  res: HttpResponse,
  rule: { status?: number[]; when?: Condition } | undefined,
): boolean {
  if (!rule) return false
  if (rule.status && !rule.status.includes(res.status)) return false
  if (rule.when && !conditionHolds(res.json, rule.when)) return false
  return true
}

function firstString(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v
  if (Array.isArray(v)) {
    const parts = v.filter((x): x is string => typeof x === 'string' && x.trim() !== '')
    if (parts.length > 0) return parts.join(' ')
  }
  return undefined
}

/** Server text for a person or a log: decoded, every secret masked, one line, cut at `max`. */
function clean(text: string, secrets: readonly string[], max = 300): string {
  return serverText(text, secrets, max)
}

/** Per-field messages for the fields a person can correct; the rest joins the main message. */
function fieldErrors(
  json: unknown,
  path: string | undefined,
  knownFields: readonly string[],
  secrets: readonly string[],
): { fields: Record<string, string[]>; other: string[] } {
  const fields: Record<string, string[]> = {}
  const other: string[] = []
  if (!path) return { fields, other }
  const obj = getPath(json, path)
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return { fields, other }
  for (const [key, value] of Object.entries(obj as Record<string, unknown>)) {
    const list = (Array.isArray(value) ? value : [value])
      .filter((x): x is string => typeof x === 'string' && x.trim() !== '')
      .slice(0, 10)
      .map((m) => clean(m, secrets, 200))
    if (list.length === 0) continue
    if (knownFields.includes(key)) fields[key] = list
    else if (path !== '.') other.push(...list)
  }
  return { fields, other }
}

function references(
  json: unknown,
  profile: ProviderProfile,
  secrets: readonly string[],
): ErrorDetails {
  const details: ErrorDetails = {}
  for (const [name, path] of Object.entries(profile.errors.referencePaths)) {
    const v = getPath(json, path)
    if (typeof v === 'string' || typeof v === 'number')
      details[name] = clean(String(v), secrets, 80)
  }
  return details
}

/** In words, what an answer without usable JSON carried: "an empty body", "an HTML page"... */
function bodyKind(res: HttpResponse, secrets: readonly string[]): string {
  if (res.text.trim() === '') return 'an empty body'
  if (res.jsonInvalid) return 'invalid JSON'
  if (res.mediaType.includes('html')) return 'an HTML page'
  // The media type is the server's own text too.
  return `a ${res.mediaType ? clean(res.mediaType, secrets, 80) : 'untyped'} body`
}

/**
 * A failure for an answer that is not the expected success: the provider's own words where the
 * profile says they are, a sanitised snippet otherwise. `knownFields` are the form's field names.
 */
export function describeFailure(
  res: HttpResponse,
  profile: ProviderProfile,
  knownFields: readonly string[],
  secrets: readonly string[],
  what: string,
): Failure {
  const details: ErrorDetails = { status: res.status }
  if (res.json === undefined) {
    const kind = bodyKind(res, secrets)
    const excerpt = res.text.trim() === '' ? '' : `: "${clean(res.text, secrets, 160)}"`
    const code =
      res.status === 429 ? 'RATE_LIMITED' : res.status >= 500 ? 'SERVER_ERROR' : 'BAD_RESPONSE'
    if (code === 'RATE_LIMITED' && res.headers['retry-after']) {
      details.retryAfter = clean(res.headers['retry-after'], secrets, 40)
    }
    return fail(code, `${what} failed: HTTP ${res.status} with ${kind}${excerpt}`, { details })
  }
  Object.assign(details, references(res.json, profile, secrets))
  const { fields, other } = fieldErrors(
    res.json,
    profile.errors.fieldErrorsPath,
    knownFields,
    secrets,
  )
  let message: string | undefined
  for (const path of profile.errors.messagePaths) {
    const found = firstString(getPath(res.json, path))
    if (found) {
      message = clean(found, secrets)
      break
    }
  }
  // Joined pieces are masked again: a secret with a space could straddle two of them.
  if (!message && other.length > 0) message = clean(other.join(' '), secrets)
  if (!message && Object.keys(fields).length > 0) message = 'Some fields need attention.'
  if (!message) message = `${what} failed: HTTP ${res.status} without an error message.`
  if (res.status === 429) {
    if (res.headers['retry-after'])
      details.retryAfter = clean(res.headers['retry-after'], secrets, 40)
    return fail('RATE_LIMITED', message, { fields, details })
  }
  if (res.status >= 500) return fail('SERVER_ERROR', message, { fields, details })
  return fail('PROVIDER_REJECTED', message, { fields, details })
}

/** Checks that a token can go into an HTTP header as is: visible ASCII, no spaces, bounded. */
export function validTokenString(v: unknown): boolean {
  return (
    typeof v === 'string' &&
    v.length > 0 &&
    v.length <= MAX_TOKEN_LENGTH &&
    /^[\x21-\x7e]+$/.test(v)
  )
}

export function computeExpiry(
  spec: ExpirySpec,
  json: unknown,
  token: string,
  issuedAt: number,
): Result<number | null> {
  let at: number
  switch (spec.source) {
    case 'none':
      return ok(null)
    case 'ttl':
      return ok(issuedAt + spec.seconds * 1000)
    case 'jwt-exp': {
      let exp: unknown
      try {
        exp = decodeJwt(token).exp
      } catch {
        return fail('BAD_RESPONSE', 'The token is not a JWT, so its expiry (exp) cannot be read.')
      }
      if (typeof exp !== 'number' || !Number.isFinite(exp)) {
        return fail('BAD_RESPONSE', 'The JWT has no numeric exp claim.')
      }
      at = exp * 1000
      break
    }
    case 'body': {
      const raw = getPath(json, spec.path)
      if ((raw === undefined || raw === null) && spec.whenAbsent === 'none') return ok(null)
      if (spec.format === 'iso8601') {
        if (
          typeof raw !== 'string' ||
          !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(raw)
        ) {
          return fail(
            'BAD_RESPONSE',
            `The expiry at "${spec.path}" is not an ISO-8601 date with a time zone.`,
          )
        }
        at = Date.parse(raw)
      } else {
        const n =
          typeof raw === 'number'
            ? raw
            : typeof raw === 'string' && /^\d+$/.test(raw)
              ? Number(raw)
              : NaN
        if (!Number.isFinite(n)) {
          return fail('BAD_RESPONSE', `The expiry at "${spec.path}" is missing or not a number.`)
        }
        if (spec.format === 'epoch-ms' && n < 1e11) {
          return fail(
            'BAD_RESPONSE',
            `The expiry at "${spec.path}" looks like seconds, not milliseconds.`,
          )
        }
        at =
          spec.format === 'epoch-s'
            ? n * 1000
            : spec.format === 'lifetime-s'
              ? issuedAt + n * 1000
              : n
      }
      break
    }
  }
  if (!Number.isFinite(at)) return fail('BAD_RESPONSE', 'The expiry could not be read.')
  if (at <= issuedAt)
    return fail('BAD_RESPONSE', 'The provider returned a token that has already expired.')
  if (at > issuedAt + TEN_YEARS_MS) {
    return fail(
      'BAD_RESPONSE',
      'The expiry is more than ten years away; its unit is probably wrong.',
    )
  }
  return ok(at)
}

/**
 * The profile's secret metadata in the answer: strings (numbers as their decimal text) up to the
 * token's length limit, kept exactly; anything else is ignored, like plain metadata.
 */
function secretMetadataOf(json: unknown, profile: ProviderProfile): Record<string, string> {
  const out: Record<string, string> = {}
  for (const { name, path, secret } of metadataEntries(profile)) {
    if (!secret) continue
    const v = getPath(json, path)
    const text =
      typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : ''
    if (text !== '' && text.length <= MAX_TOKEN_LENGTH) out[name] = text
  }
  return out
}

/** The profile's plain metadata in the answer, with every secret (and secret metadata) masked. */
function metadataOf(json: unknown, profile: ProviderProfile, secrets: readonly string[]) {
  const meta: Record<string, TokenMetaValue> = {}
  for (const { name, path, secret } of metadataEntries(profile)) {
    if (secret) continue
    const v = getPath(json, path)
    if (typeof v === 'string') meta[name] = clean(v, secrets, 500)
    else if (typeof v === 'number' || typeof v === 'boolean') meta[name] = v
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
      meta[name] = v.slice(0, 50).map((x) => clean(x, secrets, 100))
    }
  }
  return meta
}

/**
 * Reads the token out of a successful answer. A success status whose body is not what the
 * profile promises is BAD_RESPONSE, always flagged `mayHaveMinted`: the server said it succeeded.
 */
export function extractToken(
  res: HttpResponse,
  profile: ProviderProfile,
  secrets: readonly string[],
  issuedAt: number,
  what: 'Login' | 'Signup' | 'Refresh' = 'Login',
): Result<MintedToken> {
  if (res.json === undefined) {
    // Not quoted: a success body may hold the token in a shape we cannot parse (invalid JSON,
    // JSON sent as text/plain), and a token is a secret the request never carried, so redact()
    // would not mask it.
    const kind = bodyKind(res, secrets)
    return fail('BAD_RESPONSE', `${what} failed: HTTP ${res.status} with ${kind}.`, {
      details: { status: res.status, mayHaveMinted: true },
    })
  }
  const bad = (message: string) =>
    fail('BAD_RESPONSE', message, { details: { status: res.status, mayHaveMinted: true } })
  const raw = getPath(res.json, profile.token.path)
  if (raw === undefined || raw === null || raw === '') {
    return bad(`The answer has no token at "${profile.token.path}".`)
  }
  if (typeof raw !== 'string') {
    return bad(
      `The token at "${profile.token.path}" is a ${Array.isArray(raw) ? 'list' : typeof raw}, not a string.`,
    )
  }
  if (!validTokenString(raw)) {
    return bad(
      raw.length > MAX_TOKEN_LENGTH
        ? `The token is longer than ${MAX_TOKEN_LENGTH} characters.`
        : 'The token contains spaces, line breaks or other characters a header cannot carry.',
    )
  }
  const expiry = computeExpiry(profile.expiry, res.json, raw, issuedAt)
  if (!expiry.ok)
    return { ...expiry, details: { ...expiry.details, status: res.status, mayHaveMinted: true } }
  const secretMeta = secretMetadataOf(res.json, profile)
  return ok({
    token: raw,
    headerName: profile.auth.header,
    scheme: profile.auth.scheme,
    issuedAt,
    expiresAt: expiry.value,
    metadata: metadataOf(res.json, profile, [...secrets, raw, ...Object.values(secretMeta)]),
    secretMetadata: secretMeta,
  })
}
