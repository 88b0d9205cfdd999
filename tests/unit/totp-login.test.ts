// A TOTP step computed at login (`{ "$totp": "seed" }` in a profile's login body): the code is
// RFC 6238's, checked against the RFC's own test vectors (and RFC 4226's for HOTP), and what a
// recording server receives at a known instant is exactly the RFC's code for it. A seed that is
// not base32 fails before anything is sent; an echoing server never gets the code or the seed
// back into a message; a profile may take a seed only from a secret field, and only at login.
import { afterEach, describe, expect, it } from 'vitest'
import { createProviderEngine } from '../../src/main/providers/engine'
import { createHttpClient } from '../../src/main/providers/http-client'
import { base32Seed, hotp, totp } from '../../src/main/providers/totp'
import { parseProfile, type ProviderProfile } from '../../src/shared/providers/profile'
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server'

// RFC 6238 Appendix B: the seeds are these ASCII strings; 8-digit codes at these times (s).
const SEEDS = {
  SHA1: Buffer.from('12345678901234567890'),
  SHA256: Buffer.from('12345678901234567890123456789012'),
  SHA512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
}
const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
]
// RFC 4226 Appendix D: HOTP of "12345678901234567890" for counters 0..9.
const HOTP = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583']
// "12345678901234567890" in base32 (RFC 4648).
const SEED_B32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'

describe('RFC 6238 and RFC 4226', () => {
  it('gives the RFC codes for SHA1, SHA256 and SHA512, and HOTP for counters 0 to 7', () => {
    for (const [t, sha1, sha256, sha512] of VECTORS) {
      const o = { digits: 8 as const }
      expect(totp(SEEDS.SHA1, t * 1000, o), `SHA1 ${t}`).toBe(sha1)
      expect(totp(SEEDS.SHA256, t * 1000, { ...o, algorithm: 'SHA256' })).toBe(sha256)
      expect(totp(SEEDS.SHA512, t * 1000, { ...o, algorithm: 'SHA512' })).toBe(sha512)
    }
    HOTP.forEach((code, counter) => expect(hotp(SEEDS.SHA1, counter)).toBe(code))
  })

  it('reads base32 seeds as authenticator apps give them; refuses others without echoing them', () => {
    for (const text of [SEED_B32, 'gezd gnbv gy3t qojq gezd gnbv gy3t qojq', `${SEED_B32}====`]) {
      const r = base32Seed(text)
      expect(r.ok && r.value.equals(SEEDS.SHA1), text).toBe(true)
    }
    for (const bad of ['', 'GEZDGNBVGY3TQOJ1', 'not*base32*at*all*x', 'GEZDGNBV']) {
      const r = base32Seed(bad)
      expect(r.ok).toBe(false)
      if (!r.ok && bad.length > 3) expect(r.message).not.toContain(bad)
    }
  })
})

function otpProfile(baseUrl: string, otp: Record<string, unknown>): ProviderProfile {
  const r = parseProfile({
    formatVersion: 1,
    id: 'otp-test',
    name: 'OTP test',
    baseUrl,
    fields: [
      { name: 'username', label: 'Username', role: 'username' },
      { name: 'password', label: 'Password', kind: 'secret', role: 'secret' },
      { name: 'seed', label: 'TOTP seed', kind: 'secret', role: 'secret' },
    ],
    login: {
      path: '/login',
      success: { status: [200] },
      body: { username: { $field: 'username' }, password: { $field: 'password' }, otp },
    },
    token: { path: 'token' },
    auth: { scheme: 'Bearer' },
    expiry: { source: 'none' },
    errors: { messagePaths: ['message'] },
  })
  if (!r.ok) throw new Error(JSON.stringify(r.details))
  return r.value
}

