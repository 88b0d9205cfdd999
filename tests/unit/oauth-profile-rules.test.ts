// The rules of OAuth login profiles: what an import refuses (a client secret in a plain field,
// a parameter TokenDeck sets itself, Basic with no secret, `$token` outside revoke, a plain-http
// endpoint to another host), HTTP Basic client authentication end to end with the sandbox's
// confidential client and its secret kept out of every message, and the RFC 7009 revoke request
// (the token in the body only, no Authorization header) as a recording server receives it.
import { readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createProviderEngine } from '../../src/main/providers/engine'
import { createHttpClient } from '../../src/main/providers/http-client'
import { LoginPrompts } from '../../src/main/providers/login-prompts'
import { DEMO_USERS, startOauthSandbox, type OauthSandbox } from '../../src/main/sandbox'
import { parseProfile, type ProviderProfile } from '../../src/shared/providers/profile'
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server'
import { consentInBrowser } from '../helpers/oauth-browser'

const user = DEMO_USERS.oauth[0]!
const engine = createProviderEngine({ http: createHttpClient(), clock: { now: () => Date.now() } })
type Json = Record<string, unknown>
const fixture = (name: string) =>
  JSON.parse(readFileSync(`tests/fixtures/profiles/${name}.json`, 'utf8')) as Json

/** The code-flow sandbox profile with `change` applied to a copy of it. */
function codeProfile(change: (p: Json & { login: Json; fields: Json[] }) => void): Json {
  const p = fixture('oauth-code-sandbox') as Json & { login: Json; fields: Json[] }
  change(p)
  return p
}

function problemsOf(input: Json): string[] {
  const r = parseProfile(input)
  expect(r.ok).toBe(false)
  return r.ok ? [] : ((r.details?.problems as string[] | undefined) ?? [])
}

const secretField = {
  name: 'client_secret',
  label: 'Client secret',
  kind: 'secret',
  role: 'secret',
}

describe('an import refuses, saying which key and why', () => {
  it('a client secret naming a field that is not a secret', () => {
    const p = codeProfile((x) => {
      x.fields.push({ name: 'client_id', label: 'Client ID' })
      x.login.clientSecret = { $field: 'client_id' }
    })
    expect(problemsOf(p)).toContain(
      'login.clientSecret: a client secret must be a secret field ("client_id" is not)',
    )
  })

  it('a secret field named as the client id or a parameter', () => {
    const p = codeProfile((x) => {
      x.fields.push(secretField)
      x.login.clientId = { $field: 'client_secret' }
      x.login.params = { audience: { $field: 'client_secret' } }
    })
    const problems = problemsOf(p)
    expect(problems).toContain(
      'login.clientId: "client_secret" is a secret field: only clientSecret may name one',
    )
    expect(problems).toContain(
      'login.params.audience: "client_secret" is a secret field: only clientSecret may name one',
    )
  })

  it.each(['state', 'code_challenge', 'redirect_uri', 'client_id', 'scope', 'code_verifier'])(
    'the reserved parameter %s',
    (key) => {
      const p = codeProfile((x) => (x.login.params = { [key]: 'mine' }))
      expect(problemsOf(p)).toContain(`login.params.${key}: "${key}" is set by TokenDeck itself`)
    },
  )

  it('clientAuth "basic" without a client secret', () => {
    const p = codeProfile((x) => (x.login.clientAuth = 'basic'))
    expect(problemsOf(p)).toContain(
      'login.clientAuth: "basic" sends a client secret: name one in clientSecret',
    )
  })

  it('"$token" anywhere but the revoke and probe bodies', () => {
    const p = codeProfile((x) => {
      ;(x.refresh as { body: Json }).body.token = { $token: true }
    })
    expect(problemsOf(p)).toContain(
      'refresh.body.token: "$token" can only be sent by the revoke and probe requests',
    )
  })

  it.each([
    ['login', 'tokenUrl', 'http://id.example.com/token'],
    ['login', 'authorizationUrl', 'http://id.example.com/auth'],
    ['revoke', 'path', 'http://evil.example/revoke'],
    ['refresh', 'path', 'http://10.0.0.8/token'],
    ['login', 'tokenUrl', 'ftp://id.example.com/token'],
    ['login', 'tokenUrl', 'https://me:pw@id.example.com/token'],
  ])('a %s %s of %s', (where, key, url) => {
    const p = codeProfile((x) => ((x[where] as Json)[key] = url))
    const problems = problemsOf(p)
    expect(
      problems.some((m) => m.startsWith(`${where}.${key}: `)),
      problems.join('\n'),
    ).toBe(true)
  })

  it('but takes https anywhere and plain http to this machine', () => {
    for (const url of [
      'https://id.example.com/token',
      'http://127.0.0.1:8080/oauth/token',
      'http://localhost:8080/oauth/token',
      'http://[::1]:8080/oauth/token',
    ]) {
      expect(parseProfile(codeProfile((x) => (x.login.tokenUrl = url))).ok, url).toBe(true)
    }
  })
})

