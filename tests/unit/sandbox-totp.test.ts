// The sandbox's one-time codes are RFC 4226 / RFC 6238 exactly (the RFCs' own test vectors), and its
// TOTP login (`POST /api/login-otp`, real HTTP, an injected clock) takes a current code once,
// refuses a wrong, replayed or too old one with no token, and refuses the password login alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startOauthSandbox, type OauthSandbox } from '../../src/main/sandbox'
import { base32Decode, hotp, totp } from '../../src/main/sandbox/totp-check'

describe('RFC test vectors', () => {
  it('HOTP matches RFC 4226 Appendix D (secret "12345678901234567890", counters 0-9)', () => {
    const key = Buffer.from('12345678901234567890', 'ascii')
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ]
    expect(expected.map((_, counter) => hotp(key, counter))).toEqual(expected)
  })

  it('TOTP matches RFC 6238 Appendix B (SHA-1 rows, 8 digits)', () => {
    const key = Buffer.from('12345678901234567890', 'ascii')
    const rows: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ]
    for (const [seconds, code] of rows) expect(totp(key, seconds * 1000, 8)).toBe(code)
  })

  it('base32 decodes RFC 4648 §10 vectors and the demo seed', () => {
    expect(base32Decode('MZXW6YTBOI======')?.toString('ascii')).toBe('foobar')
    expect(base32Decode('mzxw6ytb')?.toString('ascii')).toBe('fooba')
    expect(base32Decode('JBSWY3DPEHPK3PXP')?.toString('hex')).toBe('48656c6c6f21deadbeef')
    expect(base32Decode('not base32!')).toBeNull()
  })
})

describe('TOTP login (POST /api/login-otp)', () => {
  const user = DEMO_USERS.oauth.find((u) => u.totpSeed !== undefined)!
  const key = base32Decode(user.totpSeed!)!
  // Mid-step, so one step either side is unambiguous.
  let now = 1_700_000_015_000
  const clock = { now: () => now }
  let sb: OauthSandbox

  beforeAll(async () => {
    sb = await startOauthSandbox({ clock })
  })
  afterAll(async () => {
    await sb.close()
  })

  const login = async (body: Record<string, unknown>, path = '/api/login-otp') => {
    const res = await fetch(`${sb.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: user.username,
        password: user.secret,
        client_id: 'tokendeck',
        ...body,
      }),
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }

  it('a current code logs in once; the same code again is a replay, refused with no token', async () => {
    now += 10 * 60_000
    const code = totp(key, now)
    const ok = await login({ otp: code })
    expect(ok.status).toBe(200)
    expect(sb.isAccessTokenValid(ok.body.access_token as string)).toBe(true)
    const again = await login({ otp: code })
    expect(again.status).toBe(401)
    expect(again.body).toMatchObject({ error: 'invalid_grant' })
    expect(again.body.error_description).toMatch(/already used/)
    expect(again.body.access_token).toBeUndefined()
  })

  it('the next step logs in; a code of the previous step after it is refused as used', async () => {
    now += 10 * 60_000
    const earlier = totp(key, now - 30_000)
    expect((await login({ otp: totp(key, now) })).status).toBe(200)
    const late = await login({ otp: earlier })
    expect(late.status).toBe(401)
    expect(late.body.error_description).toMatch(/already used/)
  })

  it('one step either side is accepted (clock skew)', async () => {
    now += 10 * 60_000
    expect((await login({ otp: totp(key, now - 30_000) })).status).toBe(200)
    now += 10 * 60_000
    expect((await login({ otp: totp(key, now + 30_000) })).status).toBe(200)
  })

  it('a code from two steps ago, a wrong code and a malformed code are refused', async () => {
    now += 10 * 60_000
    const old = await login({ otp: totp(key, now - 60_000) })
    expect(old.status).toBe(401)
    expect(old.body.error_description).toMatch(/wrong or outside/)
    const current = totp(key, now)
    const wrong = String((Number(current) + 1) % 1_000_000).padStart(6, '0')
    expect((await login({ otp: wrong })).body.error_description).toMatch(/wrong or outside/)
    expect((await login({ otp: '12345' })).body.error_description).toMatch(/6 digits/)
    // None of the refusals used the step up: the current code still logs in.
    expect((await login({ otp: current })).status).toBe(200)
  })

  it('a wrong password with a good code is refused and does not use the code up', async () => {
    now += 10 * 60_000
    const code = totp(key, now)
    const bad = await login({ otp: code, password: 'not-the-password' })
    expect(bad).toMatchObject({ status: 401, body: { error: 'invalid_grant' } })
    expect((await login({ otp: code })).status).toBe(200)
  })

  it('the TOTP user cannot log in with the password alone, on either route', async () => {
    now += 10 * 60_000
    const plain = await login({}, '/api/login')
    expect(plain.status).toBe(401)
    expect(plain.body.error_description).toMatch(/one-time code/)
    const missing = await login({})
    expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
  })
})
