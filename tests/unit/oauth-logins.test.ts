// The OAuth logins a profile declares, run by the engine against the sandbox's authorization
// server over real HTTP: the device flow (the code shown, polling at the server's interval,
// slow_down adding 5 s, denial, expiry, cancel) and authorization code + PKCE (the consent page
// answered as a browser would, the loopback listener taking one answer, a wrong state, a denied
// consent, a deadline). Every failure ends with a clear error and no token issued.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createProviderEngine } from '../../src/main/providers/engine'
import { createHttpClient } from '../../src/main/providers/http-client'
import { LoginPrompts } from '../../src/main/providers/login-prompts'
import { DEMO_USERS, startOauthSandbox, type OauthSandbox } from '../../src/main/sandbox'
import type { LoginPromptView } from '../../src/shared/login-prompt'
import { parseProfile, type ProviderProfile } from '../../src/shared/providers/profile'
import { startRecordingServer } from '../helpers/recording-server'
import { consentInBrowser, loginAsPerson } from '../helpers/oauth-browser'

const user = DEMO_USERS.oauth[0]!
let now = 1_800_000_000_000
const clock = { now: () => now }
let sb: OauthSandbox
/** The waits the engine asked for between polls; each moves the shared clock by `step(ms)`. */
let waits: number[] = []
let step = (ms: number) => ms
const engine = createProviderEngine({
  http: createHttpClient(),
  clock,
  wait: async (ms) => {
    waits.push(ms)
    now += step(ms)
  },
})

function fixture(name: string): ProviderProfile {
  const raw: unknown = JSON.parse(readFileSync(`tests/fixtures/profiles/${name}.json`, 'utf8'))
  const p = parseProfile(raw)
  if (!p.ok) throw new Error(JSON.stringify(p.details))
  return p.value
}
const device = fixture('oauth-device-sandbox')
const code = fixture('oauth-code-sandbox')

beforeAll(async () => {
  sb = await startOauthSandbox({ clock, device: { intervalMs: 5000, expiresInMs: 60_000 } })
})
afterAll(() => sb.close())
beforeEach(() => {
  waits = []
  step = (ms) => ms
})

/** A login with a prompt hub; `act` is called with each step shown (as a person would act). */
const login = (
  profile: ProviderProfile,
  act: (p: LoginPromptView, hub: LoginPrompts) => void | Promise<void>,
) => loginAsPerson(engine, { profile, baseUrl: sb.baseUrl, fields: { user: 'dev' } }, act)

const grants = () => ({ ...sb.issuedByGrant })

describe('device flow', () => {
  it('shows the code and page, polls at the interval, and the token works at the API', async () => {
    let polls = 0
    const { r, shown } = await login(device, (p) => {
      expect(p.kind).toBe('device')
      expect(p.userCode).toMatch(/^[B-Z]{4}-[B-Z]{4}$/)
      expect(new URL(p.url).pathname).toBe('/device')
      // The person approves after the second poll.
      step = (ms) => {
        if (++polls === 2) sb.approveDevice(p.userCode!, user.username)
        return ms
      }
    })
    expect(r).toMatchObject({ ok: true })
    if (!r.ok) return
    expect(shown).toHaveLength(1)
    expect(shown[0]!.expiresAt).toBe(now - 10_000 + 60_000)
    // Pending at the first poll, approved before the second.
    expect(waits).toEqual([5000, 5000])
    expect(sb.isAccessTokenValid(r.value.token)).toBe(true)
    expect(r.value.refresh?.token).toBeTruthy()
    const me = await fetch(`${sb.baseUrl}/api/me`, {
      headers: { authorization: `Bearer ${r.value.token}` },
    })
    expect(me.status).toBe(200)
  })

  it('honours slow_down: the interval grows by 5 s for the rest of the login', async () => {
    let polls = 0
    let userCode = ''
    const { r } = await login(device, (p) => {
      userCode = p.userCode!
      // The second wait ends early (a clock that drifted): the server answers slow_down, and
      // every later wait is 5 s longer.
      step = (ms) => {
        polls++
        if (polls === 4) sb.approveDevice(userCode, user.username)
        return polls === 2 ? ms - 4000 : ms
      }
    })
    expect(r.ok).toBe(true)
    expect(waits).toEqual([5000, 5000, 10_000, 10_000])
  })

  it("a denied approval ends with the server's words and no token", async () => {
    const before = grants().device_code
    const { r } = await login(device, (p) => {
      step = (ms) => {
        sb.denyDevice(p.userCode!)
        return ms
      }
    })
    expect(r).toMatchObject({
      ok: false,
      code: 'PROVIDER_REJECTED',
      details: { oauthError: 'access_denied' },
    })
    if (!r.ok) expect(r.message).toMatch(/denied/)
    expect(grants().device_code).toBe(before)
  })

  it('an expired device code ends with LOGIN_EXPIRED and no token', async () => {
    const before = grants().device_code
    step = () => 61_000
    const { r } = await login(device, () => {})
    expect(r).toMatchObject({ ok: false, code: 'LOGIN_EXPIRED' })
    expect(grants().device_code).toBe(before)
    expect(waits).toHaveLength(1)
  })

  it('a cancel ends the login at once with CANCELLED', async () => {
    const { r } = await login(device, (p, hub) => {
      step = (ms) => {
        hub.cancel(p.id)
        return ms
      }
    })
    expect(r).toMatchObject({ ok: false, code: 'CANCELLED' })
  })

  it('an OAuth login with nobody to ask, or nobody watching, sends nothing', async () => {
    // A recording server stands in for the authorization server: not one request may reach it.
    const recorder = await startRecordingServer(() => ({ status: 500, json: {} }))
    try {
      const none = await engine.login({
        profile: device,
        baseUrl: recorder.baseUrl,
        fields: { user: 'x' },
      })
      expect(none).toMatchObject({ ok: false, code: 'UNSUPPORTED' })
      // A hub with no surface subscribed (a gateway request to a headless agent).
      const hub = new LoginPrompts()
      for (const profile of [device, code]) {
        const run = hub.begin({ accountId: 'a1', label: 'dev', provider: profile.name })
        const r = await engine.login({
          profile,
          baseUrl: recorder.baseUrl,
          fields: { user: 'x' },
          interaction: run.interaction,
        })
        run.end('failed')
        expect(r).toMatchObject({ ok: false, code: 'UNSUPPORTED' })
        if (!r.ok) expect(r.message).toMatch(/nobody here can be asked/)
      }
      expect(recorder.requests).toHaveLength(0)
    } finally {
      await recorder.close()
    }
  })
})

