// The sandbox provider servers, exercised over real loopback sockets with global fetch.
import { decodeJwt } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  CRLF_INJECTION,
  DEMO_USERS,
  startClassicSandbox,
  startSandbox,
  startTpstreamsSandbox,
  startXpaySandbox,
} from '../../src/main/sandbox/index'
import type { ClassicSandbox, SandboxSet, TpstreamsSandbox } from '../../src/main/sandbox/index'
import type { XpaySandbox } from '../../src/main/sandbox/index'

const HEX40 = /^[0-9a-f]{40}$/
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const ACME = { username: 'dev@acme.test', password: 'acme-demo-password', organization_id: 'acme' }
const XPAY = { username: 'dev@acme.test', secretKey: 'xpay-demo-secret-key', isAPI: true }
const CLASSIC = { username: 'admin', password: 'hunter2' }

function postJson(url: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  const headers = { 'content-type': 'application/json', ...init.headers }
  return fetch(url, { ...init, method: 'POST', headers, body: JSON.stringify(body) })
}
function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields) })
}
function auth(scheme: string, token: string): RequestInit {
  return { headers: { authorization: `${scheme} ${token}` } }
}
function mutableClock(start = 1_700_000_000_123): { now: () => number; t: number } {
  const clock = { t: start, now: () => clock.t }
  return clock
}

describe('TPStreams sandbox', () => {
  let tp: TpstreamsSandbox
  const login = (body: unknown = ACME): Promise<Response> =>
    postJson(`${tp.baseUrl}/api/auth/login/`, body)
  const assets = (org: string, init?: RequestInit): Promise<Response> =>
    fetch(`${tp.baseUrl}/api/v1/${org}/assets/`, init)
  beforeAll(async () => (tp = await startTpstreamsSandbox()))
  afterAll(() => tp.close())

  it('logs in with a new 40-hex token each time and counts the requests', async () => {
    const before = tp.stats.loginRequests
    const a = await login()
    expect(a.status).toBe(200)
    const body = (await a.json()) as { token: string }
    expect(Object.keys(body)).toEqual(['token'])
    expect(body.token).toMatch(HEX40)
    const b = (await (await login()).json()) as { token: string }
    expect(b.token).not.toBe(body.token)
    expect(tp.stats.loginRequests).toBe(before + 2)
    expect(tp.isTokenValid(body.token)).toBe(true)
  })

  it('refuses non-JSON, missing fields and bad credentials DRF-style', async () => {
    const text = await fetch(`${tp.baseUrl}/api/auth/login/`, { method: 'POST', body: 'x' })
    expect(text.status).toBe(415)
    expect(((await text.json()) as { detail: string }).detail).toMatch(/^Unsupported media type/)
    const missing = await login({ username: '', password: 'x' })
    expect(missing.status).toBe(400)
    expect(await missing.json()).toEqual({
      username: ['This field is required.'],
      organization_id: ['This field is required.'],
    })
    const refusal = { non_field_errors: ['Unable to log in with provided credentials.'] }
    const wrong = await login({ ...ACME, password: 'nope' })
    expect([wrong.status, await wrong.json()]).toEqual([400, refusal])
    const otherOrg = await login({ ...ACME, organization_id: 'initech' })
    expect([otherOrg.status, await otherOrg.json()]).toEqual([400, refusal])
  })

  it('guards the protected endpoint by scheme, token and organization', async () => {
    const { token } = (await (await login()).json()) as { token: string }
    const ok = await assets('acme', auth('Token', token))
    expect([ok.status, await ok.json()]).toEqual([200, { count: 0, results: [] }])
    const invalid = { detail: 'Invalid token.' }
    for (const init of [undefined, auth('Bearer', token), auth('Token', 'f'.repeat(40))]) {
      const res = await assets('acme', init)
      expect([res.status, await res.json()]).toEqual([401, invalid])
    }
    const forbidden = await assets('globex', auth('Token', token))
    expect(forbidden.status).toBe(403)
  })

  it('logout answers 204, deletes the token and refuses it afterwards', async () => {
    const { token } = (await (await login()).json()) as { token: string }
    const logout = (): Promise<Response> =>
      fetch(`${tp.baseUrl}/api/auth/logout/`, { method: 'POST', ...auth('Token', token) })
    const res = await logout()
    expect([res.status, await res.text()]).toEqual([204, ''])
    expect(tp.isTokenValid(token)).toBe(false)
    expect((await assets('acme', auth('Token', token))).status).toBe(401)
    const again = await logout()
    expect([again.status, await again.json()]).toEqual([401, { detail: 'Invalid token.' }])
  })

  it('caps live tokens per organization; logout frees a slot', async () => {
    const capped = await startTpstreamsSandbox()
    try {
      const url = `${capped.baseUrl}/api/auth/login/`
      const tokens: string[] = []
      for (let i = 0; i < 20; i++) {
        const res = await postJson(url, ACME)
        expect(res.status).toBe(200)
        tokens.push(((await res.json()) as { token: string }).token)
      }
      const refused = await postJson(url, ACME)
      expect([refused.status, await refused.json()]).toEqual([
        400,
        {
          non_field_errors: [
            'Maximum of 20 authentication tokens reached for this organization. Delete an existing token and try again.',
          ],
        },
      ])
      expect(capped.liveTokenCount('acme')).toBe(20)
      expect((await postJson(url, { ...ACME, organization_id: 'globex' })).status).toBe(200)
      const out = await fetch(`${capped.baseUrl}/api/auth/logout/`, {
        method: 'POST',
        ...auth('Token', tokens[0] ?? ''),
      })
      expect(out.status).toBe(204)
      expect((await postJson(url, ACME)).status).toBe(200)
    } finally {
      await capped.close()
    }
  })
})