let server: RecordingServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('a login with a TOTP step', () => {
  it('sends the RFC code for the instant of the login, and keeps no trace of it', async () => {
    server = await startRecordingServer(() => ({ status: 200, json: { token: 'otp-token' } }))
    const at = (s: number) =>
      createProviderEngine({ http: createHttpClient(), clock: { now: () => s * 1000 } })
    const fields = { username: 'dev', password: 'pw-123456', seed: SEED_B32 }
    for (const [t, sha1] of VECTORS.slice(0, 3)) {
      const r = await at(t).login({
        profile: otpProfile(server.baseUrl, { $totp: 'seed', digits: 8 }),
        fields,
      })
      expect(r.ok).toBe(true)
      expect(JSON.parse(server.requests.at(-1)!.body)).toEqual({
        username: 'dev',
        password: 'pw-123456',
        otp: sha1,
      })
      expect(JSON.stringify(r)).not.toContain(sha1)
    }
    // The defaults: 6 digits, 30 s: the last six digits of the 8-digit code at 59 s.
    const six = await at(59).login({
      profile: otpProfile(server.baseUrl, { $totp: 'seed' }),
      fields,
    })
    expect(six.ok).toBe(true)
    expect(JSON.parse(server.requests.at(-1)!.body).otp).toBe('287082')
  })

  it('a seed that is not base32 fails on its field before anything is sent', async () => {
    server = await startRecordingServer(() => ({ status: 200, json: { token: 'x' } }))
    const engine = createProviderEngine({ http: createHttpClient(), clock: { now: () => 59_000 } })
    const r = await engine.login({
      profile: otpProfile(server.baseUrl, { $totp: 'seed' }),
      fields: { username: 'dev', password: 'pw-123456', seed: 'my seed is 1 0 8!' },
    })
    expect(r).toMatchObject({
      ok: false,
      code: 'VALIDATION_FAILED',
      fields: { seed: [expect.any(String)] },
    })
    expect(JSON.stringify(r)).not.toContain('my seed')
    expect(server.requests).toHaveLength(0)
  })

  it('a server that echoes what it got never puts the code or the seed into the message', async () => {
    let code = ''
    server = await startRecordingServer((req) => {
      const body = JSON.parse(req.body) as { otp: string }
      code = body.otp
      return { status: 401, json: { message: `wrong code ${body.otp} for ${req.body}` } }
    })
    const engine = createProviderEngine({ http: createHttpClient(), clock: { now: () => 59_000 } })
    const r = await engine.login({
      profile: otpProfile(server.baseUrl, { $totp: 'seed' }),
      fields: { username: 'dev', password: 'pw-123456', seed: SEED_B32 },
    })
    expect(r.ok).toBe(false)
    expect(code).toBe('287082')
    const text = JSON.stringify(r)
    for (const secret of [code, SEED_B32, 'pw-123456']) expect(text).not.toContain(secret)
  })

  it('a profile takes a seed only from a secret field, and only in its login', () => {
    const base = otpProfile('https://api.example', { $totp: 'seed' })
    const edit = (f: (p: Record<string, unknown>) => void) => {
      const raw = structuredClone(base) as unknown as Record<string, unknown>
      f(raw)
      return parseProfile(raw)
    }
    const notSecret = edit((p) => {
      ;(p.login as { body: Record<string, unknown> }).body.otp = { $totp: 'username' }
    })
    expect(notSecret.ok).toBe(false)
    expect(JSON.stringify(notSecret)).toContain('must be a secret field')
    const inRevoke = edit((p) => {
      p.revoke = {
        method: 'POST',
        path: '/logout',
        body: { otp: { $totp: 'seed' } },
        success: { status: [200] },
      }
    })
    expect(inRevoke.ok).toBe(false)
    expect(JSON.stringify(inRevoke)).toContain('only be sent by the login')
    const badDigits = edit((p) => {
      ;(p.login as { body: Record<string, unknown> }).body.otp = { $totp: 'seed', digits: 5 }
    })
    expect(badDigits.ok).toBe(false)
  })
})
