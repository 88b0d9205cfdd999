// The token probe: one cheap authenticated request a profile declares, sent over the hardened
// client with the account's header (or, to an RFC 7662 introspection endpoint, the token in its
// body), and its verdict: good, refused (401 or 403, or `active: false`) or inconclusive.
import { getPath, ownValue } from '../../shared/json-path'
import { redact } from '../../shared/redact'
import { fail, ok, type Result } from '../../shared/result'
import { normalizeBaseUrl } from '../../shared/url-policy'
import { endpointUrl } from '../../shared/providers/oauth-login'
import { probePathFields, type ProviderProfile } from '../../shared/providers/profile'
import type { HttpClient } from './http-client'
import { statusMatches } from './interpret'
import { TOKEN_VALUE, buildBody, secretValues } from './request-body'

export interface ProbeInput {
  profile: ProviderProfile
  /** Overrides the profile's base URL (self-hosted, sandbox). */
  baseUrl?: string
  /** The header to send: the account's current token, e.g. Authorization: Token abc. */
  header: { name: string; value: string }
  /** The token itself, for an introspection probe whose body sends `{ "$token": true }`. */
  token?: string
  /**
   * The account's field values: non-secret ones for `{field}` placeholders in the probe path,
   * and the secret ones an introspection body names (a client secret).
   */
  fields?: Record<string, string>
}

/** What a probe found; never a failure of the token itself (that is `refused`). */
export type ProbeVerdict =
  | { verdict: 'good'; status: number }
  | { verdict: 'refused'; status: number }
  | { verdict: 'inconclusive'; status: number | null; code: string; message: string }

/** The probe path with each `{field}` replaced by the account's value as one path segment. */
export function probePath(path: string, fields: Record<string, string>): Result<string> {
  for (const name of probePathFields(path)) {
    const v = ownValue(fields, name)
    if (typeof v !== 'string' || v === '') {
      return fail(
        'VALIDATION_FAILED',
        `The probe path needs the account's "${name}", which is empty.`,
      )
    }
  }
  return ok(
    path.replace(/\{([A-Za-z][A-Za-z0-9_]{0,39})\}/g, (_, name: string) =>
      encodeURIComponent(ownValue(fields, name) ?? ''),
    ),
  )
}

/** Sends the profile's probe; a Result failure only when it cannot be sent as declared. */
export async function runProbe(http: HttpClient, input: ProbeInput): Promise<Result<ProbeVerdict>> {
  const { profile, header } = input
  if (!profile.probe) return fail('UNSUPPORTED', `${profile.name} declares no probe.`)
  const base = normalizeBaseUrl(input.baseUrl ?? profile.baseUrl)
  if (!base.ok) return base
  const spec = profile.probe
  const path = probePath(spec.path, input.fields ?? {})
  if (!path.ok) return path
  // An introspection probe (RFC 7662) sends the token in its body, and no auth header.
  const introspects = Object.values(spec.body).some(
    (v) => v !== null && typeof v === 'object' && '$token' in v,
  )
  const token = input.token ?? header.value.split(' ').pop() ?? header.value
  const res = await http.send({
    method: spec.method,
    url: endpointUrl(base.value, path.value),
    headers: introspects ? {} : { [header.name]: header.value },
    body: buildBody(spec.encoding, spec.body, { ...input.fields, [TOKEN_VALUE]: token }),
  })
  const secrets = [header.value, token, ...secretValues(profile.fields, input.fields ?? {})]
  if (!res.ok) {
    return ok({
      verdict: 'inconclusive',
      status: null,
      code: res.code,
      message: redact(res.message, secrets),
    })
  }
  const { status } = res.value
  if (statusMatches(res.value, spec.success)) {
    if (spec.activePath === undefined) return ok({ verdict: 'good', status })
    const active = getPath(res.value.json, spec.activePath)
    if (active === true) return ok({ verdict: 'good', status })
    if (active === false) return ok({ verdict: 'refused', status })
    return ok({
      verdict: 'inconclusive',
      status,
      code: 'BAD_RESPONSE',
      message: `The probe's answer has no true or false at "${spec.activePath}".`,
    })
  }
  if (status === 401 || status === 403) return ok({ verdict: 'refused', status })
  return ok({
    verdict: 'inconclusive',
    status,
    code: status === 429 ? 'RATE_LIMITED' : status >= 500 ? 'SERVER_ERROR' : 'BAD_RESPONSE',
    message: `The probe answered HTTP ${status}, which says nothing about the token.`,
  })
}
