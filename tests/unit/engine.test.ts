// Each built-in profile against its sandbox server, through the real engine and HTTP client:
// what a login returns, that the token is accepted where the provider says, how revoke, signup
// and failures come back, and that no failure ever carries a secret.
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProviderEngine } from '../../src/main/providers/engine'
import type { FieldValues, MintedToken } from '../../src/main/providers/engine'
import { createHttpClient } from '../../src/main/providers/http-client'
import { BUILTIN_PROFILES } from '../../src/main/providers/registry'
import {
  startClassicSandbox,
  startTpstreamsSandbox,
  startXpaySandbox,
} from '../../src/main/sandbox/index'
import type { ClassicSandbox, TpstreamsSandbox, XpaySandbox } from '../../src/main/sandbox/index'
import type { Clock } from '../../src/shared/clock'
import { parseProfile } from '../../src/shared/providers/profile'
import type { ProviderProfile } from '../../src/shared/providers/profile'
import type { ErrorCode, Failure, Result } from '../../src/shared/result'

/** One fixed instant for the engine and every sandbox, so expiries are exact. */
const T = 1_750_000_000_123
const clock: Clock = { now: () => T }
const engine = createProviderEngine({ http: createHttpClient(), clock })

const HEX40 = /^[0-9a-f]{40}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

const TP = { username: 'dev@acme.test', password: 'acme-demo-password', organization_id: 'acme' }
const XPAY = { username: 'dev@acme.test', secretKey: 'xpay-demo-secret-key' }
const CLASSIC = { username: 'admin', password: 'hunter2' }
const WRONG = 'definitely-not-the-password'

/** Every secret a test sent and every token a server minted: none may appear in a failure. */
const secrets = new Set<string>([
  TP.password,
  XPAY.secretKey,
  CLASSIC.password,
  WRONG,
  'globex-demo-password',
])
const failures: Failure[] = []

function builtin(id: string): ProviderProfile {
  const p = BUILTIN_PROFILES.find((x) => x.id === id)
  if (!p) throw new Error(`no built-in profile "${id}"`)
  return p
}

/** A built-in profile changed by `edit` and validated again (for server-side field errors). */
function variant(id: string, edit: (raw: ProviderProfile) => void): ProviderProfile {
  const raw = structuredClone(builtin(id))
  edit(raw)
  const parsed = parseProfile(raw)
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.details))
  return parsed.value
}

function minted(r: Result<MintedToken>): MintedToken {
  if (!r.ok) throw new Error(`expected a token, got ${r.code}: ${r.message}`)
  secrets.add(r.value.token)
  for (const v of Object.values(r.value.secretMetadata)) secrets.add(v)
  return r.value
}

function failed<T>(r: Result<T>, code: ErrorCode): Failure {
  if (r.ok) throw new Error(`expected ${code}, got a success`)
  failures.push(r)
  expect(r.code).toBe(code)
  return r
}

function authHeader(t: MintedToken): Record<string, string> {
  return { [t.headerName]: `${t.scheme} ${t.token}` }
}

afterAll(() => {
  // The sweep runs last, so it also covers tokens minted after a failure was recorded.
  expect(failures.length).toBeGreaterThan(10)
  for (const f of failures) {
    const json = JSON.stringify(f)
    for (const s of secrets) expect(json).not.toContain(s)
  }
})

