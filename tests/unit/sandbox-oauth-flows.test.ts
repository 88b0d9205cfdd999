// The sandbox's OAuth authorization server follows the RFCs over real HTTP on loopback, with an
// injected clock: authorization code + PKCE (consent page, loopback redirects, replay revokes),
// device authorization (pending, slow_down, approval, denial, expiry), client credentials,
// refresh of each, revocation and introspection.
import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startOauthSandbox, type OauthSandbox } from '../../src/main/sandbox'
import { base32Decode, totp } from '../../src/main/sandbox/totp-check'

const user = DEMO_USERS.oauth[0]!
const CLI = 'tokendeck-cli'
const SERVER = 'tokendeck-server'
let now = 1_800_000_000_000
const clock = { now: () => now }
let sb: OauthSandbox
let secret: string
/** The client's loopback redirect listener: records each callback's query. */
let callback: http.Server
let callbackUrl: string
const callbacks: URLSearchParams[] = []

beforeAll(async () => {
  sb = await startOauthSandbox({ clock, device: { intervalMs: 1000, expiresInMs: 120_000 } })
  secret = sb.clients.find((c) => c.clientId === SERVER)!.secret!
  callback = http.createServer((req, res) => {
    callbacks.push(new URL(req.url ?? '/', 'http://x').searchParams)
    res.end('done')
  })
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve))
  callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`
})
afterAll(async () => {
  await sb.close()
  await new Promise((resolve) => callback.close(resolve))
})

type Json = Record<string, unknown>
const basic = (id: string, s: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(s)}`).toString('base64')}`

async function post(
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${sb.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
    redirect: 'manual',
  })
  const text = await res.text()
  const body = res.headers.get('content-type')?.startsWith('application/json')
    ? (JSON.parse(text) as Json)
    : {}
  return { status: res.status, headers: res.headers, body, text }
}
const token = (form: Record<string, string>, headers?: Record<string, string>) =>
  post('/oauth/token', form, headers)
const me = async (accessToken: string) =>
  (await fetch(`${sb.baseUrl}/api/me`, { headers: { authorization: `Bearer ${accessToken}` } }))
    .status

function pkce() {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

function authorizeUrl(p: Record<string, string>): string {
  const q = new URLSearchParams({ response_type: 'code', client_id: CLI, scope: 'read', ...p })
  return `${sb.baseUrl}/oauth/authorize?${q.toString()}`
}

/** Opens the consent page; answers its request id (the form's hidden field). */
async function consent(
  url: string,
): Promise<{ status: number; html: string; requestId: string; res: Response }> {
  const res = await fetch(url, { redirect: 'manual' })
  const html = await res.text()
  return {
    status: res.status,
    html,
    requestId: /name="request_id" value="([0-9a-f]+)"/.exec(html)?.[1] ?? '',
    res,
  }
}

/** Runs the consent as a browser would (GET the page, POST its form); answers the 302's target. */
async function authorize(p: Record<string, string>, decision = 'allow', password = user.secret) {
  const page = await consent(authorizeUrl(p))
  expect(page.status).toBe(200)
  const answer = await post('/oauth/authorize/decision', {
    request_id: page.requestId,
    username: user.username,
    password,
    decision,
  })
  return {
    status: answer.status,
    location: new URL(answer.headers.get('location') ?? 'about:blank'),
  }
}

/** A code for the public client, redirected to `redirect`; with its verifier. */
async function code(redirect = callbackUrl, clientId = CLI) {
  const { verifier, challenge } = pkce()
  const a = await authorize({
    client_id: clientId,
    redirect_uri: redirect,
    state: 's',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })
  expect(a.status).toBe(302)
  return { code: a.location.searchParams.get('code')!, verifier }
}

const exchange = (
  c: { code: string; verifier: string },
  redirect = callbackUrl,
  extra: Record<string, string> = {},
) =>
  token({
    grant_type: 'authorization_code',
    code: c.code,
    redirect_uri: redirect,
    client_id: CLI,
    code_verifier: c.verifier,
    ...extra,
  })

describe('authorization code + PKCE', () => {
  it('end to end: consent page (strict CSP, no script), Allow, the 302 followed to the loopback listener, exchange, API, refresh', async () => {
    const { verifier, challenge } = pkce()
    const state = 'st&te=/?é <x>'
    const page = await consent(
      authorizeUrl({
        redirect_uri: callbackUrl,
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    )
    expect(page.status).toBe(200)
    expect(page.res.headers.get('content-security-policy')).toMatch(/default-src 'none'/)
    expect(page.html).not.toMatch(/<script/i)
    expect(page.html).toMatch(
      /name="username"[\s\S]*name="password"[\s\S]*value="allow"[\s\S]*value="deny"/,
    )
    // The browser submits the form and follows the redirect to the client's loopback listener.
    const before = callbacks.length
    const res = await fetch(`${sb.baseUrl}/oauth/authorize/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        request_id: page.requestId,
        username: user.username,
        password: user.secret,
        decision: 'allow',
      }),
    })
    expect(await res.text()).toBe('done')
    const got = callbacks[before]!
    expect(got.get('state')).toBe(state)
    const issuedBefore = sb.issuedByGrant.authorization_code
    const t = await exchange({ code: got.get('code')!, verifier })
    expect(t.status).toBe(200)
    expect(t.headers.get('cache-control')).toBe('no-store')
    expect(t.body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'read' })
    expect(t.body.refresh_token).toMatch(/^rt_/)
    expect(sb.issuedByGrant.authorization_code).toBe(issuedBefore + 1)
    expect(await me(t.body.access_token as string)).toBe(200)
    const r = await token({
      grant_type: 'refresh_token',
      refresh_token: t.body.refresh_token as string,
      client_id: CLI,
    })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ scope: 'read' })
    expect(await me(r.body.access_token as string)).toBe(200)
    expect(sb.isRefreshTokenValid(t.body.refresh_token as string)).toBe(false)
  })

  it('a replayed code is invalid_grant and revokes the tokens issued from it (refreshed ones too)', async () => {
    const c = await code()
    const first = await exchange(c)
    expect(first.status).toBe(200)
    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token as string,
      client_id: CLI,
    })
    expect(refreshed.status).toBe(200)
    const replay = await exchange(c)
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(replay.body.access_token).toBeUndefined()
    for (const t of [first.body.access_token, refreshed.body.access_token] as string[]) {
      expect(await me(t)).toBe(401)
      expect(sb.isAccessTokenValid(t)).toBe(false)
    }
    const again = await token({
      grant_type: 'refresh_token',
      refresh_token: refreshed.body.refresh_token as string,
      client_id: CLI,
    })
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
  })

  it('a wrong verifier is invalid_grant and spends the code; a redirect_uri mismatch is invalid_grant', async () => {
    const c = await code()
    const wrong = await exchange({ code: c.code, verifier: pkce().verifier })
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(wrong.body.error_description).toMatch(/code_verifier/)
    expect((await exchange(c)).body).toMatchObject({ error: 'invalid_grant' })
    const d = await code()
    const mismatch = await exchange(d, callbackUrl.replace('/callback', '/other'))
    expect(mismatch).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(mismatch.body.error_description).toMatch(/redirect_uri/)
  })

  it('a code expires after 60 s (injected clock); another client cannot exchange it', async () => {
    const c = await code()
    const stolen = await exchange(c, callbackUrl, {
      client_id: SERVER,
      client_secret: secret,
    })
    expect(stolen).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    now += 61_000
    const late = await exchange(c)
    expect(late).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(late.body.error_description).toMatch(/expired/)
  })

  it('Deny redirects with access_denied and the state; a wrong password re-shows the page, no redirect', async () => {
    const p = {
      redirect_uri: callbackUrl,
      state: 'keep-me',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    }
    const denied = await authorize(p, 'deny')
    expect(denied.status).toBe(302)
    expect(Object.fromEntries(denied.location.searchParams)).toMatchObject({
      error: 'access_denied',
      state: 'keep-me',
    })
    expect(denied.location.searchParams.has('code')).toBe(false)
    const bad = await authorize(p, 'allow', 'wrong-password')
    expect(bad.status).toBe(401)
    expect(bad.location.href).toBe('about:blank')
  })

  it('an unknown client or an unregistered redirect URI gets a 400 page and no redirect', async () => {
    const challenge = pkce().challenge
    const base = { code_challenge: challenge, code_challenge_method: 'S256', state: 's' }
    const refused = [
      { ...base, client_id: 'evil', redirect_uri: callbackUrl },
      { ...base, redirect_uri: 'https://evil.test/cb' },
      { ...base, redirect_uri: 'http://localhost:8080/cb' },
      { ...base, redirect_uri: 'http://127.1:8080/cb' },
      { ...base, redirect_uri: 'http://127.0.0.1.evil.test/cb' },
      { ...base, redirect_uri: 'http://user@127.0.0.1:8080/cb' },
      { ...base, redirect_uri: 'http://127.0.0.1:8080/cb#frag' },
      { ...base, redirect_uri: 'https://app.tokendeck.test/callback' }, // the confidential client's
      { ...base },
    ]
    for (const p of refused) {
      const page = await consent(authorizeUrl(p))
      expect(page.status, JSON.stringify(p)).toBe(400)
      expect(page.res.headers.get('location')).toBeNull()
    }
    // Any port on either loopback literal is fine for the public client (RFC 8252 §7.3).
    for (const redirect of ['http://127.0.0.1:1/x', 'http://[::1]:65000/cb?a=1']) {
      expect((await consent(authorizeUrl({ ...base, redirect_uri: redirect }))).status).toBe(200)
    }
  })

  it('a TOTP user needs a current one-time code on the consent page, once', async () => {
    const otpUser = DEMO_USERS.oauth.find((u) => u.totpSeed)!
    const p = {
      redirect_uri: callbackUrl,
      state: 's',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    }
    const submit = async (otp: string) => {
      const page = await consent(authorizeUrl(p))
      const form = {
        request_id: page.requestId,
        username: otpUser.username,
        password: otpUser.secret,
      }
      return post('/oauth/authorize/decision', { ...form, otp, decision: 'allow' })
    }
    const missing = await submit('')
    expect(missing.status).toBe(401)
    expect(missing.text).toMatch(/one-time code/)
    const current = totp(base32Decode(otpUser.totpSeed!)!, now)
    const ok = await submit(current)
    expect(ok.status).toBe(302)
    expect(new URL(ok.headers.get('location')!).searchParams.get('code')).toMatch(/^ac_/)
    const replay = await submit(current)
    expect(replay.status).toBe(401)
    expect(replay.text).toMatch(/already used/)
  })

  it('without S256 PKCE the request is refused by redirect (invalid_request), with the state', async () => {
    const variants: Record<string, string>[] = [
      {},
      { code_challenge: pkce().challenge, code_challenge_method: 'plain' },
    ]
    for (const p of variants) {
      const res = await fetch(authorizeUrl({ redirect_uri: callbackUrl, state: 'z', ...p }), {
        redirect: 'manual',
      })
      expect(res.status).toBe(302)
      const loc = new URL(res.headers.get('location')!)
      expect(loc.searchParams.get('error')).toBe('invalid_request')
      expect(loc.searchParams.get('state')).toBe('z')
    }
  })

  it('the confidential client must authenticate to exchange its code (Basic works)', async () => {
    const c = await code(callbackUrl, SERVER)
    const anonymous = await exchange(c, callbackUrl, { client_id: SERVER })
    expect(anonymous).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
    const d = await code(callbackUrl, SERVER)
    const good = await token(
      {
        grant_type: 'authorization_code',
        code: d.code,
        redirect_uri: callbackUrl,
        code_verifier: d.verifier,
      },
      { authorization: basic(SERVER, secret) },
    )
    expect(good.status).toBe(200)
    const r = await token({
      grant_type: 'refresh_token',
      refresh_token: good.body.refresh_token as string,
      client_id: SERVER,
    })
    expect(r).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
    const r2 = await token(
      { grant_type: 'refresh_token', refresh_token: good.body.refresh_token as string },
      { authorization: basic(SERVER, secret) },
    )
    expect(r2.status).toBe(200)
    expect(await me(r2.body.access_token as string)).toBe(200)
  })
})

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
const startDevice = async () => {
  const res = await post('/oauth/device_authorization', { client_id: CLI, scope: 'read write' })
  expect(res.status).toBe(200)
  return res.body as {
    device_code: string
    user_code: string
    verification_uri: string
    verification_uri_complete: string
    expires_in: number
    interval: number
  }
}
const poll = (deviceCode: string) =>
  token({ grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: CLI })