/** Signs in on the sandbox's consent page and follows the redirect back to the listener. */
async function browser(_sb: OauthSandbox, url: string): Promise<void> {
  await consentInBrowser(url, { username: user.username, password: user.secret })
}

async function codeLogin(sb: OauthSandbox, profile: ProviderProfile, secret: string) {
  const hub = new LoginPrompts()
  const acting: Promise<void>[] = []
  hub.subscribe((e) => {
    if (e.type === 'shown') acting.push(browser(sb, e.prompt.url))
  })
  const run = hub.begin({ accountId: 'a1', label: 'srv', provider: profile.name })
  const r = await engine.login({
    profile,
    baseUrl: sb.baseUrl,
    fields: { user: 'dev', client_secret: secret },
    interaction: run.interaction,
  })
  run.end(r.ok ? 'done' : 'failed')
  await Promise.all(acting)
  return r
}

/** The code-flow profile as the confidential client, its secret sent as HTTP Basic. */
function basicProfile(tokenUrl = '/oauth/token'): ProviderProfile {
  const p = parseProfile(
    codeProfile((x) => {
      x.fields.push(secretField)
      x.login.clientId = 'tokendeck-server'
      x.login.clientSecret = { $field: 'client_secret' }
      x.login.clientAuth = 'basic'
      x.login.tokenUrl = tokenUrl
    }),
  )
  if (!p.ok) throw new Error(JSON.stringify(p.details))
  return p.value
}

