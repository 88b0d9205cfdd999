// One-time codes of a TOTP seed (RFC 6238 over RFC 4226 HOTP), for a profile that marks a
// seed as a secret field and sends `{ "$totp": "field" }` in its login: the code is computed at
// the moment of the login from the seed the vault keeps encrypted, and is never stored or logged.
// Node's own HMAC; the seed is base32 (RFC 4648), as authenticator apps and `otpauth://` URIs
// give it (spaces, dashes and lower case allowed; padding optional).
import { createHmac } from 'node:crypto'
import { fail, ok, type Result } from '../../shared/result'

export interface TotpOptions {
  /** 6 (default), 7 or 8. */
  digits?: 6 | 7 | 8
  /** The time step in seconds (default 30). */
  period?: number
  /** The HMAC (default SHA1, what nearly every service uses). */
  algorithm?: 'SHA1' | 'SHA256' | 'SHA512'
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** The seed's bytes; a failure (with words, never the seed) when it is not base32. */
export function base32Seed(text: string): Result<Buffer> {
  const clean = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase()
  if (clean === '') return fail('VALIDATION_FAILED', 'The TOTP seed is empty.')
  let bits = 0
  let value = 0
  const out: number[] = []
  for (const c of clean) {
    const i = ALPHABET.indexOf(c)
    if (i < 0) {
      return fail('VALIDATION_FAILED', 'The TOTP seed is not base32 (letters A-Z and digits 2-7).')
    }
    value = (value << 5) | i
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out.push((value >>> bits) & 0xff)
    }
  }
  // RFC 6238 keys are at least 128 bits by its advice; services give 80 bits or more.
  if (out.length < 10) return fail('VALIDATION_FAILED', 'The TOTP seed is too short.')
  return ok(Buffer.from(out))
}

/** HOTP (RFC 4226 §5.3): the code of `counter` under `key`. */
export function hotp(
  key: Buffer,
  counter: number,
  digits = 6,
  algorithm: 'SHA1' | 'SHA256' | 'SHA512' = 'SHA1',
): string {
  const msg = Buffer.alloc(8)
  msg.writeBigUInt64BE(BigInt(counter))
  const mac = createHmac(algorithm.toLowerCase(), key).update(msg).digest()
  const offset = mac[mac.length - 1]! & 0x0f
  const binary = mac.readUInt32BE(offset) & 0x7fffffff
  return String(binary % 10 ** digits).padStart(digits, '0')
}

/** TOTP (RFC 6238 §4): the code of the step holding `nowMs` (T0 = 0). */
export function totp(key: Buffer, nowMs: number, o: TotpOptions = {}): string {
  const period = o.period ?? 30
  return hotp(key, Math.floor(nowMs / 1000 / period), o.digits ?? 6, o.algorithm ?? 'SHA1')
}