describe('TPStreams profile against its sandbox', () => {
  const profile = builtin('tpstreams')
  let tp: TpstreamsSandbox
  const login = (fields: FieldValues = TP) => engine.login({ profile, baseUrl: tp.baseUrl, fields })
  const assets = (t: MintedToken, org = 'acme') =>
    fetch(`${tp.baseUrl}/api/v1/${org}/assets/`, { headers: authHeader(t) })
  beforeAll(async () => (tp = await startTpstreamsSandbox({ clock })))
  afterAll(() => tp.close())

  it('logs in to a Token that never expires and is accepted by the API', async () => {
    const t = minted(await login())
    expect(t).toEqual({
      token: expect.stringMatching(HEX40),
      headerName: 'Authorization',
      scheme: 'Token',
      issuedAt: T,
      expiresAt: null,
      metadata: {},
      secretMetadata: {},
    })
    expect(tp.isTokenValid(t.token)).toBe(true)
    const res = await assets(t)
    expect([res.status, await res.json()]).toEqual([200, { count: 0, results: [] }])
  })

  it('revokes: ok, then the API refuses the token, then a second revoke says already invalid', async () => {
    const t = minted(await login())
    const revoke = () => engine.revoke({ profile, baseUrl: tp.baseUrl, fields: TP, token: t.token })
    expect(await revoke()).toEqual({ ok: true, value: { alreadyInvalid: false } })
    expect(tp.isTokenValid(t.token)).toBe(false)
    const res = await assets(t)
    expect([res.status, await res.json()]).toEqual([401, { detail: 'Invalid token.' }])
    expect(await revoke()).toEqual({ ok: true, value: { alreadyInvalid: true } })
  })

  it('a wrong password is PROVIDER_REJECTED with the server’s own words', async () => {
    const f = failed(await login({ ...TP, password: WRONG }), 'PROVIDER_REJECTED')
    expect(f.message).toBe('Unable to log in with provided credentials.')
    expect(f.fields).toBeUndefined()
    expect(f.details).toEqual({ status: 400 })
    // An organization the user is not in gets the same refusal.
    const other = failed(await login({ ...TP, organization_id: 'initech' }), 'PROVIDER_REJECTED')
    expect(other.message).toBe('Unable to log in with provided credentials.')
  })

  it('a missing field is VALIDATION_FAILED before anything is sent', async () => {
    const before = tp.stats.loginRequests
    const f = failed(await login({ username: TP.username, password: '' }), 'VALIDATION_FAILED')
    expect(f.fields).toEqual({
      password: ['This field is required.'],
      organization_id: ['This field is required.'],
    })
    expect(tp.stats.loginRequests).toBe(before)
  })

  it('maps the server’s own field errors to the profile’s field names', async () => {
    // The built-in profile never sends an empty field; a variant with an optional field does,
    // so the server answers DRF-style { organization_id: ["This field is required."] }.
    const lax = variant('tpstreams', (p) => {
      for (const f of p.fields) if (f.name === 'organization_id') f.required = false
    })
    const r = await engine.login({
      profile: lax,
      baseUrl: tp.baseUrl,
      fields: { username: TP.username, password: TP.password },
    })
    const f = failed(r, 'PROVIDER_REJECTED')
    expect(f.fields).toEqual({ organization_id: ['This field is required.'] })
    expect(f.message).toBe('Some fields need attention.')
  })

  it('after 20 live tokens for an organization, the 21st login carries the sandbox’s refusal', async () => {
    const own = await startTpstreamsSandbox({ clock })
    try {
      const fields = { ...TP, organization_id: 'globex' }
      for (let i = 0; i < 20; i++) {
        minted(await engine.login({ profile, baseUrl: own.baseUrl, fields }))
      }
      expect(own.liveTokenCount('globex')).toBe(20)
      const r = await engine.login({ profile, baseUrl: own.baseUrl, fields })
      const f = failed(r, 'PROVIDER_REJECTED')
      expect(f.message).toBe(
        'Maximum of 20 authentication tokens reached for this organization. Delete an existing token and try again.',
      )
      expect(own.liveTokenCount('globex')).toBe(20)
      expect(own.stats.loginRequests).toBe(21)
      // The cap counts every user of the organization, and only that organization.
      const ops = { username: 'ops@globex.test', password: 'globex-demo-password' }
      const fromOps = await engine.login({
        profile,
        baseUrl: own.baseUrl,
        fields: { ...ops, organization_id: 'globex' },
      })
      expect(failed(fromOps, 'PROVIDER_REJECTED').message).toMatch(/^Maximum of 20/)
      minted(await engine.login({ profile, baseUrl: own.baseUrl, fields: TP }))
    } finally {
      await own.close()
    }
  })
})

