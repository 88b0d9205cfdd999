// The OAuth 2.0 logins a profile declares: authorization code with PKCE through the system
// browser and a loopback redirect (RFC 6749 §4.1, RFC 7636, RFC 8252), the device flow
// (RFC 8628), and client credentials (§4.4). Each ends with the token endpoint's answer, which
// the engine reads like any login's.
import { createHash, randomBytes } from 'node:crypto'
import type { Clock } from '../../shared/clock'
import { getPath, ownValue } from '../../shared/json-path'
import { serverText } from '../../shared/redact'
import {
  endpointUrl,
  type ClientValue,
  type OauthClientLogin,
  type OauthCodeLogin,
  type OauthDeviceLogin,
  type OauthLogin,
} from '../../shared/providers/oauth-login'
import { fail, ok, type Failure, type Result } from '../../shared/result'
import { checkUrl } from '../../shared/url-policy'
import type { HttpClient, HttpRequest, HttpResponse } from './http-client'
import type { LoginInteraction } from './login-prompts'
import { listenForRedirect } from './loopback-redirect'

export interface OauthDeps {
  http: HttpClient
  clock: Clock
  /** Waits `ms` between device polls, or less when `signal` aborts (tests pass their own). */
  wait: (ms: number, signal: AbortSignal) => Promise<void>
}

export interface OauthRun<L extends OauthLogin> {
  login: L
  base: string
  fields: Record<string, string>
  /** Values to mask in every message; the flow adds its own (code, verifier, device code). */
  secrets: string[]
}

/** A run that shows the person a step (the browser sign-in, the device flow). */
export interface PersonRun<L extends OauthLogin> extends OauthRun<L> {
  interaction: LoginInteraction
}

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

function valueOf(v: ClientValue, fields: Record<string, string>): string {
  return typeof v === 'string' ? v : (ownValue(fields, v.$field) ?? '')
}

/** client_id (and the secret, in the body or as Basic) for a request to the token endpoint. */
function clientAuth(
  login: OauthLogin,
  fields: Record<string, string>,
): { form: Record<string, string>; headers: Record<string, string> } {
  const id = valueOf(login.clientId, fields)
  const secret = login.clientSecret ? valueOf(login.clientSecret, fields) : ''
  if (secret !== '' && login.clientAuth === 'basic') {
    const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+')
    const basic = Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')
    return { form: {}, headers: { authorization: `Basic ${basic}` } }
  }
  return {
    form: { client_id: id, ...(secret !== '' ? { client_secret: secret } : {}) },
    headers: {},
  }
}

function extraParams(login: OauthLogin, fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(login.params)) out[k] = valueOf(v, fields)
  if (login.scopes.length > 0) out.scope = login.scopes.join(' ')
  return out
}

/**
 * A form POST to one of the authorization server's endpoints, with the client authenticated as
 * the profile says (client_id, and the secret in the form or as Basic). `mayMint`: it asks for a
 * token, so a lost answer may have minted one.
 */
function clientPost(
  url: string,
  run: OauthRun<OauthLogin>,
  form: Record<string, string>,
  mayMint: boolean,
): HttpRequest {
  const client = clientAuth(run.login, run.fields)
  return {
    method: 'POST',
    url,
    headers: client.headers,
    body: { kind: 'form', value: { ...form, ...client.form } },
    ...(mayMint ? { mayMint: true } : {}),
  }
}

/** The OAuth error of an answer (RFC 6749 §5.2), if it has one: GitHub sends it with a 200. */
export function oauthErrorOf(res: HttpResponse): { error: string; description: string } | null {
  const error = getPath(res.json, 'error')
  if (typeof error !== 'string' || error === '') return null
  const d = getPath(res.json, 'error_description')
  return { error: error.slice(0, 60), description: typeof d === 'string' ? d.slice(0, 300) : '' }
}

const b64url = (b: Buffer) => b.toString('base64url')

/** Client credentials (RFC 6749 §4.4): one request to the token endpoint, as the client itself. */
export function clientLogin(
  deps: OauthDeps,
  run: OauthRun<OauthClientLogin>,
): Promise<Result<HttpResponse>> {
  const { login, base, fields } = run
  const form = { grant_type: 'client_credentials', ...extraParams(login, fields) }
  return deps.http.send(clientPost(endpointUrl(base, login.tokenUrl), run, form, true))
}

