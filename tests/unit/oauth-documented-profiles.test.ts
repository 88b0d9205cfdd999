// The OAuth profiles docs/providers.md shows (GitHub's device flow, a generic OpenID Connect
// provider, the sandbox's two) are the fixtures, and log in, refresh, probe and revoke against a
// standard OAuth server: the sandbox's, the GitHub one answering token errors with HTTP 200 as
// GitHub does. Only the origins and paths are rewritten to the sandbox's; every other key is as
// documented.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProviderEngine } from '../../src/main/providers/engine'
import { createHttpClient } from '../../src/main/providers/http-client'
import {
  DEMO_OAUTH_CLIENTS,
  DEMO_USERS,
  startOauthSandbox,
  type OauthClient,
  type OauthSandbox,
} from '../../src/main/sandbox'
import type { LoginPromptView } from '../../src/shared/login-prompt'
import { parseProfile, type ProviderProfile } from '../../src/shared/providers/profile'
import { consentInBrowser, loginAsPerson } from '../helpers/oauth-browser'

const user = DEMO_USERS.oauth[0]!
let now = 1_800_000_000_000
const clock = { now: () => now }
/** What a person does at each device-flow wait (approve after some polls); moves the clock. */
let onWait: (ms: number) => void = () => {}
const engine = createProviderEngine({
  http: createHttpClient(),
  clock,
  wait: async (ms) => {
    now += ms
    onWait(ms)
  },
})

const fixtureText = (name: string) => readFileSync(`tests/fixtures/profiles/${name}.json`, 'utf8')

/** A documented profile with some JSON strings replaced (origins and paths), validated. */
function rewritten(name: string, map: Record<string, string>): ProviderProfile {
  let text = fixtureText(name)
  for (const [from, to] of Object.entries(map)) {
    const quoted = JSON.stringify(from)
    expect(text, `${name} has ${from}`).toContain(quoted)
    text = text.split(quoted).join(JSON.stringify(to))
  }
  const p = parseProfile(JSON.parse(text))
  if (!p.ok) throw new Error(JSON.stringify(p.details))
  return p.value
}

// The clients the documented profiles name, registered on the sandbox as their servers have them.
const GITHUB_APP: OauthClient = {
  clientId: 'REPLACE-WITH-YOUR-CLIENT-ID',
  redirectUris: [],
  loopbackRedirects: false,
  grants: ['device_code'],
  scopes: ['repo', 'read:org', 'gist'],
  defaultScopes: [],
}
const OIDC_CLIENT: OauthClient = {
  clientId: 'tokendeck-desktop',
  redirectUris: [],
  loopbackRedirects: true,
  grants: ['authorization_code'],
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  defaultScopes: ['openid'],
}

let github: OauthSandbox
let oidc: OauthSandbox
let ghProfile: ProviderProfile
let oidcProfile: ProviderProfile

beforeAll(async () => {
  const clients = [...DEMO_OAUTH_CLIENTS, GITHUB_APP, OIDC_CLIENT]
  github = await startOauthSandbox({ clock, clients, tokenErrorsAs200: true })
  oidc = await startOauthSandbox({ clock, clients })
  ghProfile = rewritten('github-device', {
    'https://github.com/login/device/code': `${github.baseUrl}/oauth/device_authorization`,
    'https://github.com/login/oauth/access_token': `${github.baseUrl}/oauth/token`,
    'https://api.github.com': github.baseUrl,
    '/user': '/api/me',
  })
  oidcProfile = rewritten('oidc-generic', {
    'https://id.example.com/realms/acme': oidc.baseUrl,
    '/protocol/openid-connect/auth': '/oauth/authorize',
    '/protocol/openid-connect/token': '/oauth/token',
    '/protocol/openid-connect/revoke': '/oauth/revoke',
    '/protocol/openid-connect/userinfo': '/api/me',
  })
})
afterAll(async () => {
  await github.close()
  await oidc.close()
})

/** A login with a prompt hub; `act` is called with the step shown, as a person would act. */
async function login(
  profile: ProviderProfile,
  act: (p: LoginPromptView) => void | Promise<void>,
  baseUrl?: string,
) {
  const fields = { login: 'octocat', user: 'dev' }
  return (await loginAsPerson(engine, { profile, baseUrl, fields }, act)).r
}

/** A browser at the sandbox: signs in on the consent page, follows the redirect to loopback. */
async function browser(_sb: OauthSandbox, url: string): Promise<void> {
  const { landed } = await consentInBrowser(url, { username: user.username, password: user.secret })
  expect(landed.status).toBe(200)
}

const headerOf = (t: { headerName: string; scheme: string; token: string }) => ({
  name: t.headerName,
  value: `${t.scheme} ${t.token}`,
})

describe('docs/providers.md shows the OAuth fixtures as they are', () => {
  it.each([
    ['oauth-device-example', 'oauth-device-sandbox'],
    ['oauth-code-example', 'oauth-code-sandbox'],
    ['github-device-example', 'github-device'],
    ['oidc-example', 'oidc-generic'],
  ])('%s is tests/fixtures/profiles/%s.json, and it validates', (marker, file) => {
    const md = readFileSync('docs/providers.md', 'utf8')
    const fence = '`'.repeat(3)
    const m = new RegExp(`<!-- ${marker}:start -->\\s*${fence}json\\n([\\s\\S]*?)${fence}`).exec(md)
    expect(m?.[1], marker).toBeDefined()
    const fixture = JSON.parse(fixtureText(file)) as unknown
    expect(JSON.parse(m![1]!)).toEqual(fixture)
    expect(parseProfile(fixture).ok).toBe(true)
  })
})