describe('xpay profile against its sandbox', () => {
  const profile = builtin('xpay')
  let xp: XpaySandbox
  const login = (fields: FieldValues = XPAY) =>
    engine.login({ profile, baseUrl: xp.baseUrl, fields })
  beforeAll(async () => (xp = await startXpaySandbox({ clock })))
  afterAll(() => xp.close())

  it('logs in to a Bearer JWT whose expiry is the sandbox’s expiresAt, with scopes and a secret ticket', async () => {
    const t = minted(await login())
    expect(t.scheme).toBe('Bearer')
    expect(t.headerName).toBe('Authorization')
    expect(t.issuedAt).toBe(T)
    expect(t.expiresAt).toBe(T + xp.tokenTtlMs)
    expect(decodeJwt(t.token).exp).toBe(Math.floor((T + xp.tokenTtlMs) / 1000))
    expect(t.metadata).toEqual({ scopes: ['tme_user'], requestId: expect.stringMatching(UUID) })
    expect(t.secretMetadata).toEqual({ ticket: expect.stringMatching(/^[0-9a-f]{32}$/) })
    const res = await fetch(`${xp.baseUrl}/client/profile`, { headers: authHeader(t) })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ success: { data: { username: XPAY.username } } })
  })

  it('keeps each user’s scopes', async () => {
    const admin = { username: 'admin@acme.test', secretKey: 'xpay-admin-secret-key' }
    secrets.add(admin.secretKey)
    expect(minted(await login(admin)).metadata.scopes).toEqual(['tme_admin'])
  })

  it('a wrong key is PROVIDER_REJECTED with the error tag and request id for support', async () => {
    const f = failed(await login({ ...XPAY, secretKey: WRONG }), 'PROVIDER_REJECTED')
    expect(f.message).toBe('invalid credentials')
    expect(f.details).toEqual({
      status: 401,
      errorTag: expect.stringMatching(UUID),
      requestId: expect.stringMatching(UUID),
    })
    expect(f.details?.errorTag).not.toBe(f.details?.requestId)
  })

  it('revoke is UNSUPPORTED and the token stays valid', async () => {
    const t = minted(await login())
    const f = failed(
      await engine.revoke({ profile, baseUrl: xp.baseUrl, fields: XPAY, token: t.token }),
      'UNSUPPORTED',
    )
    expect(f.message).toMatch(/no way to revoke/)
    expect(xp.isTokenValid(t.token)).toBe(true)
  })
})