/** A browser: opens the consent page, signs in with `decision`, follows the loopback redirect. */
const browser = (url: string, decision: 'allow' | 'deny' = 'allow') =>
  consentInBrowser(url, { username: user.username, password: user.secret, decision })

describe('authorization code + PKCE', () => {
  it('the browser signs in and comes back on loopback; the code is exchanged once', async () => {
    let back: URL | undefined
    const { r, shown } = await login(code, async (p) => {
      expect(p.kind).toBe('browser')
      const q = new URL(p.url).searchParams
      expect(q.get('code_challenge_method')).toBe('S256')
      expect(q.get('scope')).toBe('read write')
      expect(q.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
      const b = await browser(p.url)
      back = b.back
      expect(b.landed.status).toBe(200)
      expect(b.landed.text).toMatch(/close this tab/)
    })
    expect(r).toMatchObject({ ok: true, value: { metadata: { scope: 'read write' } } })
    if (!r.ok) return
    expect(shown).toHaveLength(1)
    expect(sb.isAccessTokenValid(r.value.token)).toBe(true)
    // The listener took exactly one answer and is closed: the same code again reaches nothing.
    await expect(fetch(back!)).rejects.toThrow()
  })

  it('a wrong state ends the login and nothing is exchanged', async () => {
    const before = grants().authorization_code
    const { r } = await login(code, async (p) => {
      const redirect = new URL(new URL(p.url).searchParams.get('redirect_uri')!)
      redirect.search = new URLSearchParams({ code: 'forged', state: 'not-this-one' }).toString()
      const res = await fetch(redirect)
      expect(res.status).toBe(400)
    })
    expect(r).toMatchObject({
      ok: false,
      code: 'PROVIDER_REJECTED',
      details: { oauthError: 'state_mismatch' },
    })
    expect(grants().authorization_code).toBe(before)
  })

  it('another path on the listener (a favicon) is a 404 and the login goes on', async () => {
    const { r } = await login(code, async (p) => {
      const redirect = new URL(new URL(p.url).searchParams.get('redirect_uri')!)
      expect((await fetch(new URL('/favicon.ico', redirect))).status).toBe(404)
      await browser(p.url)
    })
    expect(r.ok).toBe(true)
  })

  it('a denied consent ends with a clear error and no token', async () => {
    const before = grants().authorization_code
    const { r } = await login(code, async (p) => {
      await browser(p.url, 'deny')
    })
    expect(r).toMatchObject({
      ok: false,
      code: 'PROVIDER_REJECTED',
      details: { oauthError: 'access_denied' },
    })
    if (!r.ok) expect(r.message).toMatch(/denied/)
    expect(grants().authorization_code).toBe(before)
  })

  it('a login not completed in time ends cleanly, and its listener is closed', async () => {
    const quick = { ...code, login: { ...code.login, timeoutSeconds: 0.3 } } as ProviderProfile
    let redirect: URL | undefined
    const { r } = await login(quick, (p) => {
      redirect = new URL(new URL(p.url).searchParams.get('redirect_uri')!)
    })
    expect(r).toMatchObject({ ok: false, code: 'LOGIN_EXPIRED' })
    await expect(fetch(redirect!)).rejects.toThrow()
  })
})
