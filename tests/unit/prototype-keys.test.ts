// Guarantee: profile field names such as "constructor" and "toString" are plain keys. A value
// left out is empty (never an Object.prototype member), a request body carries exactly the values
// given, and "__proto__" is refused as a key anywhere in a profile.
import { afterEach, describe, expect, it } from 'vitest'
import { createProviderEngine } from '../../src/main/providers/engine'
import type { HttpClient, HttpRequest } from '../../src/main/providers/http-client'
import { parseUserProfile } from '../../src/main/providers/registry'
import { splitFields } from '../../src/main/vault/accounts'
import { ok } from '../../src/shared/result'
import type { ProviderProfile } from '../../src/shared/providers/profile'
import { actionFixture } from '../helpers/actions'
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server'

const PROFILE = {
  formatVersion: 1,
  id: 'proto-keys',
  name: 'Proto keys',
  baseUrl: 'https://proto.example.test',
  fields: [
    { name: 'username', label: 'User', role: 'username' },
    { name: 'password', label: 'Password', kind: 'secret', role: 'secret' },
    { name: 'constructor', label: 'Constructor' },
    { name: 'toString', label: 'To string', required: false },
    { name: 'valueOf', label: 'Value of', required: false },
  ],
  login: {
    path: '/login',
    body: {
      username: { $field: 'username' },
      password: { $field: 'password' },
      constructor: { $field: 'constructor' },
      toString: { $field: 'toString' },
      hasOwnProperty: { $field: 'valueOf' },
    },
    success: { status: [200] },
  },
  token: { path: 'token' },
  auth: { scheme: 'Token' },
  expiry: { source: 'none' },
  revoke: {
    path: '/logout',
    encoding: 'form',
    body: { constructor: { $field: 'constructor' }, toString: { $field: 'toString' } },
    success: { status: [200] },
  },
}

function profile(): ProviderProfile {
  const r = parseUserProfile(JSON.stringify(PROFILE))
  if (!r.ok) throw new Error(JSON.stringify(r.details))
  return r.value
}

/** An HTTP client that records each request and answers with a token. */
function recordingClient(): HttpClient & { sent: HttpRequest[] } {
  const sent: HttpRequest[] = []
  return {
    sent,
    send(req) {
      sent.push(req)
      const json = { token: 'tok-123456' }
      const text = JSON.stringify(json)
      const res = { status: 200, headers: {}, mediaType: 'application/json', text, json }
      return Promise.resolve(ok({ ...res, jsonInvalid: false }))
    },
  }
}

describe('field names that are Object.prototype members', () => {
  it('import as plain fields; "__proto__" is refused with the reason wherever it appears', () => {
    expect(profile().fields.map((f) => f.name)).toEqual([
      'username',
      'password',
      'constructor',
      'toString',
      'valueOf',
    ])
    const asField = structuredClone(PROFILE)
    asField.fields[2]!.name = '__proto__'
    const r1 = parseUserProfile(JSON.stringify(asField))
    expect(!r1.ok && (r1.details?.problems as string[]).join()).toMatch(/fields\.2\.name/)
    // JSON.parse keeps "__proto__" as a key; zod would drop it from a record without a word.
    const asBodyKey = JSON.stringify(PROFILE).replace('"hasOwnProperty":', '"__proto__":')
    const r2 = parseUserProfile(asBodyKey)
    expect(!r2.ok && r2.details?.problems).toEqual([
      'login.body.__proto__: "__proto__" cannot be a key (not a field, body or metadata name)',
    ])
  })

  it('the engine reads only own values: a missing "constructor" is required, not a function', async () => {
    const http = recordingClient()
    const engine = createProviderEngine({ http, clock: { now: () => 1_750_000_000_000 } })
    const p = profile()
    const missing = await engine.login({ profile: p, fields: { username: 'u', password: 'pw' } })
    expect(!missing.ok && [missing.code, missing.fields]).toEqual([
      'VALIDATION_FAILED',
      { constructor: ['This field is required.'] },
    ])
    expect(http.sent).toEqual([])

    const given = { username: 'u', password: 'pw', constructor: 'c' }
    expect((await engine.login({ profile: p, fields: given })).ok).toBe(true)
    expect(http.sent[0]?.body).toEqual({
      kind: 'json',
      value: { username: 'u', password: 'pw', constructor: 'c', toString: '', hasOwnProperty: '' },
    })
    const revoked = await engine.revoke({ profile: p, fields: {}, token: 'tok-123456' })
    expect(revoked.ok).toBe(true)
    expect(http.sent[1]?.body).toEqual({ kind: 'form', value: { constructor: '', toString: '' } })
  })

  it('splitFields reports an own "__proto__" key as unknown instead of setting a prototype', () => {
    const values = JSON.parse('{"__proto__": "x", "username": "u", "constructor": "c"}') as Record<
      string,
      string
    >
    const r = splitFields(profile(), values, false)
    expect(!r.ok && r.fields).toEqual({ ['__proto__']: ['Proto keys has no field "__proto__".'] })
    const left = splitFields(profile(), { username: 'u' }, false)
    expect(!left.ok && left.fields).toEqual({ constructor: ['This field is required.'] })
  })

  describe('through the core actions', () => {
    let server: RecordingServer | undefined
    afterEach(async () => {
      await server?.close()
    })

    it('an account with only some of those fields logs in with exactly the values given', async () => {
      const { actions } = await actionFixture()
      server = await startRecordingServer(() => ({ status: 200, json: { token: 'tok-abcdef' } }))
      const imported = await actions.providers.import(JSON.stringify(PROFILE))
      expect(imported.ok).toBe(true)
      const input = (fields: Record<string, string>) => ({
        label: 'proto',
        providerId: 'proto-keys',
        baseUrl: server!.baseUrl,
        fields,
        remember: true,
        login: true,
      })

      const empty = await actions.accounts.add(input({ username: 'u', password: 'pw' }), 'ui')
      expect(!empty.ok && [empty.code, empty.fields]).toEqual([
        'VALIDATION_FAILED',
        { constructor: ['This field is required.'] },
      ])
      expect(server.requests).toEqual([])

      const added = await actions.accounts.add(
        input({ username: 'u', password: 'pw', constructor: 'c' }),
        'ui',
      )
      if (!added.ok) throw new Error(`${added.code}: ${added.message}`)
      expect(added.value.token?.state).toBe('active')
      expect(server.requests.map((r) => [r.path, JSON.parse(r.body) as unknown])).toEqual([
        [
          '/login',
          { username: 'u', password: 'pw', constructor: 'c', toString: '', hasOwnProperty: '' },
        ],
      ])

      const revoked = await actions.tokens.revoke(added.value.account.id, {}, 'ui')
      expect(revoked.ok).toBe(true)
      expect(server.requests[1]?.body).toBe('constructor=c&toString=')
    })
  })
})