describe('classic token API profile against its sandbox', () => {
  const profile = builtin('classic')
  let cl: ClassicSandbox
  const login = (fields: FieldValues = CLASSIC) =>
    engine.login({ profile, baseUrl: cl.baseUrl, fields })
  const signup = (fields: FieldValues, p = profile) =>
    engine.signup({ profile: p, baseUrl: cl.baseUrl, fields })
  const me = (t: MintedToken) => fetch(`${cl.baseUrl}/api/me`, { headers: authHeader(t) })
  beforeAll(async () => (cl = await startClassicSandbox({ clock })))
  afterAll(() => cl.close())

  it('logs in with a form body to a token valid for exactly 24 hours from the injected clock', async () => {
    const t = minted(await login())
    expect(t).toEqual({
      token: expect.stringMatching(HEX40),
      headerName: 'Authorization',
      scheme: 'Token',
      issuedAt: T,
      expiresAt: T + 24 * 3600 * 1000,
      metadata: {},
      secretMetadata: {},
    })
    const res = await me(t)
    expect([res.status, await res.json()]).toEqual([200, { username: 'admin' }])
  })

  it('revokes: ok, then /api/me answers 401, then a second revoke says already invalid', async () => {
    const t = minted(await login())
    const revoke = () => engine.revoke({ profile, baseUrl: cl.baseUrl, token: t.token })
    expect(await revoke()).toEqual({ ok: true, value: { alreadyInvalid: false } })
    const res = await me(t)
    expect([res.status, await res.json()]).toEqual([401, { detail: 'Invalid token.' }])
    expect(await revoke()).toEqual({ ok: true, value: { alreadyInvalid: true } })
  })

  it('HTTP 200 with success:false is PROVIDER_REJECTED with the docs’ message', async () => {
    const f = failed(await login({ ...CLASSIC, password: WRONG }), 'PROVIDER_REJECTED')
    expect(f.message).toBe('Please enter a correct username and password.')
    expect(f.fields).toBeUndefined()
    expect(f.details).toEqual({ status: 200 })
    const unknown = failed(
      await login({ username: 'nobody', password: WRONG }),
      'PROVIDER_REJECTED',
    )
    expect(unknown.message).toBe('Please enter a correct username and password.')
  })

  it('signup with missing fields: client-side, keyed by the signup form’s field names', async () => {
    const before = cl.stats.signupRequests
    const f = failed(await signup({ username: 'admin' }), 'VALIDATION_FAILED')
    expect(f.fields).toEqual({
      email: ['This field is required.'],
      password1: ['This field is required.'],
      password2: ['This field is required.'],
      accept_tos: ['This must be checked.'],
    })
    expect(cl.stats.signupRequests).toBe(before)
  })

  it('signup with the docs’ request (username=admin only) returns the docs’ errors, field by field', async () => {
    // The built-in form requires every field; a variant with optional fields sends the docs'
    // exact request, so the server answers the docs' exact errors object.
    const lax = variant('classic', (p) => {
      for (const f of p.signup?.fields ?? []) f.required = false
    })
    const f = failed(await signup({ username: 'admin' }, lax), 'PROVIDER_REJECTED')
    expect(f.fields).toEqual({
      accept_tos: ['This field is required.'],
      email: ['This field is required.'],
      password1: ['This field is required.'],
      password2: ['This field is required.'],
      username: ['A user with that username already exists.'],
    })
    expect(f.message).toBe('Some fields need attention.')
  })

  it('signup with a taken username, a bad email and mismatched passwords', async () => {
    const fields = {
      username: 'admin',
      email: 'not-an-email',
      password1: 'first-Password-1',
      password2: 'second-Password-2',
      accept_tos: 'true',
    }
    secrets.add(fields.password1).add(fields.password2)
    const f = failed(await signup(fields), 'PROVIDER_REJECTED')
    expect(f.fields).toEqual({
      email: ['Enter a valid email address.'],
      password2: ["The two password fields didn't match."],
      username: ['A user with that username already exists.'],
    })
  })

  it('signup returns a 24-hour token and the new account’s login fields, which then log in', async () => {
    const fields = {
      username: 'neo',
      email: 'neo@example.com',
      password1: 'follow-the-white-rabbit',
      password2: 'follow-the-white-rabbit',
      accept_tos: 'true',
    }
    secrets.add(fields.password1)
    const r = await signup(fields)
    if (!r.ok) throw new Error(`signup failed: ${r.code} ${r.message}`)
    const t = r.value.minted
    expect(t).not.toBeNull()
    if (t) secrets.add(t.token)
    expect(t?.token).toMatch(HEX40)
    expect(t?.expiresAt).toBe(T + 24 * 3600 * 1000)
    expect(r.value.accountFields).toEqual({ username: 'neo', password: 'follow-the-white-rabbit' })
    const again = minted(await login(r.value.accountFields))
    expect((await me(again)).status).toBe(200)
    // Signing up the same name twice is refused by the server, per field.
    const dup = failed(await signup(fields), 'PROVIDER_REJECTED')
    expect(dup.fields).toEqual({ username: ['A user with that username already exists.'] })
  })
})
