// The provider engine: logs in, revokes and signs up against any provider profile.
// One code path for every provider; what differs between them lives in their profiles.
import type { Clock } from '../../shared/clock'
import { redact } from '../../shared/redact'
import { fail, ok, type Failure, type Result } from '../../shared/result'
import { ownValue } from '../../shared/json-path'
import { joinUrl, normalizeBaseUrl } from '../../shared/url-policy'
import {
  canRevoke,
  fieldProblem,
  type ProfileField,
  type ProviderProfile,
} from '../../shared/providers/profile'
import type { HttpClient, HttpResponse } from './http-client'
import { describeFailure, extractToken, statusMatches, type MintedToken } from './interpret'
import type { LoginInteraction } from './login-prompts'
import { endpointUrl, needsPerson } from '../../shared/providers/oauth-login'
import {
  clientLogin,
  codeLogin,
  deviceLogin,
  oauthErrorOf,
  refused,
  type OauthDeps,
} from './oauth-flow'
import { runProbe, type ProbeInput, type ProbeVerdict } from './probe'
import {
  REFRESH_TOKEN_VALUE,
  TOKEN_VALUE,
  buildBody,
  secretValues,
  totpCodes,
} from './request-body'
import { readRefreshToken, refreshAccessToken, type RefreshInput } from './refresh'

export type { MintedToken } from './interpret'
export type { ProbeInput, ProbeVerdict } from './probe'
export type { RefreshInput } from './refresh'
export { refreshRefused } from './refresh'
export { REFRESH_TOKEN_VALUE, buildBody } from './request-body'

/**
 * Field values of one account: plain fields and secrets alike (secrets stay in main). Read only
 * through `ownValue`: a field may be named "constructor" or "toString".
 */
export type FieldValues = Record<string, string>

export interface LoginInput {
  profile: ProviderProfile
  /** Overrides the profile's base URL (self-hosted, sandbox). */
  baseUrl?: string
  fields: FieldValues
  /**
   * A person to show a browser step to (an OAuth login): the code to type or the page to open,
   * and their cancel. An OAuth login without one fails with UNSUPPORTED and sends nothing.
   */
  interaction?: LoginInteraction
}

export interface RevokeInput {
  profile: ProviderProfile
  baseUrl?: string
  fields?: FieldValues
  token: string
}

export interface SignupResult {
  /** The token a signup returned, for providers whose signup logs in too. */
  minted: MintedToken | null
  /** The new account's login fields (username, password...), mapped from the signup form. */
  accountFields: FieldValues
}

export interface ProviderEngine {
  login(input: LoginInput): Promise<Result<MintedToken>>
  revoke(input: RevokeInput): Promise<Result<{ alreadyInvalid: boolean }>>
  signup(input: LoginInput): Promise<Result<SignupResult>>
  /** Sends the profile's probe with a token's header: good, refused (401/403) or inconclusive. */
  probe(input: ProbeInput): Promise<Result<ProbeVerdict>>
  /**
   * Exchanges a refresh token (profile `refresh`) for a new access token, with the rotated
   * refresh token when the server rotates them. A refusal of the refresh token is
   * PROVIDER_REJECTED with `details.refresh = 'refused'` (see refresh.ts).
   */
  refresh(input: RefreshInput): Promise<Result<MintedToken>>
}

/** Checks required fields and returns the secret values to keep out of every message. */
export function checkFields(
  fields: readonly ProfileField[],
  values: FieldValues,
): Result<{ secrets: string[] }> {
  const missing: Record<string, string[]> = {}
  for (const f of fields) {
    const v: unknown = ownValue(values, f.name)
    const problem = v !== undefined && typeof v !== 'string' ? 'Must be text.' : fieldProblem(f, v)
    if (problem) missing[f.name] = [problem]
  }
  if (Object.keys(missing).length > 0) {
    return fail('VALIDATION_FAILED', 'Some fields need attention.', { fields: missing })
  }
  return ok({ secrets: secretValues(fields, values) })
}

/**
 * A failure of the HTTP client with every secret masked in its words: a redirect names the origin
 * of a location the server chose (its host lower-cased by URL, so lower-case forms are masked too).
 */
function masked(f: Failure, secrets: readonly string[]): Failure {
  return { ...f, message: redact(f.message, [...secrets, ...secrets.map((s) => s.toLowerCase())]) }
}

function baseUrlOf(profile: ProviderProfile, override: string | undefined): Result<string> {
  return normalizeBaseUrl(override ?? profile.baseUrl)
}

