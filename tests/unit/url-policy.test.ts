import { describe, expect, it } from 'vitest'
import {
  checkUrl,
  formerBaseUrlSpellings,
  isBelowBaseUrl,
  isLoopbackHost,
  joinUrl,
  normalizeBaseUrl,
} from '../../src/shared/url-policy'

describe('URL policy', () => {
  const allowed = [
    'https://app.tpstreams.com/api/auth/login/',
    'https://apis.xpay.stream',
    'https://10.0.0.5:8443/auth',
    'http://127.0.0.1:8080/auth/login',
    'http://127.42.0.9/',
    'http://localhost:3000',
    'http://LOCALHOST:3000/',
    'http://[::1]:9000/x',
    'https://api.localhost/',
  ]
  const refused: [string, RegExp][] = [
    ['http://app.tpstreams.com/api/auth/login/', /only to this machine/],
    ['http://10.0.0.5/auth', /only to this machine/],
    ['http://192.168.1.10/', /only to this machine/],
    ['http://127.0.0.1.nip.io/', /only to this machine/],
    ['http://localhost.attacker.example/', /only to this machine/],
    // Names a resolver answers (RFC 6761 only asks it to): *.localhost and the FQDN "localhost."
    ['http://api.localhost:3000', /only to this machine/],
    ['http://foo.localhost/', /only to this machine/],
    ['http://localhost./', /only to this machine/],
    ['http://LOCALHOST./x', /only to this machine/],
    ['http://[::ffff:10.0.0.1]/', /only to this machine/],
    ['ftp://example.com/file', /ftp scheme/],
    ['file:///etc/passwd', /file scheme/],
    ['javascript:alert(1)', /javascript scheme/],
    ['data:text/plain,hi', /data scheme/],
    ['ws://127.0.0.1/', /ws scheme/],
    ['https://user:pass@example.com/', /user name or password/],
    ['https://example.com/#frag', /fragment/],
    ['not a url', /Not a valid URL/],
    ['', /Not a valid URL/],
  ]

  it.each(allowed)('allows %s', (url) => {
    expect(checkUrl(url).ok).toBe(true)
  })

  it.each(refused)('refuses %s', (url, why) => {
    const r = checkUrl(url)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.code).toBe('URL_REFUSED')
      expect(r.message).toMatch(why)
      expect(r.message).not.toContain('pass@')
    }
  })

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true)
    expect(isLoopbackHost('127.255.255.254')).toBe(true)
    expect(isLoopbackHost('LOCALHOST')).toBe(true)
    expect(isLoopbackHost('[::1]')).toBe(true)
    expect(isLoopbackHost('128.0.0.1')).toBe(false)
    expect(isLoopbackHost('127.0.0.256')).toBe(false)
    expect(isLoopbackHost('localhost.example.com')).toBe(false)
    expect(isLoopbackHost('foo.localhost')).toBe(false)
    expect(isLoopbackHost('localhost.')).toBe(false)
    expect(isLoopbackHost('127.0.0.1.')).toBe(false)
  })

  it('normalises base URLs and joins paths', () => {
    expect(normalizeBaseUrl('https://apis.xpay.stream/')).toEqual({
      ok: true,
      value: 'https://apis.xpay.stream',
    })
    expect(normalizeBaseUrl(' https://x.test/prefix/ ')).toEqual({
      ok: true,
      value: 'https://x.test/prefix',
    })
    expect(normalizeBaseUrl('https://x.test/?a=1').ok).toBe(false)
    // One origin, one string: case, default port, duplicate and trailing slashes do not count.
    for (const u of ['https://h', 'https://h/', 'https://h//', 'HTTPS://H:443///']) {
      expect(normalizeBaseUrl(u)).toEqual({ ok: true, value: 'https://h' })
    }
    expect(normalizeBaseUrl('https://x.test//api///v1//')).toEqual({
      ok: true,
      value: 'https://x.test/api/v1',
    })
    expect(normalizeBaseUrl('http://127.0.0.1:8080//')).toEqual({
      ok: true,
      value: 'http://127.0.0.1:8080',
    })
    expect(joinUrl('https://x.test/prefix', '/auth/login')).toBe('https://x.test/prefix/auth/login')
  })

  // One server, one string (RFC 3986 6.2.2): what a second spelling must not turn into.
  const sameServer: [string, string][] = [
    ['https://API.Example.com./x', 'https://api.example.com/x'],
    ['https://api.example.com/%78', 'https://api.example.com/x'],
    ['https://api.example.com./%78/', 'https://api.example.com/x'],
    ['https://api.example.com:443/x', 'https://api.example.com/x'],
    ['https://api.example.com//x//', 'https://api.example.com/x'],
    // Unreserved characters decoded, every other escape in upper-case hex.
    ['https://h/%7e%7E%41%2d%2E%5F', 'https://h/~~A-._'],
    ['https://h/a%2fb%c3%a9', 'https://h/a%2Fb%C3%A9'],
    ['https://h/caf%C3%A9', 'https://h/caf%C3%A9'],
    ['https://h/café', 'https://h/caf%C3%A9'],
    // Percent-encoded host names and IDN: URL decodes and punycodes them.
    ['https://ex%61mple.com/', 'https://example.com'],
    ['https://ÄPI.example.com', 'https://xn--pi-uia.example.com'],
    // Dot segments (also encoded) resolved by URL before anything else.
    ['https://h/a/%2e%2E/b', 'https://h/b'],
    ['https://h.:8443/v1', 'https://h:8443/v1'],
    ['http://127.0.0.1.:8080/x', 'http://127.0.0.1:8080/x'],
  ]
  it.each(sameServer)('normalises %s to %s', (raw, want) => {
    expect(normalizeBaseUrl(raw)).toEqual({ ok: true, value: want })
    // Idempotent: the normalised string is its own normal form.
    expect(normalizeBaseUrl(want)).toEqual({ ok: true, value: want })
  })

  const otherServer: [string, string][] = [
    // Path letter case counts (RFC 3986); so do reserved characters and their escapes.
    ['https://h/API', 'https://h/api'],
    ['https://h/a%2Fb', 'https://h/a/b'],
    ['https://h/a%21', 'https://h/a!'],
    // localhost goes to this machine without DNS; localhost. is looked up: not one server.
    ['https://localhost./x', 'https://localhost/x'],
    ['http://localhost:8080', 'http://127.0.0.1:8080'],
    ['https://h:8443', 'https://h'],
  ]
  it.each(otherServer)('keeps %s apart from %s', (a, b) => {
    const na = normalizeBaseUrl(a)
    const nb = normalizeBaseUrl(b)
    expect(na.ok && nb.ok).toBe(true)
    if (na.ok && nb.ok) expect(na.value).not.toBe(nb.value)
  })

  it('normalising never turns a refused URL into an accepted one, nor the reverse', () => {
    // http to localhost. is refused before and after; https to it is kept as written.
    for (const u of ['http://localhost./', 'http://LOCALHOST./x', 'http://api.example.com./']) {
      const r = normalizeBaseUrl(u)
      expect(r.ok, u).toBe(false)
      if (!r.ok) expect(r.message).toMatch(/only to this machine/)
    }
    expect(normalizeBaseUrl('https://localhost./x')).toEqual({
      ok: true,
      value: 'https://localhost./x',
    })
    expect(normalizeBaseUrl('https://example.com../').ok).toBe(false)
    expect(normalizeBaseUrl('https://h/x?q=1').ok).toBe(false)
  })

  it('knows the spellings earlier normalisers stored, for tokens minted under them', () => {
    expect(formerBaseUrlSpellings('https://API.Example.com.//x/')).toEqual([
      'https://API.Example.com.//x/',
      'https://api.example.com./x',
    ])
    expect(formerBaseUrlSpellings('https://h')).toEqual(['https://h'])
    expect(formerBaseUrlSpellings('not a url')).toEqual(['not a url'])
  })

  const base = 'https://api.example.com/v1'
  const below: [string, boolean][] = [
    ['https://api.example.com/v1', true],
    ['https://api.example.com/v1/', true],
    ['https://api.example.com/v1/assets/?page=2#top', true],
    ['https://API.EXAMPLE.COM./v1/x', true],
    ['https://api.example.com:443/v1//x', true],
    ['https://api.example.com/%76%31/x', true],
    // Another segment, another path, another origin.
    ['https://api.example.com/v1x', false],
    ['https://api.example.com/v10/x', false],
    ['https://api.example.com/', false],
    ['https://api.example.com/V1/x', false],
    ['http://api.example.com/v1/x', false],
    ['https://api.example.com:8443/v1/x', false],
    ['https://api.example.com.evil.test/v1/x', false],
    ['https://evil.test/v1/x', false],
    ['https://api.example.com@evil.test/v1/x', false],
    ['https://user:pw@api.example.com/v1/x', false],
    // Dot segments in any encoding, also where URL would resolve them to a path below.
    ['https://api.example.com/v1/../admin', false],
    ['https://api.example.com/admin/../v1/x', false],
    ['https://api.example.com/v1/%2e%2e/admin', false],
    ['https://api.example.com/v1/.%2E/admin', false],
    ['https://api.example.com/v1/x%2F..%2Fadmin', false],
    ['https://api.example.com/v1/%252e%252e/admin', false],
    ['https://api.example.com/v1/..%5cadmin', false],
    ['https://api.example.com/v1/./x', false],
    // What clients read differently: backslashes, white space, control characters.
    ['https://api.example.com\\@evil.test/v1/x', false],
    ['https://api.example.com/v1\\x', false],
    ['https://api.example.com\t.evil.test/v1/x', false],
    [' https://api.example.com/v1/x', false],
    ['https://api.example.com/v1/a b', false],
    // Not a URL, or another scheme.
    ['api.example.com/v1/x', false],
    ['ftp://api.example.com/v1/x', false],
    ['', false],
  ]
  it.each(below)('isBelowBaseUrl(%s) is %s', (url, want) => {
    expect(isBelowBaseUrl(url, base)).toBe(want)
  })

  it('isBelowBaseUrl: an origin-only base covers the whole origin; a bad base covers nothing', () => {
    expect(isBelowBaseUrl('https://h/anything', 'https://h')).toBe(true)
    expect(isBelowBaseUrl('https://h', 'https://h/')).toBe(true)
    expect(isBelowBaseUrl('https://hh/x', 'https://h')).toBe(false)
    expect(isBelowBaseUrl('http://127.0.0.1:8080/x', 'http://127.0.0.1:8080')).toBe(true)
    expect(isBelowBaseUrl('http://localhost:8080/x', 'http://127.0.0.1:8080')).toBe(false)
    expect(isBelowBaseUrl('https://h/x', 'not a url')).toBe(false)
    expect(isBelowBaseUrl('http://h/x', 'http://h')).toBe(false)
  })
})