describe('xpay sandbox', () => {
  const clock = mutableClock()
  let xp: XpaySandbox
  const authenticate = (body: unknown = XPAY, init?: RequestInit): Promise<Response> =>
    postJson(`${xp.baseUrl}/client/authenticate`, body, init)
  const profile = (init?: RequestInit): Promise<Response> =>
    fetch(`${xp.baseUrl}/client/profile`, init)
  beforeAll(async () => (xp = await startXpaySandbox({ clock })))
  afterAll(() => xp.close())

  it('answers the documented success envelope with a JWT matching expiresAt', async () => {
    const res = await authenticate({ ...XPAY, isAPI: 'true' })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { success: { data: Record<string, unknown> } }
    expect(body).toEqual({
      success: {
        message: 'Authenticated',
        data: {
          success: true,
          expiresAt: clock.t + 3_600_000,
          user: { username: 'dev@acme.test', scopes: ['tme_user'], isAPI: true },
          ticket: expect.stringMatching(/^[0-9a-f]{32}$/),
          access_token: expect.any(String),
        },
        uuid: expect.stringMatching(UUID4),
      },
    })
    const claims = decodeJwt(String(body.success.data.access_token))
    expect(claims).toMatchObject({ sub: 'dev@acme.test', scopes: ['tme_user'] })
    expect(claims.iat).toBe(Math.floor(clock.t / 1000))
    expect(claims.exp).toBe(Math.floor((clock.t + 3_600_000) / 1000))
  })

  it('answers errors in the documented envelope', async () => {
    const envelope = (message: string): unknown => ({
      error: { message, data: { invalid: true }, tag: expect.stringMatching(UUID4) },
      uuid: expect.stringMatching(UUID4),
    })
    const bad = await authenticate({ ...XPAY, secretKey: 'wrong' })
    expect([bad.status, await bad.json()]).toEqual([401, envelope('invalid credentials')])
    const missing = await authenticate({ username: 'dev@acme.test' })
    expect([missing.status, await missing.json()]).toEqual([
      400,
      envelope('username and secretKey are required'),
    ])
    const text = await authenticate(XPAY, { headers: { 'content-type': 'text/plain' } })
    expect(text.status).toBe(415)
  })

  it('accepts the JWT as Bearer on /client/profile until the clock passes expiresAt', async () => {
    xp.addUser({ username: 'ops@acme.test', secret: 's3', scopes: ['tme_admin'] })
    const res = await authenticate({ username: 'ops@acme.test', secretKey: 's3', isAPI: true })
    const data = ((await res.json()) as { success: { data: Record<string, unknown> } }).success.data
    const token = String(data.access_token)
    expect(decodeJwt(token).scopes).toEqual(['tme_admin'])
    const ok = await profile(auth('Bearer', token))
    expect([ok.status, await ok.json()]).toMatchObject([
      200,
      { success: { data: { username: 'ops@acme.test' } } },
    ])
    for (const init of [undefined, auth('Token', token), auth('Bearer', `${token}x`)]) {
      const refused = await profile(init)
      expect(refused.status).toBe(401)
      expect(await refused.json()).toMatchObject({ error: { message: 'invalid token' } })
    }
    const start = clock.t
    clock.t = Number(data.expiresAt) - 1
    expect((await profile(auth('Bearer', token))).status).toBe(200)
    clock.t = Number(data.expiresAt)
    const expired = await profile(auth('Bearer', token))
    expect(expired.status).toBe(401)
    expect(await expired.json()).toMatchObject({ error: { message: 'token expired' } })
    expect(xp.isTokenValid(token)).toBe(false)
    expect(xp.liveTokenCount()).toBe(0)
    clock.t = start
  })
})