describe('device authorization (RFC 8628)', () => {
  it('pending, slow_down (the interval grows by 5 s), approved, token once; its refresh works', async () => {
    const d = await startDevice()
    expect(d.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
    expect(d).toMatchObject({
      verification_uri: `${sb.baseUrl}/device`,
      expires_in: 120,
      interval: 1,
    })
    expect(d.verification_uri_complete).toBe(`${sb.baseUrl}/device?user_code=${d.user_code}`)
    expect((await poll(d.device_code)).body).toMatchObject({ error: 'authorization_pending' })
    const fast = await poll(d.device_code)
    expect(fast.body).toMatchObject({ error: 'slow_down', interval: 6 })
    now += 1_000 // the old interval is not enough any more
    expect((await poll(d.device_code)).body).toMatchObject({ error: 'slow_down', interval: 11 })
    expect(sb.approveDevice(d.user_code.toLowerCase().replace('-', ''), user.username)).toBe(true)
    now += 11_000
    const t = await poll(d.device_code)
    expect(t.status).toBe(200)
    expect(t.body).toMatchObject({ token_type: 'Bearer', scope: 'read write' })
    expect(await me(t.body.access_token as string)).toBe(200)
    now += 11_000
    expect((await poll(d.device_code)).body).toMatchObject({ error: 'invalid_grant' })
    const r = await token({
      grant_type: 'refresh_token',
      refresh_token: t.body.refresh_token as string,
      client_id: CLI,
    })
    expect(r.status).toBe(200)
    expect(sb.approveDevice(d.user_code, user.username)).toBe(false)
  })

  it("the verification page approves with the user's password; the form has no script", async () => {
    const d = await startDevice()
    const page = await fetch(d.verification_uri_complete)
    const html = await page.text()
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/)
    expect(html).not.toMatch(/<script/i)
    expect(html).toContain(`value="${d.user_code}"`)
    const wrong = await post('/device/decision', {
      user_code: d.user_code,
      username: user.username,
      password: 'nope',
      decision: 'approve',
    })
    expect(wrong.status).toBe(401)
    expect((await poll(d.device_code)).body).toMatchObject({ error: 'authorization_pending' })
    const ok = await post('/device/decision', {
      user_code: d.user_code,
      username: user.username,
      password: user.secret,
      decision: 'approve',
    })
    expect(ok.status).toBe(200)
    now += 1_000
    const t = await poll(d.device_code)
    expect(t.status).toBe(200)
    expect(sb.issuedByGrant.device_code).toBeGreaterThanOrEqual(2)
  })

  it('denied is access_denied; after expires_in it is expired_token and cannot be approved', async () => {
    const denied = await startDevice()
    expect(sb.denyDevice(denied.user_code)).toBe(true)
    expect((await poll(denied.device_code)).body).toMatchObject({ error: 'access_denied' })
    const late = await startDevice()
    now += 120_000
    expect(sb.approveDevice(late.user_code, user.username)).toBe(false)
    expect((await poll(late.device_code)).body).toMatchObject({ error: 'expired_token' })
    const viaPage = await post('/device/decision', {
      user_code: late.user_code,
      username: user.username,
      password: user.secret,
      decision: 'approve',
    })
    expect(viaPage.status).toBe(400)
  })

  it('another client cannot poll the device code; an unknown client gets none', async () => {
    const d = await startDevice()
    const other = await token({
      grant_type: DEVICE_GRANT,
      device_code: d.device_code,
      client_id: 'tokendeck',
    })
    expect(other.status).toBe(400)
    expect(other.body.access_token).toBeUndefined()
    expect((await post('/oauth/device_authorization', { client_id: 'evil' })).body).toMatchObject({
      error: 'invalid_client',
    })
  })
})