/** Builds the engine over an HTTP client and a clock. */
export function createProviderEngine(deps: {
  http: HttpClient
  clock: Clock
  /** Waits between device-flow polls; default: a timer that ends early on cancel. */
  wait?: OauthDeps['wait']
}): ProviderEngine {
  const { http, clock } = deps
  const oauth: OauthDeps = { http, clock, wait: deps.wait ?? waitFor }

  return {
    probe: (input) => runProbe(http, input),

    async login({ profile, baseUrl, fields, interaction }) {
      const checked = checkFields(profile.fields, fields)
      if (!checked.ok) return checked
      const base = baseUrlOf(profile, baseUrl)
      if (!base.ok) return base
      const login = profile.login
      if (login.kind !== 'request') {
        // Nobody to show the step to (a gateway request to a headless agent): refused before
        // anything is sent, rather than a code nobody sees polled until it expires.
        if (needsPerson(login) && !interaction?.watched()) {
          return fail(
            'UNSUPPORTED',
            `${profile.name} logs in through a browser, and nobody here can be asked to: log in from the app or at a terminal (tokendeck login), then this reuses the token.`,
          )
        }
        const secrets = [...checked.value.secrets]
        const run = { base: base.value, fields, secrets }
        const res =
          login.kind === 'oauth-client'
            ? await clientLogin(oauth, { ...run, login })
            : login.kind === 'oauth-code'
              ? await codeLogin(oauth, { ...run, login, interaction: interaction! })
              : await deviceLogin(oauth, { ...run, login, interaction: interaction! })
        if (!res.ok) return masked(res, secrets)
        const e = oauthErrorOf(res.value)
        if (e || res.value.status !== 200) {
          return masked(refused(res.value, e, 'The token request', secrets), secrets)
        }
        return minted(res.value, secrets)
      }
      const codes = totpCodes(login.body, fields, clock.now())
      if (!codes.ok) return codes
      // A one-time code is masked like a secret in every message, and never kept.
      const secrets = [...checked.value.secrets, ...Object.values(codes.value)]
      const res = await http.send({
        method: login.method,
        url: joinUrl(base.value, login.path),
        body: buildBody(login.encoding, login.body, { ...fields, ...codes.value }),
        mayMint: true,
      })
      if (!res.ok) return masked(res, secrets)
      if (!statusMatches(res.value, login.success)) {
        return describeFailure(
          res.value,
          profile,
          profile.fields.map((f) => f.name),
          secrets,
          'Login',
        )
      }
      return minted(res.value, secrets)

      /** The token of a successful login answer, with its refresh token when the profile has one. */
      function minted(answer: HttpResponse, secrets: string[]): Result<MintedToken> {
        const issuedAt = clock.now()
        // The refresh token (profile `refresh`) is a secret too: masked in every metadata value.
        const rt = profile.refresh
          ? readRefreshToken(answer.json, profile.refresh.tokenPath, profile, issuedAt)
          : null
        const token = extractToken(answer, profile, rt ? [...secrets, rt.token] : secrets, issuedAt)
        return token.ok && rt ? ok({ ...token.value, refresh: rt }) : token
      }
    },

    refresh: (input) =>
      refreshAccessToken({ http, clock }, input, (refreshToken) => {
        const spec = input.profile.refresh
        const values = { ...input.fields, [REFRESH_TOKEN_VALUE]: refreshToken }
        return spec ? buildBody(spec.encoding, spec.body, values) : { kind: 'none' }
      }),

    async revoke({ profile, baseUrl, fields = {}, token }) {
      if (!canRevoke(profile)) {
        return fail('UNSUPPORTED', `${profile.name} has no way to revoke a token.`)
      }
      const base = baseUrlOf(profile, baseUrl)
      if (!base.ok) return base
      const secrets = [token, ...secretValues(profile.fields, fields)]
      // RFC 7009: a body that names the token carries it there, and no auth header is sent.
      const inBody = Object.values(profile.revoke.body).some(
        (v) => v !== null && typeof v === 'object' && '$token' in v,
      )
      const res = await http.send({
        method: profile.revoke.method,
        url: endpointUrl(base.value, profile.revoke.path),
        headers: inBody ? {} : { [profile.auth.header]: `${profile.auth.scheme} ${token}` },
        body: buildBody(profile.revoke.encoding, profile.revoke.body, {
          ...fields,
          [TOKEN_VALUE]: token,
        }),
      })
      if (!res.ok) return masked(res, secrets)
      if (statusMatches(res.value, profile.revoke.success)) return ok({ alreadyInvalid: false })
      if (statusMatches(res.value, profile.revoke.alreadyInvalid))
        return ok({ alreadyInvalid: true })
      return describeFailure(res.value, profile, [], secrets, 'Revoke')
    },

    async signup({ profile, baseUrl, fields }) {
      const spec = profile.signup
      if (!spec) return fail('UNSUPPORTED', `${profile.name} has no signup.`)
      const checked = checkFields(spec.fields, fields)
      if (!checked.ok) return checked
      const base = baseUrlOf(profile, baseUrl)
      if (!base.ok) return base
      const secrets = checked.value.secrets
      const res = await http.send({
        method: spec.method,
        url: joinUrl(base.value, spec.path),
        body: buildBody(spec.encoding, spec.body, fields),
        mayMint: spec.returnsToken,
      })
      if (!res.ok) return masked(res, secrets)
      const issuedAt = clock.now()
      if (!statusMatches(res.value, spec.success)) {
        return describeFailure(
          res.value,
          profile,
          spec.fields.map((f) => f.name),
          secrets,
          'Signup',
        )
      }
      const accountFields: FieldValues = {}
      for (const [accountField, signupField] of Object.entries(spec.accountFields)) {
        accountFields[accountField] = ownValue(fields, signupField) ?? ''
      }
      if (!spec.returnsToken) return ok({ minted: null, accountFields })
      const minted = extractToken(res.value, profile, secrets, issuedAt, 'Signup')
      if (!minted.ok) return minted
      return ok({ minted: minted.value, accountFields })
    },
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function waitFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