describe('classic token API sandbox', () => {
  const clock = mutableClock()
  let cl: ClassicSandbox
  const me = (init?: RequestInit): Promise<Response> => fetch(`${cl.baseUrl}/api/me`, init)
  const logout = (token: string): Promise<Response> =>
    fetch(`${cl.baseUrl}/auth/logout`, { method: 'POST', ...auth('Token', token) })
  const login = async (fields: Record<string, string> = CLASSIC): Promise<unknown> => {
    const res = await postForm(`${cl.baseUrl}/auth/login`, fields)
    expect(res.status).toBe(200)
    return res.json()
  }
  beforeAll(async () => (cl = await startClassicSandbox({ clock })))
  afterAll(() => cl.close())

  it('reproduces the docs: signup errors per field, HTTP 200, sorted keys', async () => {
    const res = await postForm(`${cl.baseUrl}/auth/signup`, { username: 'admin' })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(
      JSON.stringify({
        errors: {
          accept_tos: ['This field is required.'],
          email: ['This field is required.'],
          password1: ['This field is required.'],
          password2: ['This field is required.'],
          username: ['A user with that username already exists.'],
        },
        success: false,
        token: null,
      }),
    )
    const mismatch = { username: 'neo', email: 'nope', password1: 'a', password2: 'b' }
    const bad = await postForm(`${cl.baseUrl}/auth/signup`, { ...mismatch, accept_tos: 'false' })
    expect(await bad.json()).toEqual({
      errors: {
        accept_tos: ['This field is required.'],
        email: ['Enter a valid email address.'],
        password2: ["The two password fields didn't match."],
      },
      success: false,
      token: null,
    })
  })

  it('signs up, then logs in with a new token each time', async () => {
    const fields = { username: 'neo', email: 'neo@example.com', password1: 'pw', password2: 'pw' }
    const before = cl.stats.signupRequests
    const res = await postForm(`${cl.baseUrl}/auth/signup`, { ...fields, accept_tos: 'on' })
    const body = (await res.json()) as { token: string }
    expect(body).toEqual({ errors: {}, success: true, token: expect.stringMatching(HEX40) })
    expect(cl.stats.signupRequests).toBe(before + 1)
    const a = (await login({ username: 'neo', password: 'pw' })) as { token: string }
    const b = (await login({ username: 'neo', password: 'pw' })) as { token: string }
    expect(a).toEqual({ errors: {}, success: true, token: expect.stringMatching(HEX40) })
    expect(new Set([body.token, a.token, b.token]).size).toBe(3)
  })

  it('answers login failures as HTTP 200 form errors', async () => {
    expect(await login({})).toEqual({
      errors: { password: ['This field is required.'], username: ['This field is required.'] },
      success: false,
      token: null,
    })
    expect(await login({ username: 'admin', password: 'wrong' })).toEqual({
      errors: { __all__: ['Please enter a correct username and password.'] },
      success: false,
      token: null,
    })
  })

  it('guards /api/me, logs out with success true then false, expires after 24h', async () => {
    const { token } = (await login()) as { token: string }
    const ok = await me(auth('Token', token))
    expect([ok.status, await ok.json()]).toEqual([200, { username: 'admin' }])
    const none = await me(auth('Bearer', token))
    expect([none.status, await none.json()]).toEqual([
      401,
      { detail: 'Authentication credentials were not provided.' },
    ])
    expect(await (await logout(token)).json()).toEqual({ success: true })
    expect(await (await logout(token)).json()).toEqual({ success: false })
    expect(await (await me(auth('Token', token))).json()).toEqual({ detail: 'Invalid token.' })

    const { token: daily } = (await login()) as { token: string }
    const start = clock.t
    clock.t = start + 24 * 3_600_000 - 1
    expect((await me(auth('Token', daily))).status).toBe(200)
    clock.t = start + 24 * 3_600_000
    const expired = await me(auth('Token', daily))
    expect([expired.status, await expired.json()]).toEqual([401, { detail: 'Token expired.' }])
    expect(await (await logout(daily)).json()).toEqual({ success: false })
    clock.t = start
  })
})

