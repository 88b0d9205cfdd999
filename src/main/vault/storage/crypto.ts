// Authenticated encryption of vault records: AES-256-GCM, a fresh 96-bit nonce per record, and
// the record's id as associated data so a ciphertext cannot be moved to another record.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { z } from 'zod'

export const KEY_BYTES = 32
const NONCE_BYTES = 12

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64')

export const encRecordSchema = z.object({ v: z.literal(1), iv: b64, ct: b64, tag: b64 }).strict()
export type EncRecord = z.infer<typeof encRecordSchema>

export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES)
}

// Nonces are drawn 12 bytes at a time from a pool of random bytes filled 4 KiB at a time:
// asking the OS for 12 bytes costs as much as asking for 4 KiB, and a busy gateway seals a
// request record per request. Each nonce is used once (the pool only moves forward, and a
// refill is a new buffer, so a nonce handed out never changes). Like randomUUID's own cache.
const POOL_BYTES = NONCE_BYTES * 340
let pool = Buffer.alloc(0)
let poolAt = 0

function freshNonce(): Buffer {
  if (poolAt + NONCE_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES)
    poolAt = 0
  }
  poolAt += NONCE_BYTES
  return pool.subarray(poolAt - NONCE_BYTES, poolAt)
}

export function seal(key: Buffer, plaintext: Buffer | string, aad: string): EncRecord {
  if (key.length !== KEY_BYTES) throw new Error('seal: wrong key length')
  const iv = freshNonce()
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(aad, 'utf8'))
  const ct = Buffer.concat([
    cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext),
    cipher.final(),
  ])
  return {
    v: 1,
    iv: iv.toString('base64'),
    ct: ct.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  }
}

/** Decrypts and authenticates; null when the key, the record or its associated data is wrong. */
export function openRecord(key: Buffer, rec: EncRecord, aad: string): Buffer | null {
  try {
    const iv = Buffer.from(rec.iv, 'base64')
    const tag = Buffer.from(rec.tag, 'base64')
    if (iv.length !== NONCE_BYTES || tag.length !== 16) return null
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 })
    decipher.setAAD(Buffer.from(aad, 'utf8'))
    decipher.setAuthTag(tag)
    return Buffer.concat([decipher.update(Buffer.from(rec.ct, 'base64')), decipher.final()])
  } catch {
    return null
  }
}

export function openString(key: Buffer, rec: EncRecord, aad: string): string | null {
  const buf = openRecord(key, rec, aad)
  if (!buf) return null
  const s = buf.toString('utf8')
  buf.fill(0)
  return s
}
