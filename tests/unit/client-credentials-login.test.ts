// A machine-to-machine login (OAuth 2.0 client credentials, RFC 6749 §4.4) declared as data: a
// form POST of grant_type, client_id and the client secret (a secret field) to the token
// endpoint, the access token read from `access_token`, its expiry from `expires_in` (seconds
// from the answer: the `lifetime-s` format). Against a recording server: exactly that form is
// sent, the expiry is the instant of the answer plus expires_in, and a lifetime of 0 is refused.
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { createProviderEngine } from '../../src/main/providers/engine'
import { createHttpClient } from '../../src/main/providers/http-client'
import { parseProfile, type ProviderProfile } from '../../src/shared/providers/profile'
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server'

const T = 1_750_000_000_000

function clientCredentials(baseUrl: string): ProviderProfile {
  const r = parseProfile({
    formatVersion: 1,
    id: 'm2m',
    name: 'Machine to machine',
    baseUrl,
    fields: [
      { name: 'client_id', label: 'Client ID', role: 'username' },
      { name: 'client_secret', label: 'Client secret', kind: 'secret', role: 'secret' },
    ],
    login: {
      path: '/oauth/token',
      encoding: 'form',
      body: {
        grant_type: 'client_credentials',
        client_id: { $field: 'client_id' },
        client_secret: { $field: 'client_secret' },
        scope: 'reports:read',
      },
      success: { status: [200] },
    },
    token: { path: 'access_token' },
    auth: { scheme: 'Bearer' },
    expiry: { source: 'body', path: 'expires_in', format: 'lifetime-s' },
    errors: { messagePaths: ['error_description', 'error'] },
  })
  if (!r.ok) throw new Error(JSON.stringify(r.details))
  return r.value
}

let server: RecordingServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('client credentials', () => {
  it('sends the form, and the token expires expires_in seconds after the answer', async () => {
    let expiresIn: unknown = 3600
    server = await startRecordingServer(() => ({
      status: 200,
      json: { access_token: 'm2m-token', token_type: 'Bearer', expires_in: expiresIn },
    }))
    const engine = createProviderEngine({ http: createHttpClient(), clock: { now: () => T } })
    const login = () =>
      engine.login({
        profile: clientCredentials(server!.baseUrl),
        fields: { client_id: 'reports-bot', client_secret: 'cs-0123456789' },
      })
    const r = await login()
    expect(r).toMatchObject({ ok: true, value: { token: 'm2m-token', expiresAt: T + 3_600_000 } })
    const sent = server.requests[0]!
    expect(sent.contentType).toMatch(/^application\/x-www-form-urlencoded/)
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'reports-bot',
      client_secret: 'cs-0123456789',
      scope: 'reports:read',
    })
    expiresIn = '120'
    expect(await login()).toMatchObject({ ok: true, value: { expiresAt: T + 120_000 } })
    for (const bad of [0, -5, 'soon', null]) {
      expiresIn = bad
      expect(await login(), String(bad)).toMatchObject({ ok: false, code: 'BAD_RESPONSE' })
    }
  })
})

describe('client credentials as an OAuth login (oauth-client)', () => {
  it('sends the secret as HTTP Basic only, needs nobody to watch, and masks an echo', async () => {
    let answer: { status: number; json: unknown } = {
      status: 200,
      json: { access_token: 'basic-token', token_type: 'Bearer', expires_in: 60 },
    }
    server = await startRecordingServer(() => answer)
    const raw = JSON.parse(
      readFileSync('tests/fixtures/profiles/client-credentials-basic-sandbox.json', 'utf8'),
    ) as Record<string, unknown>
    const p = parseProfile({ ...raw, baseUrl: server.baseUrl })
    if (!p.ok) throw new Error(JSON.stringify(p.details))
    const engine = createProviderEngine({ http: createHttpClient(), clock: { now: () => T } })
    const secret = 's3cret:with space+plus%'
    const login = () =>
      engine.login({
        profile: p.value,
        fields: { client_id: 'reports bot', client_secret: secret },
      })
    // No interaction given: a machine login needs no person, unlike the browser kinds.
    expect(await login()).toMatchObject({
      ok: true,
      value: { token: 'basic-token', expiresAt: T + 60_000 },
    })
    const sent = server.requests[0]!
    const form = (s: string) => encodeURIComponent(s).replace(/%20/g, '+')
    expect(sent.headers.authorization).toBe(
      `Basic ${Buffer.from(`${form('reports bot')}:${form(secret)}`).toString('base64')}`,
    )
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'read',
    })
    answer = {
      status: 401,
      json: { error: 'invalid_client', error_description: `bad secret ${secret}` },
    }
    const refused = await login()
    expect(refused).toMatchObject({ ok: false, code: 'PROVIDER_REJECTED' })
    expect(JSON.stringify(refused)).not.toContain(secret)
  })
})
