// A body expiry may say what an answer without it means: `"whenAbsent": "none"`, a token valid
// until revoked (GitHub sends `expires_in` only for apps with expiring tokens). Through the engine
// against a recording server: present, it is the expiry; absent or null, none; malformed, still a
// bad response; and without `whenAbsent`, absent stays a bad response as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProviderEngine } from '../../src/main/providers/engine'
import { createHttpClient } from '../../src/main/providers/http-client'
import { parseProfile, type ProviderProfile } from '../../src/shared/providers/profile'
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server'

const T = 1_750_000_000_000
let server: RecordingServer
let answer: Record<string, unknown> = {}
const engine = createProviderEngine({ http: createHttpClient(), clock: { now: () => T } })

function profile(whenAbsent?: 'none' | 'error'): ProviderProfile {
  const p = parseProfile({
    formatVersion: 1,
    id: 'when-absent',
    name: 'When absent',
    baseUrl: server.baseUrl,
    fields: [
      { name: 'client_id', label: 'Client ID', role: 'username' },
      { name: 'client_secret', label: 'Client secret', kind: 'secret', role: 'secret' },
    ],
    login: {
      path: '/token',
      encoding: 'form',
      body: { grant_type: 'client_credentials', client_id: { $field: 'client_id' } },
      success: { status: [200] },
    },
    token: { path: 'access_token' },
    auth: { scheme: 'Bearer' },
    expiry: {
      source: 'body',
      path: 'expires_in',
      format: 'lifetime-s',
      ...(whenAbsent ? { whenAbsent } : {}),
    },
  })
  if (!p.ok) throw new Error(JSON.stringify(p.details))
  return p.value
}

beforeAll(async () => {
  server = await startRecordingServer(() => ({ status: 200, json: answer }))
})
afterAll(() => server.close())

const login = (p: ProviderProfile) =>
  engine.login({ profile: p, fields: { client_id: 'bot', client_secret: 'cs-0123456789' } })

describe('an expiry that may be absent', () => {
  it('"whenAbsent": "none": present is the expiry, absent or null is none, malformed is refused', async () => {
    const p = profile('none')
    answer = { access_token: 'a1', expires_in: 28_800 }
    expect(await login(p)).toMatchObject({ ok: true, value: { expiresAt: T + 28_800_000 } })
    answer = { access_token: 'a2' }
    expect(await login(p)).toMatchObject({ ok: true, value: { token: 'a2', expiresAt: null } })
    answer = { access_token: 'a3', expires_in: null }
    expect(await login(p)).toMatchObject({ ok: true, value: { expiresAt: null } })
    answer = { access_token: 'a4', expires_in: 'soon' }
    expect(await login(p)).toMatchObject({ ok: false, code: 'BAD_RESPONSE' })
  })

  it('without it (or "error"), an answer without the expiry is a bad response, as before', async () => {
    answer = { access_token: 'a5' }
    for (const p of [profile(), profile('error')]) {
      expect(await login(p)).toMatchObject({ ok: false, code: 'BAD_RESPONSE' })
    }
  })
})
