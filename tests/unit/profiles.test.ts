import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  BUILTIN_PROFILES,
  ProviderRegistry,
  parseUserProfile,
  registryFor,
} from '../../src/main/providers/registry'
import { parseProfile } from '../../src/shared/providers/profile'

const docExample = () => {
  const md = readFileSync(new URL('../../docs/providers.md', import.meta.url), 'utf8')
  const m = /<!-- profile-example:start -->\s*```json\n([\s\S]*?)```/.exec(md)
  if (!m?.[1]) throw new Error('docs/providers.md lost its worked example')
  return m[1]
}

describe('provider profiles', () => {
  it('ships the three seed providers, valid under the public schema', () => {
    expect(BUILTIN_PROFILES.map((p) => p.id)).toEqual(['tpstreams', 'xpay', 'classic'])
    const [tp, xpay, classic] = BUILTIN_PROFILES
    expect(tp?.auth.scheme).toBe('Token')
    expect(tp?.cap).toEqual({ max: 20, scope: 'organization', onExceed: 'refuse' })
    expect(tp?.login.kind).toBe('request')
    if (tp?.login.kind !== 'request' || xpay?.login.kind !== 'request')
      throw new Error('request logins')
    if (classic?.login.kind !== 'request') throw new Error('a request login')
    expect(tp?.login.body).toMatchObject({ organization_id: { $field: 'organization_id' } })
    expect(tp?.revoke?.path).toBe('/api/auth/logout/')
    expect(xpay?.auth.scheme).toBe('Bearer')
    expect(xpay?.revoke).toBeUndefined()
    expect(xpay?.login.body.isAPI).toBe(true)
    expect(xpay?.expiry).toEqual({
      source: 'body',
      path: 'success.data.expiresAt',
      format: 'epoch-ms',
    })
    expect(classic?.login.encoding).toBe('form')
    expect(classic?.expiry).toEqual({ source: 'ttl', seconds: 86400 })
    expect(classic?.signup?.accountFields).toEqual({ username: 'username', password: 'password1' })
  })

  it('validates the worked example in docs/providers.md', () => {
    const r = parseUserProfile(docExample())
    expect(r.ok).toBe(true)
    if (r.ok) expect(r.value.cap).toEqual({ max: 5, scope: 'organization', onExceed: 'refuse' })
  })

  it('explains what is wrong with a broken profile', () => {
    const raw = JSON.parse(docExample())
    raw.login.path = 'v2/session?x=1'
    raw.login.body.email = { $field: 'mail' }
    raw.fields[1].role = undefined
    raw.expiry = { source: 'body', path: 'data.valid_until', format: 'rfc2822' }
    raw.surprise = true
    const r = parseProfile(raw)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      const text = (r.details?.problems as string[]).join('\n')
      expect(text).toMatch(/login\.path/)
      expect(text).toMatch(/surprise/)
      expect(text).toMatch(/expiry/)
    }
    const refs = JSON.parse(docExample())
    refs.login.body.email = { $field: 'mail' }
    const r2 = parseProfile(refs)
    expect(!r2.ok && (r2.details?.problems as string[]).join()).toMatch(/unknown field "mail"/)
    const secretRole = JSON.parse(docExample())
    delete secretRole.fields[1].role
    const r3 = parseProfile(secretRole)
    expect(!r3.ok && (r3.details?.problems as string[]).join()).toMatch(
      /kind "secret" must have role "secret"/,
    )
  })

  it('refuses invalid JSON, built-in ids and oversized files', () => {
    expect(parseUserProfile('{').ok).toBe(false)
    const shadow = JSON.parse(docExample())
    shadow.id = 'tpstreams'
    const r = parseUserProfile(JSON.stringify(shadow))
    expect(!r.ok && r.code).toBe('CONFLICT')
    expect(parseUserProfile(' '.repeat(300 * 1024)).ok).toBe(false)
  })

  it("refuses a custom profile that takes a built-in's name, in any case or spacing", () => {
    for (const name of ['TPStreams', ' tpstreams ', 'XPAY', 'Classic  Token API']) {
      const raw = JSON.parse(docExample())
      raw.name = name
      const r = parseUserProfile(JSON.stringify(raw))
      expect(!r.ok && [r.code, r.message]).toEqual([
        'CONFLICT',
        `"${name.trim()}" is the name of a built-in provider; choose another name.`,
      ])
    }
    const own = JSON.parse(docExample())
    own.name = 'xpay (staging)'
    expect(parseUserProfile(JSON.stringify(own)).ok).toBe(true)
  })

  it('an organization cap needs an organization field', () => {
    const raw = JSON.parse(docExample())
    raw.fields[2].role = undefined
    delete raw.fields[2].role
    const r = parseProfile(raw)
    expect(!r.ok && (r.details?.problems as string[]).join()).toMatch(/cap per organization/)
  })

  it('a registry lists built-ins first and never lets a custom profile shadow one', () => {
    const custom = parseUserProfile(docExample())
    if (!custom.ok) throw new Error('example invalid')
    const reg = new ProviderRegistry([custom.value, { ...BUILTIN_PROFILES[0]!, name: 'Fake' }])
    expect(reg.list().map((p) => p.id)).toEqual(['tpstreams', 'xpay', 'classic', 'acme-metrics'])
    expect(reg.get('tpstreams')?.name).toBe('TPStreams')
    expect(reg.isBuiltin('acme-metrics')).toBe(false)
  })
})

describe('an imported profile that a newer rule refuses', () => {
  it('says why its accounts cannot log in, instead of "not installed"', () => {
    // Imported before the secret-name rule: a field "apiKey" without the secret role.
    const old = {
      ...JSON.parse(readFileSync('src/main/providers/builtin/classic.json', 'utf8')),
      id: 'legacy-api',
      name: 'Legacy API',
    }
    old.fields = [...old.fields, { name: 'apiKey', label: 'API key' }]
    const registry = registryFor([old])
    expect(registry.get('legacy-api')).toBeUndefined()
    const why = registry.missing('legacy-api')
    expect(why.code).toBe('NOT_FOUND')
    expect(why.message).toMatch(/no longer passes validation \(.*apiKey.*\); import a corrected/)
    expect(registry.missing('never-imported').message).toBe(
      'Provider "never-imported" is not installed.',
    )
  })
})
