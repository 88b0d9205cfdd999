// Guarantee: a profile field whose name or label says it holds a secret (password, passwd, pwd,
// pass, passcode, passphrase, pin, otp, secret, key, token, credential; a name in camelCase,
// snake_case or one word, a label's words) has the `secret` role (encrypted at rest, never sent
// to the window), or the profile is refused with the reason naming the field. Identifiers of a key or token
// ("keyId", "tokenUrl") and words that only contain one ("keyboard", "spin") are ordinary. The
// built-ins and the documented example pass.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BUILTIN_PROFILES, parseUserProfile } from '../../src/main/providers/registry'
import { parseProfile, secretWordIn } from '../../src/shared/providers/profile'

/** A minimal valid profile whose third field is `extra` (sent in the login body). */
function withField(extra: Record<string, unknown>): Record<string, unknown> {
  const name = String(extra.name)
  return {
    formatVersion: 1,
    id: 'secret-words',
    name: 'Secret words',
    baseUrl: 'https://api.example.test',
    fields: [
      { name: 'login', label: 'Login', role: 'username' },
      { name: 'pin', label: 'PIN', kind: 'secret', role: 'secret' },
      extra,
    ],
    login: {
      path: '/login',
      body: {
        login: { $field: 'login' },
        pin: { $field: 'pin' },
        [name]: { $field: name },
      },
      success: { status: [200] },
    },
    token: { path: 'token' },
    auth: { scheme: 'Bearer' },
    expiry: { source: 'none' },
  }
}

function problems(raw: unknown): string {
  const r = parseProfile(raw)
  if (r.ok) throw new Error('expected the profile to be refused')
  expect(r.code).toBe('VALIDATION_FAILED')
  return (r.details?.problems as string[]).join('\n')
}

describe('fields that say they hold a secret', () => {
  it.each([
    ['password', 'password'],
    ['passwd', 'passwd'],
    ['passphrase', 'passphrase'],
    ['secret', 'secret'],
    ['secretKey', 'secret'],
    ['client_secret', 'secret'],
    ['api_key', 'key'],
    ['apiKey', 'key'],
    ['APIKey', 'key'],
    ['private_keys', 'keys'],
    ['token', 'token'],
    ['accessToken', 'token'],
    ['refresh_token', 'token'],
    ['password2', 'password'],
    ['newpassword', 'newpassword'],
    ['PASSWORD', 'password'],
    ['credential', 'credential'],
    ['credentials', 'credentials'],
    ['userCreds', 'creds'],
    ['pwd', 'pwd'],
    ['user_pwd', 'pwd'],
    ['newpwd', 'newpwd'],
    ['pass', 'pass'],
    ['db_pass', 'pass'],
    ['passcode', 'passcode'],
    ['user_pin', 'pin'],
    ['PIN', 'pin'],
    ['pinCode', 'pin'],
    ['otp', 'otp'],
    ['totp_seed', 'totp'],
    ['API_KEY', 'key'],
    ['apikey', 'apikey'],
    ['clientsecret', 'clientsecret'],
    ['secret_access_key', 'secret'],
    ['privateKey', 'key'],
    ['private_key', 'key'],
    ['privatekey', 'privatekey'],
    ['accesstoken', 'accesstoken'],
    ['authToken', 'token'],
    ['signing_key_pem', 'key'],
  ])('refuses a field named %s without the secret role (its name says %s)', (name, word) => {
    const text = problems(withField({ name, label: 'Value' }))
    expect(text).toContain(
      `fields.2.role: field "${name}" looks like a secret (its name says ${word}): give it "role": "secret"`,
    )
    // The same field with the role imports.
    const fixed = withField({ name, label: 'Value', kind: 'secret', role: 'secret' })
    expect(parseProfile(fixed).ok).toBe(true)
  })

  it('reads the label too, and refuses a secret-looking username or organization field', () => {
    const byLabel = problems(withField({ name: 'pat', label: 'Personal access token' }))
    expect(byLabel).toContain(
      'field "pat" looks like a secret (its label says token): give it "role": "secret"',
    )
    for (const label of [
      'API key',
      'api-key',
      'One-time password',
      'PIN',
      'Client secret',
      'Credentials',
    ]) {
      expect(secretWordIn({ name: 'value', label }), label).not.toBeNull()
    }
    const asOrg = problems(withField({ name: 'org_key', label: 'Org', role: 'organization' }))
    expect(asOrg).toContain('field "org_key" looks like a secret (its name says key)')
  })

  it('is refused on import with the reason, also in signup fields', () => {
    const r = parseUserProfile(JSON.stringify(withField({ name: 'apiKey', label: 'API key' })))
    expect(!r.ok && r.code).toBe('VALIDATION_FAILED')
    expect(!r.ok && (r.details?.problems as string[]).join()).toContain(
      'field "apiKey" looks like a secret (its name says key): give it "role": "secret"',
    )
    const classic = structuredClone(BUILTIN_PROFILES.find((p) => p.id === 'classic')!)
    const again = classic.signup!.fields.find((f) => f.name === 'password2')!
    again.kind = 'text'
    delete again.role
    expect(problems(classic)).toContain(
      'signup.fields.3.role: field "password2" looks like a secret (its name says password)',
    )
  })

  it.each([
    ['username', 'Username'],
    ['email', 'Email'],
    ['organization_id', 'Organization id'],
    ['keyboard', 'Keyboard layout'],
    ['monkey', 'Monkey'],
    ['secretary', 'Secretary'],
    ['tokenizer', 'Tokenizer'],
    ['workspace', 'Workspace'],
    ['keyword', 'Keyword'],
    ['spin', 'Spin'],
    ['pinned', 'Pinned'],
    ['bypass', 'Bypass'],
    ['passenger', 'Passenger'],
    ['secretaries', 'Secretaries'],
    ['keyId', 'Key ID'],
    ['accessKeyId', 'Access key ID'],
    ['api_key_id', 'API key id'],
    ['tokenUrl', 'Token URL'],
    ['token_type', 'Token type'],
    ['token_endpoint', 'Token endpoint'],
  ])('keeps %s (%s) an ordinary field: whole words only, identifiers of a key', (name, label) => {
    expect(secretWordIn({ name, label })).toBeNull()
    expect(parseProfile(withField({ name, label })).ok).toBe(true)
  })

  it('the built-ins and the documented example pass, each secret-looking field a secret', () => {
    expect(BUILTIN_PROFILES.map((p) => p.id)).toEqual(['tpstreams', 'xpay', 'classic'])
    for (const p of BUILTIN_PROFILES) {
      for (const f of [...p.fields, ...(p.signup?.fields ?? [])]) {
        if (secretWordIn(f)) expect([p.id, f.name, f.role]).toEqual([p.id, f.name, 'secret'])
      }
    }
    const md = readFileSync(new URL('../../docs/providers.md', import.meta.url), 'utf8')
    const example = /<!-- profile-example:start -->\s*```json\n([\s\S]*?)```/.exec(md)?.[1]
    expect(parseUserProfile(example ?? '').ok).toBe(true)
  })
})