describe("GitHub's device flow (the sandbox answering token errors with HTTP 200, as GitHub)", () => {
  it('a pending poll is answered 200 with an error, and the login waits for the approval', async () => {
    // The server's side of it: a token-endpoint refusal with status 200.
    const res = await fetch(`${github.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'rt_nope' }),
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' })

    let polls = 0
    const before = github.issuedByGrant.device_code
    const r = await login(ghProfile, (p) => {
      expect(p.kind).toBe('device')
      // Two polls answered 200 + authorization_pending, then the person approves.
      onWait = () => {
        if (++polls === 3) github.approveDevice(p.userCode!, user.username)
      }
    })
    onWait = () => {}
    // The sandbox answers expires_in, as GitHub does for apps with expiring tokens.
    expect(r).toMatchObject({ ok: true, value: { expiresAt: now + github.accessTtlMs } })
    if (!r.ok) return
    expect(polls).toBe(3)
    expect(github.issuedByGrant.device_code).toBe(before + 1)
    expect(r.value.metadata.scope).toBe('repo read:org')
    expect(github.isAccessTokenValid(r.value.token)).toBe(true)
    // The profile's probe (GET /user at GitHub) says good with the new token.
    const probe = await engine.probe({ profile: ghProfile, header: headerOf(r.value) })
    expect(probe).toMatchObject({ ok: true, value: { verdict: 'good' } })

    // An app with expiring tokens gets a refresh token: refreshed with the client id only.
    const rt = r.value.refresh!.token
    const refreshed = await engine.refresh({ profile: ghProfile, fields: {}, refreshToken: rt })
    expect(refreshed).toMatchObject({ ok: true })
    if (!refreshed.ok) return
    expect(github.isAccessTokenValid(refreshed.value.token)).toBe(true)
    expect(refreshed.value.expiresAt).toBe(now + github.accessTtlMs)
    expect(refreshed.value.refresh?.token).not.toBe(rt)
    expect(github.isRefreshTokenValid(rt)).toBe(false)

    // The used refresh token again: GitHub-style 200 + error is a refusal of the refresh token
    // (dropped, a login follows), not an unreadable success that would keep it.
    const again = await engine.refresh({ profile: ghProfile, fields: {}, refreshToken: rt })
    expect(again).toMatchObject({
      ok: false,
      code: 'PROVIDER_REJECTED',
      details: { refresh: 'refused' },
    })
    if (!again.ok) expect(again.message).not.toContain(rt)
  })

  it('a denial answered 200 + access_denied ends the login with no token', async () => {
    const before = github.issuedByGrant.device_code
    const r = await login(ghProfile, (p) => {
      onWait = () => void github.denyDevice(p.userCode!)
    })
    onWait = () => {}
    expect(r).toMatchObject({
      ok: false,
      code: 'PROVIDER_REJECTED',
      details: { oauthError: 'access_denied' },
    })
    expect(github.issuedByGrant.device_code).toBe(before)
  })
})

describe('a generic OpenID Connect provider (authorization code + PKCE)', () => {
  it('signs in in the browser, probes userinfo, refreshes with rotation, revokes per RFC 7009', async () => {
    const r = await login(oidcProfile, async (p) => {
      expect(p.kind).toBe('browser')
      const q = new URL(p.url).searchParams
      expect(q.get('scope')).toBe('openid profile offline_access')
      expect(q.get('prompt')).toBe('login')
      expect(q.get('code_challenge_method')).toBe('S256')
      await browser(oidc, p.url)
    })
    expect(r).toMatchObject({
      ok: true,
      value: { metadata: { scope: 'openid profile offline_access' } },
    })
    if (!r.ok) return
    expect(r.value.expiresAt).toBe(now + oidc.accessTtlMs)
    const probe = await engine.probe({ profile: oidcProfile, header: headerOf(r.value) })
    expect(probe).toMatchObject({ ok: true, value: { verdict: 'good' } })

    const rt = r.value.refresh!.token
    const refreshed = await engine.refresh({ profile: oidcProfile, fields: {}, refreshToken: rt })
    expect(refreshed).toMatchObject({ ok: true })
    if (!refreshed.ok) return
    expect(refreshed.value.refresh?.token).toBeTruthy()
    expect(oidc.isRefreshTokenValid(rt)).toBe(false)
    expect(oidc.isRefreshTokenValid(refreshed.value.refresh!.token)).toBe(true)

    const token = refreshed.value.token
    expect(oidc.isAccessTokenValid(token)).toBe(true)
    const revoked = await engine.revoke({ profile: oidcProfile, token })
    expect(revoked).toEqual({ ok: true, value: { alreadyInvalid: false } })
    expect(oidc.isAccessTokenValid(token)).toBe(false)
    const after = await engine.probe({ profile: oidcProfile, header: headerOf(refreshed.value) })
    expect(after).toMatchObject({ ok: true, value: { verdict: 'refused' } })
  })
})