describe('clientAuth "basic" with the sandbox confidential client', () => {
  let sb: OauthSandbox
  let rec: RecordingServer | undefined
  const demoSecret = 'tokendeck-server-demo-secret'
  beforeAll(async () => {
    sb = await startOauthSandbox()
  })
  afterAll(() => sb.close())
  afterEach(async () => {
    await rec?.close()
    rec = undefined
  })

  it('logs in through the code flow, the secret in the Basic header', async () => {
    const before = sb.issuedByGrant.authorization_code
    const r = await codeLogin(sb, basicProfile(), demoSecret)
    expect(r).toMatchObject({ ok: true })
    if (!r.ok) return
    expect(sb.isAccessTokenValid(r.value.token)).toBe(true)
    expect(sb.issuedByGrant.authorization_code).toBe(before + 1)
  })

  it('sends id and secret form-encoded in Basic (RFC 6749 §2.3.1), neither in the body', async () => {
    rec = await startRecordingServer(() => ({
      status: 200,
      json: { access_token: 'at-from-recorder', token_type: 'Bearer', expires_in: 60 },
    }))
    // A secret with the characters Basic must encode: ":" (the separator), a space, "+", "%".
    const secret = 'p:a ss+w%rd'
    const r = await codeLogin(sb, basicProfile(`${rec.baseUrl}/token`), secret)
    expect(r).toMatchObject({ ok: true, value: { token: 'at-from-recorder' } })
    const [req] = rec.requests
    const basic = Buffer.from(
      `tokendeck-server:${encodeURIComponent(secret).replace(/%20/g, '+')}`,
    ).toString('base64')
    expect(req!.headers.authorization).toBe(`Basic ${basic}`)
    const form = new URLSearchParams(req!.body)
    expect(form.get('grant_type')).toBe('authorization_code')
    expect(form.has('client_secret')).toBe(false)
    expect(form.has('client_id')).toBe(false)
    expect(req!.body).not.toContain('w%25rd')
  })

  it('a wrong secret is a clear refusal that never shows the secret', async () => {
    const wrong = 'not-the-demo-secret-but-close'
    const before = sb.issuedByGrant.authorization_code
    const r = await codeLogin(sb, basicProfile(), wrong)
    expect(r).toMatchObject({
      ok: false,
      code: 'PROVIDER_REJECTED',
      details: { oauthError: 'invalid_client' },
    })
    if (!r.ok) {
      expect(r.message).toMatch(/refused \(invalid_client\)/)
      expect(JSON.stringify(r)).not.toContain(wrong)
    }
    expect(sb.issuedByGrant.authorization_code).toBe(before)
  })

  it('a token endpoint that echoes the secret, raw, encoded or as the Basic header, shows none of it', async () => {
    const secret = 'Echo-Me-If-You-Dare-0123'
    let echo = ''
    rec = await startRecordingServer((req) => {
      const auth = String(req.headers.authorization ?? '')
      echo =
        `bad client ${secret} / ${encodeURIComponent(secret)} / ` +
        `${secret.replace(/E/g, '&#69;')} / you sent "${auth}"\u202E\nnext`
      return { status: 401, json: { error: 'invalid_client', error_description: echo } }
    })
    const r = await codeLogin(sb, basicProfile(`${rec.baseUrl}/token`), secret)
    expect(r).toMatchObject({ ok: false, code: 'PROVIDER_REJECTED' })
    if (r.ok) return
    const basic = String(rec.requests[0]!.headers.authorization).slice('Basic '.length)
    const all = JSON.stringify(r)
    for (const form of [secret, secret.toLowerCase(), basic, basic.slice(8, 40)]) {
      expect(all).not.toContain(form)
    }
    // Server text as plain text: no line break or bidi control from the server.
    expect(r.message).not.toMatch(/[\n\r\u202A-\u202E\u2066-\u2069]/)
    expect(r.message).toContain('[redacted]')
  })
})

describe('an RFC 7009 revoke ({ "$token": true })', () => {
  let rec: RecordingServer
  beforeAll(async () => {
    rec = await startRecordingServer(() => ({ status: 200, json: {} }))
  })
  afterAll(() => rec.close())

  it('sends the token in the form body only, with no Authorization header', async () => {
    const p = parseProfile(fixture('oidc-generic'))
    if (!p.ok) throw new Error('fixture')
    const token = 'at.revoke-me.0123456789'
    const r = await engine.revoke({ profile: p.value, baseUrl: rec.baseUrl, token })
    expect(r).toEqual({ ok: true, value: { alreadyInvalid: false } })
    const req = rec.requests.at(-1)!
    expect(req.method).toBe('POST')
    expect(req.path).toBe('/protocol/openid-connect/revoke')
    expect(req.contentType).toMatch(/^application\/x-www-form-urlencoded/)
    expect(req.headers.authorization).toBeUndefined()
    expect(Object.values(req.headers).join('\n')).not.toContain(token)
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      token,
      token_type_hint: 'access_token',
      client_id: 'tokendeck-desktop',
    })
  })

  it('while a revoke without "$token" sends the token in the auth header, not the body', async () => {
    const p = parseProfile(fixture('oidc-generic'))
    if (!p.ok) throw new Error('fixture')
    const profile = { ...p.value, revoke: { ...p.value.revoke!, body: { client_id: 'x' } } }
    const token = 'at.header-one.0123456789'
    const r = await engine.revoke({ profile, baseUrl: rec.baseUrl, token })
    expect(r.ok).toBe(true)
    const req = rec.requests.at(-1)!
    expect(req.headers.authorization).toBe(`Bearer ${token}`)
    expect(req.body).not.toContain(token)
  })
})
