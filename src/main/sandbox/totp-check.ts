// The sandbox's one-time codes: RFC 4226 HOTP and RFC 6238 TOTP (HMAC-SHA1, 30 s, T0 = 0) over a
// base32 seed, and a per-user check that accepts one step either side and refuses a replayed step.
// Written independently of the client side's generator so a shared bug cannot hide.
import { createHmac } from 'node:crypto'
import { secretEquals } from './http-util'

/** RFC 6238 defaults the sandbox uses. */
export const TOTP_STEP_SECONDS = 30
export const TOTP_DIGITS = 6

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** Decodes RFC 4648 base32 (case-insensitive, padding and spaces ignored); null when invalid. */
export function base32Decode(text: string): Buffer | null {
  const clean = text.replace(/[\s=]/g, '').toUpperCase()
  if (clean === '') return null
  const out: number[] = []
  let bits = 0
  let value = 0
  for (const ch of clean) {
    const idx = BASE32.indexOf(ch)
    if (idx === -1) return null
    value = (value << 5) | idx
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out.push((value >>> bits) & 0xff)
    }
  }
  return Buffer.from(out)
}

/** RFC 4226 §5.3: HOTP of `counter` (a safe integer, 8-byte big-endian) as `digits` digits. */
export function hotp(key: Buffer, counter: number, digits = TOTP_DIGITS): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError('bad HOTP counter')
  const msg = Buffer.alloc(8)
  msg.writeBigUInt64BE(BigInt(counter))
  const mac = createHmac('sha1', key).update(msg).digest()
  const offset = mac[mac.length - 1]! & 0x0f
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits
  return String(binary).padStart(digits, '0')
}

/** RFC 6238 §4: the time step of `epochMs` (T0 = 0, X = 30 s). */
export function totpStep(epochMs: number): number {
  return Math.floor(epochMs / 1000 / TOTP_STEP_SECONDS)
}

/** RFC 6238 TOTP (HMAC-SHA1) of the step containing `epochMs`. */
export function totp(key: Buffer, epochMs: number, digits = TOTP_DIGITS): string {
  return hotp(key, totpStep(epochMs), digits)
}

/** Why a code was refused, in words for an OAuth `error_description`. */
export type OtpRefusal = 'malformed' | 'wrong' | 'replayed'

/**
 * Checks one-time codes for many users: accepts the code of the current step or one step either
 * side (RFC 6238 §5.2), and never the same step (or an earlier one) twice for a user (§5.2:
 * a verifier must not accept a code again after it validated once).
 */
export class TotpChecker {
  /** The last step each user logged in with. */
  private readonly lastStep = new Map<string, number>()

  constructor(private readonly now: () => number) {}

  /** The step of `code` for `seed`, or why it is refused; records the step when accepted. */
  check(
    username: string,
    seed: string,
    code: string,
  ): { ok: true } | { ok: false; why: OtpRefusal } {
    const key = base32Decode(seed)
    if (key === null) throw new Error('sandbox user has an invalid TOTP seed')
    if (!/^\d{6}$/.test(code)) return { ok: false, why: 'malformed' }
    const current = totpStep(this.now())
    let matched: number | null = null
    for (const step of [current - 1, current, current + 1]) {
      if (step < 0) continue
      if (secretEquals(hotp(key, step), code)) matched = step
    }
    if (matched === null) return { ok: false, why: 'wrong' }
    const last = this.lastStep.get(username)
    if (last !== undefined && matched <= last) return { ok: false, why: 'replayed' }
    this.lastStep.set(username, matched)
    return { ok: true }
  }
}

/** An `error_description` for a refused code. */
export function otpRefusalText(why: OtpRefusal): string {
  switch (why) {
    case 'malformed':
      return 'the one-time code must be 6 digits'
    case 'wrong':
      return 'the one-time code is wrong or outside the accepted time window'
    case 'replayed':
      return 'the one-time code was already used: wait for the next one'
  }
}