/** Authorization code + PKCE: the browser signs in, comes back on loopback, the code is exchanged. */
export async function codeLogin(
  deps: OauthDeps,
  run: PersonRun<OauthCodeLogin>,
): Promise<Result<HttpResponse>> {
  const { login, base, fields, interaction } = run
  const verifier = b64url(randomBytes(32))
  const challenge = b64url(createHash('sha256').update(verifier).digest())
  const state = b64url(randomBytes(16))
  const deadlineMs = login.timeoutSeconds * 1000
  const listening = await listenForRedirect({
    port: login.redirect.port,
    path: login.redirect.path,
    state,
    deadlineMs,
    signal: interaction.signal,
  })
  if (!listening.ok) return listening
  const redirect = listening.value
  const url = new URL(endpointUrl(base, login.authorizationUrl))
  const q = url.searchParams
  q.set('response_type', 'code')
  q.set('client_id', valueOf(login.clientId, fields))
  q.set('redirect_uri', redirect.uri)
  for (const [k, v] of Object.entries(extraParams(login, fields))) q.set(k, v)
  q.set('state', state)
  q.set('code_challenge', challenge)
  q.set('code_challenge_method', 'S256')
  interaction.show({
    kind: 'browser',
    url: url.toString(),
    userCode: null,
    expiresAt: deps.clock.now() + deadlineMs,
  })
  const answer = await redirect.answer
  if (!answer.ok) return answer
  const code = answer.value.code
  run.secrets.push(code, verifier)
  // client_id in the body, even for a public client with no secret (RFC 6749 §4.1.3).
  const form = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirect.uri,
    code_verifier: verifier,
  }
  return deps.http.send(clientPost(endpointUrl(base, login.tokenUrl), run, form, true))
}

/** The device flow: the user types a code on another device; the token endpoint is polled. */
export async function deviceLogin(
  deps: OauthDeps,
  run: PersonRun<OauthDeviceLogin>,
): Promise<Result<HttpResponse>> {
  const { login, base, fields, interaction } = run
  const started = await deps.http.send(
    clientPost(
      endpointUrl(base, login.deviceAuthorizationUrl),
      run,
      extraParams(login, fields),
      false,
    ),
  )
  if (!started.ok) return started
  const s = started.value
  const oauthError = oauthErrorOf(s)
  if (s.status !== 200 || oauthError)
    return refused(s, oauthError, 'The device authorization', run.secrets)
  const str = (p: string) => {
    const v = getPath(s.json, p)
    return typeof v === 'string' && v !== '' && v.length <= 2000 ? v : null
  }
  const num = (p: string) => {
    const v = getPath(s.json, p)
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null
  }
  const deviceCode = str('device_code')
  const userCode = str('user_code')
  // RFC 8628 says verification_uri; Google's older endpoint said verification_url.
  const page = str('verification_uri') ?? str('verification_url')
  if (!deviceCode || !userCode || !page || userCode.length > 64) {
    return fail(
      'BAD_RESPONSE',
      'The device authorization answer lacks a device code, a user code or a verification page.',
    )
  }
  const pageUrl = safePage(str('verification_uri_complete')) ?? safePage(page)
  if (!pageUrl) {
    return fail('BAD_RESPONSE', 'The verification page the server named is not an https address.')
  }
  run.secrets.push(deviceCode)
  const startedAt = deps.clock.now()
  const lifetimeMs = Math.min((num('expires_in') ?? 900) * 1000, login.timeoutSeconds * 1000)
  const expiresAt = startedAt + lifetimeMs
  let intervalMs = Math.max(num('interval') ?? 5, 1) * 1000
  interaction.show({ kind: 'device', url: pageUrl, userCode, expiresAt })
  const form = { grant_type: DEVICE_GRANT, device_code: deviceCode }
  const poll = clientPost(endpointUrl(base, login.tokenUrl), run, form, true)
  for (;;) {
    await deps.wait(intervalMs, interaction.signal)
    if (interaction.signal.aborted) return fail('CANCELLED', 'The login was cancelled.')
    if (deps.clock.now() >= expiresAt) return expired()
    const res = await deps.http.send(poll)
    if (!res.ok) return res
    const e = oauthErrorOf(res.value)
    if (!e) return ok(res.value)
    if (e.error === 'authorization_pending') continue
    // RFC 8628 §3.5: every slow_down adds 5 seconds to the interval, for the rest of this login.
    if (e.error === 'slow_down') {
      intervalMs += 5000
      continue
    }
    if (e.error === 'expired_token') return expired()
    return refused(res.value, e, 'The device login', run.secrets)
  }
}

function expired(): Failure {
  return fail(
    'LOGIN_EXPIRED',
    'The device code expired before the sign-in was approved. Log in again for a new code.',
  )
}

/** A page to send a person to: https, or http on this machine (a sandbox); else null. */
function safePage(raw: string | null): string | null {
  if (!raw) return null
  const u = checkUrl(raw)
  return u.ok ? u.value.toString() : null
}

/**
 * A refusal in the server's words, with its OAuth error code kept as a detail. Both are server
 * text: decoded, every secret of the login masked, no control or bidi character, cut (serverText).
 */
export function refused(
  res: HttpResponse,
  e: { error: string; description: string } | null,
  what: string,
  secrets: readonly string[],
): Failure {
  if (!e) {
    return fail(
      res.status >= 500 ? 'SERVER_ERROR' : 'PROVIDER_REJECTED',
      `${what} was refused (HTTP ${res.status}).`,
    )
  }
  const error = serverText(e.error, secrets, 60)
  const description = e.description ? serverText(e.description, secrets, 300) : ''
  const words =
    e.error === 'access_denied'
      ? `${what} was denied.`
      : `${what} was refused (${error})${description ? `: ${description}` : '.'}`
  return fail('PROVIDER_REJECTED', words, { details: { oauthError: error } })
}
