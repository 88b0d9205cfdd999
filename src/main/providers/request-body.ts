// A request body built from a profile's template: JSON literals as written, account fields by
// name, and the values only the engine supplies (a refresh token, the token being revoked or
// probed, a TOTP code), each under a key no field name can take (field names start with a letter).
import { ownValue } from '../../shared/json-path'
import { isSecretField, type BodyValue, type ProfileField } from '../../shared/providers/profile'
import { ok, type Result } from '../../shared/result'
import type { HttpBody } from './http-client'
import { base32Seed, totp } from './totp'

/** Field values of one account, and the engine's own values under their `$` keys. */
type Values = Record<string, string>

/**
 * The key under which a refresh request's values carry the refresh token: not a field name
 * (those start with a letter), so no account field can stand in for it.
 */
export const REFRESH_TOKEN_VALUE = '$refreshToken'

/** The key under which a revoke request's values carry the token it revokes (not a field name). */
export const TOKEN_VALUE = '$token'

/** The key under which the login's values carry the code of TOTP seed `field` (not a field name). */
const totpKey = (field: string) => `$totp:${field}`

/**
 * The one-time codes a login sends (`{ "$totp": "seed" }`), computed now from the seeds in
 * `values`, as values under totpKey(seed); a seed that is not base32 is a field error.
 */
export function totpCodes(
  template: Record<string, BodyValue>,
  values: Values,
  nowMs: number,
): Result<Record<string, string>> {
  const codes: Record<string, string> = {}
  for (const v of Object.values(template)) {
    if (v === null || typeof v !== 'object' || !('$totp' in v)) continue
    const seed = base32Seed(ownValue(values, v.$totp) ?? '')
    if (!seed.ok) return { ...seed, fields: { [v.$totp]: [seed.message] } }
    codes[totpKey(v.$totp)] = totp(seed.value, nowMs, v)
  }
  return ok(codes)
}

export function buildBody(
  encoding: 'json' | 'form' | 'none',
  template: Record<string, BodyValue>,
  values: Values,
): HttpBody {
  if (encoding === 'none') return { kind: 'none' }
  const resolved: Record<string, string | number | boolean | null> = {}
  for (const [key, v] of Object.entries(template)) {
    resolved[key] =
      v === null || typeof v !== 'object'
        ? v
        : '$field' in v
          ? (ownValue(values, v.$field) ?? '')
          : '$totp' in v
            ? (ownValue(values, totpKey(v.$totp)) ?? '')
            : '$token' in v
              ? (ownValue(values, TOKEN_VALUE) ?? '')
              : (ownValue(values, REFRESH_TOKEN_VALUE) ?? '')
  }
  if (encoding === 'json') return { kind: 'json', value: resolved }
  const form: Record<string, string> = {}
  for (const [key, v] of Object.entries(resolved)) form[key] = v === null ? '' : String(v)
  return { kind: 'form', value: form }
}

/** The values of secret fields, to keep out of every message. */
export function secretValues(fields: readonly ProfileField[], values: Values): string[] {
  return fields
    .filter(isSecretField)
    .map((f) => ownValue(values, f.name))
    .filter((v): v is string => typeof v === 'string' && v !== '')
}