describe('client credentials (RFC 6749 §4.4)', () => {
  it('Basic or form secret gets an access token without a refresh token; sub is the client', async () => {
    const viaBasic = await token(
      { grant_type: 'client_credentials', scope: 'write' },
      { authorization: basic(SERVER, secret) },
    )
    expect(viaBasic.status).toBe(200)
    expect(viaBasic.body).toMatchObject({ token_type: 'Bearer', scope: 'write' })
    expect(viaBasic.body.refresh_token).toBeUndefined()
    const res = await fetch(`${sb.baseUrl}/api/me`, {
      headers: { authorization: `Bearer ${viaBasic.body.access_token as string}` },
    })
    expect(await res.json()).toMatchObject({ username: SERVER })
    const viaForm = await token({
      grant_type: 'client_credentials',
      client_id: SERVER,
      client_secret: secret,
    })
    expect(viaForm).toMatchObject({ status: 200, body: { scope: 'read' } })
  })

  it('a wrong secret is invalid_client (401, WWW-Authenticate: Basic for Basic); a public client is refused', async () => {
    const viaBasic = await token(
      { grant_type: 'client_credentials' },
      { authorization: basic(SERVER, 'wrong') },
    )
    expect(viaBasic).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
    expect(viaBasic.headers.get('www-authenticate')).toMatch(/^Basic /)
    const viaForm = await token({
      grant_type: 'client_credentials',
      client_id: SERVER,
      client_secret: 'wrong',
    })
    expect(viaForm).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
    const both = await token(
      { grant_type: 'client_credentials', client_secret: secret },
      { authorization: basic(SERVER, secret) },
    )
    expect(both).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
    const pub = await token({ grant_type: 'client_credentials', client_id: CLI })
    expect(pub).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } })
    const scope = await token(
      { grant_type: 'client_credentials', scope: 'admin' },
      { authorization: basic(SERVER, secret) },
    )
    expect(scope).toMatchObject({ status: 400, body: { error: 'invalid_scope' } })
  })
})

