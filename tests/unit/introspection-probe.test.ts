// Token introspection (RFC 7662) declared as a profile's probe: the token goes in the form body
// with the client's id (and, for a confidential client, its secret from a secret field), no auth
// header is sent, and the answer's `active` is the verdict: true good, false refused. Against the
// sandbox's authorization server (a token revoked per RFC 7009 turns inactive) and a recording
// server (what exactly is sent). Profiles that would send the header elsewhere are refused.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProviderEngine } from '../../src/main/providers/engine'
import { createHttpClient } from '../../src/main/providers/http-client'
import { DEMO_USERS, startOauthSandbox, type OauthSandbox } from '../../src/main/sandbox'
import { parseProfile, type ProviderProfile } from '../../src/shared/providers/profile'
import { loginAsPerson } from '../helpers/oauth-browser'
import { startRecordingServer } from '../helpers/recording-server'

const user = DEMO_USERS.oauth[0]!
let sb: OauthSandbox
const engine = createProviderEngine({ http: createHttpClient(), clock: { now: () => Date.now() } })

const INTROSPECT = {
  method: 'POST',
  path: '/oauth/introspect',
  encoding: 'form',
  body: { token: { $token: true }, token_type_hint: 'access_token', client_id: 'tokendeck-cli' },
  activePath: 'active',
}

/** The sandbox's device profile with an introspection probe instead of /api/me. */
function withIntrospection(probe: unknown = INTROSPECT): ProviderProfile {
  const raw = JSON.parse(readFileSync('tests/fixtures/profiles/oauth-device-sandbox.json', 'utf8'))
  const p = parseProfile({ ...raw, probe })
  if (!p.ok) throw new Error(JSON.stringify(p.details))
  return p.value
}

beforeAll(async () => {
  sb = await startOauthSandbox({ device: { intervalMs: 1000 } })
})
afterAll(() => sb.close())

/** A device login approved at once (the sandbox's real clock; a short real wait). */
async function deviceToken(profile: ProviderProfile): Promise<string> {
  const { r } = await loginAsPerson(
    engine,
    { profile, baseUrl: sb.baseUrl, fields: { user: 'dev' } },
    (p) => void sb.approveDevice(p.userCode!, user.username),
  )
  if (!r.ok) throw new Error(r.message)
  return r.value.token
}

describe('an introspection probe', () => {
  it('says good while the token is active, refused once it is revoked (RFC 7009)', async () => {
    const profile = withIntrospection()
    const token = await deviceToken(profile)
    const probe = () =>
      engine.probe({
        profile,
        baseUrl: sb.baseUrl,
        header: { name: 'Authorization', value: `Bearer ${token}` },
        token,
        fields: { user: 'dev' },
      })
    expect(await probe()).toMatchObject({ ok: true, value: { verdict: 'good', status: 200 } })
    const revoked = await engine.revoke({ profile, baseUrl: sb.baseUrl, token })
    expect(revoked).toMatchObject({ ok: true })
    expect(sb.isAccessTokenValid(token)).toBe(false)
    // Introspection answers 200 either way: the verdict comes from `active`, not the status.
    expect(await probe()).toMatchObject({ ok: true, value: { verdict: 'refused', status: 200 } })
  })

  it('sends the token and the client secret in the body only, never a header; masks them', async () => {
    let answer: unknown = { active: true }
    const server = await startRecordingServer(() => ({ status: 200, json: answer }))
    try {
      const raw = JSON.parse(
        readFileSync('tests/fixtures/profiles/oauth-device-sandbox.json', 'utf8'),
      )
      const p = parseProfile({
        ...raw,
        fields: [
          ...raw.fields,
          { name: 'client_secret', label: 'Client secret', kind: 'secret', role: 'secret' },
        ],
        probe: {
          ...INTROSPECT,
          body: { ...INTROSPECT.body, client_secret: { $field: 'client_secret' } },
        },
      })
      if (!p.ok) throw new Error(JSON.stringify(p.details))
      const probe = () =>
        engine.probe({
          profile: p.value,
          baseUrl: server.baseUrl,
          header: { name: 'Authorization', value: 'Bearer tok-123456789' },
          token: 'tok-123456789',
          fields: { user: 'dev', client_secret: 'cs-secret-987654' },
        })
      expect(await probe()).toMatchObject({ ok: true, value: { verdict: 'good' } })
      const sent = server.requests[0]!
      expect(sent.headers.authorization).toBeUndefined()
      expect(JSON.stringify(sent.headers)).not.toContain('tok-123456789')
      expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({
        token: 'tok-123456789',
        token_type_hint: 'access_token',
        client_id: 'tokendeck-cli',
        client_secret: 'cs-secret-987654',
      })
      // An answer without a boolean `active` says nothing about the token.
      answer = { active: 'yes' }
      const unsure = await probe()
      expect(unsure).toMatchObject({ ok: true, value: { verdict: 'inconclusive' } })
      expect(JSON.stringify(unsure)).not.toMatch(/tok-123456789|cs-secret-987654/)
    } finally {
      await server.close()
    }
  })

  it('a probe that sends the header may not name another origin; $token only in revoke and probe', () => {
    const raw = JSON.parse(
      readFileSync('tests/fixtures/profiles/oauth-device-sandbox.json', 'utf8'),
    )
    const headerElsewhere = parseProfile({
      ...raw,
      probe: { method: 'GET', path: 'https://elsewhere.example/me' },
    })
    expect(headerElsewhere.ok).toBe(false)
    if (!headerElsewhere.ok) {
      expect(JSON.stringify(headerElsewhere.details)).toContain('only an introspection probe')
    }
    // An introspection endpoint on the authorization server's own origin is fine.
    expect(
      parseProfile({ ...raw, probe: { ...INTROSPECT, path: 'https://id.example.com/introspect' } })
        .ok,
    ).toBe(true)
  })
})
