import { describe, expect, it } from 'vitest'
import { checkUrl, isLoopbackHost, joinUrl, normalizeBaseUrl } from '../../src/shared/url-policy'

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
})