describe('fault switches', () => {
  let sb: SandboxSet
  const loginUrl = (): string => `${sb.tpstreams.baseUrl}/api/auth/login/`
  const login = (init?: RequestInit): Promise<Response> => postJson(loginUrl(), ACME, init)
  beforeAll(async () => (sb = await startSandbox()))
  afterEach(() => sb.tpstreams.setFault(null))
  afterAll(() => sb.close())

  it('delay answers normally late, and still mints if the client gave up', async () => {
    sb.tpstreams.setFault({ kind: 'delay', ms: 60 })
    const started = Date.now()
    const res = await login()
    expect(Date.now() - started).toBeGreaterThanOrEqual(55)
    expect(((await res.json()) as { token: string }).token).toMatch(HEX40)
    const live = sb.tpstreams.liveTokenCount('acme')
    sb.tpstreams.setFault({ kind: 'delay', ms: 120 })
    await expect(login({ signal: AbortSignal.timeout(30) })).rejects.toThrow()
    await vi.waitFor(() => expect(sb.tpstreams.liveTokenCount('acme')).toBe(live + 1))
  })

  it('html, empty, malformed-json and json replace the body', async () => {
    sb.tpstreams.setFault({ kind: 'html', status: 502 })
    const html = await login()
    expect([html.status, html.headers.get('content-type')]).toEqual([502, 'text/html'])
    expect(await html.text()).toContain('<h1>502 Bad Gateway</h1>')
    sb.tpstreams.setFault({ kind: 'empty', status: 200 })
    const empty = await login()
    expect([empty.status, empty.headers.get('content-type'), await empty.text()]).toEqual([
      200,
      'application/json',
      '',
    ])
    sb.tpstreams.setFault({ kind: 'malformed-json' })
    expect(await (await login()).text()).toBe('{"token": "abc')
    sb.tpstreams.setFault({ kind: 'json', status: 429, body: [1], contentType: 'text/plain' })
    const json = await login()
    expect([json.status, json.headers.get('content-type'), await json.text()]).toEqual([
      429,
      'text/plain',
      '[1]',
    ])
  })

  it('huge-body streams without Content-Length; huge-declared lies about it', async () => {
    sb.tpstreams.setFault({ kind: 'huge-body', bytes: 3_000_000 })
    const huge = await login()
    expect(huge.headers.get('content-length')).toBeNull()
    expect((await huge.arrayBuffer()).byteLength).toBe(3_000_000)
    sb.tpstreams.setFault({ kind: 'huge-body', bytes: 50_000_000 }, { times: 1 })
    const cut = await login()
    const reader = cut.body?.getReader()
    expect((await reader?.read())?.done).toBe(false)
    await reader?.cancel()
    expect((await login()).status).toBe(200)
    sb.tpstreams.setFault({ kind: 'huge-declared', bytes: 10_000_000 })
    const declared = await login()
    expect(declared.headers.get('content-length')).toBe('10000000')
    await expect(declared.text()).rejects.toThrow()
  })

  it('trickle sends one byte per interval', async () => {
    sb.tpstreams.setFault({ kind: 'trickle', intervalMs: 5, bytes: 16 })
    const started = Date.now()
    const res = await login()
    expect(await res.json()).toEqual({ token: 'aaaa' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(70)
    sb.tpstreams.setFault({ kind: 'trickle', intervalMs: 50, bytes: 100 })
    const slow = await login({ signal: AbortSignal.timeout(120) })
    await expect(slow.text()).rejects.toThrow()
  })

  it('redirect, reset and hang', async () => {
    sb.tpstreams.setFault({ kind: 'redirect', status: 307, location: 'http://127.0.0.2/x' })
    const moved = await login({ redirect: 'manual' })
    expect([moved.status, moved.headers.get('location')]).toEqual([307, 'http://127.0.0.2/x'])
    sb.tpstreams.setFault({ kind: 'reset' })
    await expect(login()).rejects.toThrow()
    sb.tpstreams.setFault({ kind: 'hang' })
    const [requests, live] = [sb.tpstreams.stats.loginRequests, sb.tpstreams.liveTokenCount()]
    await expect(login({ signal: AbortSignal.timeout(300) })).rejects.toThrow(/timeout|abort/i)
    expect(sb.tpstreams.stats.loginRequests).toBe(requests + 1)
    expect(sb.tpstreams.liveTokenCount()).toBe(live)
  })

  it('mint-then-hang mints a real token that counts toward the cap', async () => {
    sb.tpstreams.setFault({ kind: 'mint-then-hang' })
    const live = sb.tpstreams.liveTokenCount('acme')
    await expect(login({ signal: AbortSignal.timeout(200) })).rejects.toThrow()
    expect(sb.tpstreams.liveTokenCount('acme')).toBe(live + 1)
  })

  it('token-crlf answers each provider’s own success shape with an injected token', async () => {
    sb.tpstreams.setFault({ kind: 'token-crlf' })
    const tp = (await (await login()).json()) as { token: string }
    expect(tp.token.endsWith(CRLF_INJECTION)).toBe(true)
    sb.xpay.setFault({ kind: 'token-crlf' })
    const xp = (await (await postJson(`${sb.xpay.baseUrl}/client/authenticate`, XPAY)).json()) as {
      success: { data: { access_token: string; success: boolean } }
    }
    expect(xp.success.data).toMatchObject({ success: true })
    expect(xp.success.data.access_token).toContain(CRLF_INJECTION)
    sb.classic.setFault({ kind: 'token-crlf' })
    const cl = await (await postForm(`${sb.classic.baseUrl}/auth/login`, CLASSIC)).json()
    expect(cl).toEqual({
      errors: {},
      success: true,
      token: expect.stringContaining(CRLF_INJECTION),
    })
    sb.xpay.setFault(null)
    sb.classic.setFault(null)
  })

  it('echo repeats the request in each encoding, in each provider’s own failure shape', async () => {
    const secret = `s3cr<t> & "é"`
    const body = { ...ACME, password: secret }
    const echoed = (r: unknown): string =>
      (r as { non_field_errors: string[] }).non_field_errors[0]!
    sb.tpstreams.setFault({ kind: 'echo', encoding: 'raw' })
    const raw = await postJson(loginUrl(), body)
    const rawJson = (await raw.json()) as Record<string, string[]>
    expect(raw.status).toBe(400)
    expect(rawJson.password![0]).toContain(JSON.stringify(body))
    expect(rawJson.non_field_errors![0]).toContain(JSON.stringify(body))
    sb.tpstreams.setFault({ kind: 'echo', encoding: 'html' })
    const html = (await (await postJson(loginUrl(), body)).json()) as {
      non_field_errors: string[]
    }
    expect(html.non_field_errors[0]).toContain('password=s3cr&lt;t&gt; &amp; &quot;é&quot;')
    sb.tpstreams.setFault({ kind: 'echo', encoding: 'json' })
    const json = await (await postJson(loginUrl(), body)).json()
    expect(echoed(json)).toContain(String.raw`password=s3cr\u003ct\u003e \u0026 \"\u00e9\"`)
    sb.tpstreams.setFault({ kind: 'echo', encoding: 'url' })
    const url = await (await postJson(loginUrl(), body)).json()
    expect(echoed(url)).toContain('password%3Ds3cr%3Ct%3E+%26+%22%C3%A9%22')

    sb.xpay.setFault({ kind: 'echo', encoding: 'html' })
    const xp = await postJson(`${sb.xpay.baseUrl}/client/authenticate`, {
      ...XPAY,
      secretKey: secret,
    })
    expect(xp.status).toBe(400)
    expect(((await xp.json()) as { error: { message: string } }).error.message).toContain(
      'secretKey=s3cr&lt;t&gt;',
    )
    sb.classic.setFault({ kind: 'echo', encoding: 'raw' }, { route: 'signup' })
    const signup = await postForm(`${sb.classic.baseUrl}/auth/signup`, { password1: secret })
    expect(signup.status).toBe(200)
    expect(await signup.json()).toEqual({
      errors: {
        __all__: [`Please correct: ${new URLSearchParams({ password1: secret }).toString()}`],
        password1: [`Not valid in: ${new URLSearchParams({ password1: secret }).toString()}`],
      },
      success: false,
      token: null,
    })
    sb.xpay.setFault(null)
    sb.classic.setFault(null)
  })

  it('applies to the chosen route only, for `times` requests', async () => {
    sb.tpstreams.setFault({ kind: 'empty', status: 500 }, { route: 'protected', times: 1 })
    const { token } = (await (await login()).json()) as { token: string }
    const assets = (): Promise<Response> =>
      fetch(`${sb.tpstreams.baseUrl}/api/v1/acme/assets/`, auth('Token', token))
    expect((await assets()).status).toBe(500)
    expect((await assets()).status).toBe(200)
    sb.tpstreams.setFault({ kind: 'html', status: 503 }, { route: 'any', times: 2 })
    expect((await assets()).status).toBe(503)
    expect((await login()).status).toBe(503)
    expect((await login()).status).toBe(200)
  })

  it('close() finishes with hung sockets open', async () => {
    const own = await startXpaySandbox({ users: DEMO_USERS.xpay })
    own.setFault({ kind: 'hang' })
    const pending = postJson(`${own.baseUrl}/client/authenticate`, XPAY).then(
      () => 'answered',
      () => 'rejected',
    )
    await vi.waitFor(() => expect(own.stats.loginRequests).toBe(1))
    const started = Date.now()
    await own.close()
    expect(Date.now() - started).toBeLessThan(500)
    expect(await pending).toBe('rejected')
  })
})