describe('revocation (RFC 7009) and introspection (RFC 7662)', () => {
  it('introspection reports a live token; revoking the access token ends it at the API', async () => {
    const t = (await exchange(await code())).body
    const info = await post('/oauth/introspect', {
      token: t.access_token as string,
      client_id: CLI,
    })
    expect(info.body).toMatchObject({
      active: true,
      scope: 'read',
      client_id: CLI,
      sub: user.username,
    })
    expect(info.body.exp).toBe(Math.floor(now / 1000) + 300)
    const rev = await post('/oauth/revoke', {
      token: t.access_token as string,
      token_type_hint: 'access_token',
      client_id: CLI,
    })
    expect(rev.status).toBe(200)
    expect(await me(t.access_token as string)).toBe(401)
    expect(
      (await post('/oauth/introspect', { token: t.access_token as string, client_id: CLI })).body,
    ).toEqual({ active: false })
  })

  it('revoking a refresh token ends it and the access tokens of its grant', async () => {
    const t = (await exchange(await code())).body
    expect(
      (await post('/oauth/introspect', { token: t.refresh_token as string, client_id: CLI })).body,
    ).toMatchObject({ active: true, token_type: 'refresh_token' })
    expect(
      (await post('/oauth/revoke', { token: t.refresh_token as string, client_id: CLI })).status,
    ).toBe(200)
    const r = await token({
      grant_type: 'refresh_token',
      refresh_token: t.refresh_token as string,
      client_id: CLI,
    })
    expect(r).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(await me(t.access_token as string)).toBe(401)
  })

  it('an unknown token is 200; another client can neither revoke nor introspect a token', async () => {
    expect((await post('/oauth/revoke', { token: 'no-such-token', client_id: CLI })).status).toBe(
      200,
    )
    const t = (await exchange(await code())).body
    const other = { token: t.access_token as string, client_id: SERVER, client_secret: secret }
    expect((await post('/oauth/revoke', other)).status).toBe(200)
    expect(await me(t.access_token as string)).toBe(200)
    expect((await post('/oauth/introspect', other)).body).toEqual({ active: false })
    const unauthenticated = await post('/oauth/revoke', {
      token: t.access_token as string,
      client_id: SERVER,
    })
    expect(unauthenticated).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
    expect((await post('/oauth/revoke', { client_id: CLI })).body).toMatchObject({
      error: 'invalid_request',
    })
  })

  it('client credentials tokens are revoked and introspected by their confidential client', async () => {
    const auth = { authorization: basic(SERVER, secret) }
    const t = (await token({ grant_type: 'client_credentials' }, auth)).body
    expect(
      (await post('/oauth/introspect', { token: t.access_token as string }, auth)).body,
    ).toMatchObject({ active: true, sub: SERVER })
    expect((await post('/oauth/revoke', { token: t.access_token as string }, auth)).status).toBe(
      200,
    )
    expect(await me(t.access_token as string)).toBe(401)
  })
})
