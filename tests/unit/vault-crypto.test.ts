// crypto.ts and key-slots.ts: sealed records, the passphrase and OS-keychain protectors, key slots
// on a real vault, locking and auto-lock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { performance } from 'node:perf_hooks'
import {
  generateKey,
  openRecord,
  openString,
  seal,
  type EncRecord,
} from '../../src/main/vault/storage/crypto'
import {
  DEFAULT_SCRYPT,
  keySlotSchema,
  MAX_KEY_SLOTS,
  MIN_PASSPHRASE_LENGTH,
  SCRYPT_BOUNDS,
  passphraseProtector,
  safeStorageProtector,
  safeStorageStatus,
  type KeySlot,
  type SafeStoragePort,
} from '../../src/main/vault/storage/key-slots'
import { Vault } from '../../src/main/vault'
import { startClassicSandbox, DEMO_USERS, type ClassicSandbox } from '../../src/main/sandbox'
import type { Result } from '../../src/shared/result'
import {
  CHEAP_SCRYPT,
  TEST_PASSPHRASE,
  manualClock,
  newVault,
  readSealed,
  vaultKey,
} from '../helpers/vault'

const ctx = { vaultId: '7c1d1d3e-9a53-4c55-8d0e-1f1e0c8b7a11', now: 1 }

function expectFailure<T>(r: Result<T>, code: string): string {
  expect(r.ok).toBe(false)
  if (r.ok) return ''
  expect(r.code).toBe(code)
  return r.message
}

function unwrapOk<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`)
  return r.value
}

/** Flips one bit of a base64 field. */
function flip(b64: string, byte = 0): string {
  const buf = Buffer.from(b64, 'base64')
  buf[byte] = buf[byte]! ^ 0x01
  return buf.toString('base64')
}

/**
 * A stand-in for Electron's safeStorage that really transforms bytes (XOR with a per-"machine"
 * key behind a magic prefix), can be "not ready yet", and can switch its Linux backend.
 */
class FakeSafeStorage implements SafeStoragePort {
  ready = true
  backend: string | undefined = 'gnome_libsecret'
  encryptCalls = 0
  private readonly machineKey = randomBytes(32)

  isEncryptionAvailable(): boolean {
    return this.ready
  }

  getSelectedStorageBackend(): string {
    return this.backend ?? 'unknown'
  }

  encryptString(plain: string): Buffer {
    if (!this.ready) throw new Error('safeStorage used before app ready')
    this.encryptCalls++
    const bytes = Buffer.from(plain, 'utf8')
    const out = Buffer.alloc(bytes.length)
    for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! ^ this.machineKey[i % 32]!
    return Buffer.concat([Buffer.from('v10'), out])
  }

  decryptString(encrypted: Buffer): string {
    if (!this.ready) throw new Error('safeStorage used before app ready')
    if (encrypted.subarray(0, 3).toString() !== 'v10') throw new Error('not ours')
    const body = encrypted.subarray(3)
    const out = Buffer.alloc(body.length)
    for (let i = 0; i < body.length; i++) out[i] = body[i]! ^ this.machineKey[i % 32]!
    return out.toString('utf8')
  }
}

/** A port without getSelectedStorageBackend, as on macOS and Windows. */
function nonLinuxPort(): SafeStoragePort {
  const inner = new FakeSafeStorage()
  return {
    isEncryptionAvailable: () => inner.isEncryptionAvailable(),
    encryptString: (plain) => inner.encryptString(plain),
    decryptString: (encrypted) => inner.decryptString(encrypted),
  }
}

describe('sealed records (AES-256-GCM, record id as AAD)', () => {
  const key = generateKey()

  it('round-trips text and bytes', () => {
    const rec = seal(key, 's3cr3t – ünïcode ✓', 'account/a/secret/password')
    expect(openString(key, rec, 'account/a/secret/password')).toBe('s3cr3t – ünïcode ✓')
    const bytes = randomBytes(100)
    const rec2 = seal(key, bytes, 'token/x')
    expect(openRecord(key, rec2, 'token/x')?.equals(bytes)).toBe(true)
    expect(rec.v).toBe(1)
    expect(Buffer.from(rec.iv, 'base64')).toHaveLength(12)
    expect(Buffer.from(rec.tag, 'base64')).toHaveLength(16)
  })

  it('uses a fresh nonce per record: the same plaintext twice gives different iv and ct', () => {
    const a = seal(key, 'same plaintext', 'id')
    const b = seal(key, 'same plaintext', 'id')
    expect(a.iv).not.toBe(b.iv)
    expect(a.ct).not.toBe(b.ct)
    const ivs = new Set(Array.from({ length: 500 }, () => seal(key, 'x', 'id').iv))
    expect(ivs.size).toBe(500)
  })

  it('nonces come from a pool: never repeated across many refills, and none is all zeros', () => {
    // 10,000 seals span about 30 refills of the 340-nonce pool.
    const records = Array.from({ length: 10_000 }, (_, i) => seal(key, `record ${i}`, 'id'))
    expect(new Set(records.map((r) => r.iv)).size).toBe(records.length)
    expect(records.some((r) => Buffer.from(r.iv, 'base64').equals(Buffer.alloc(12)))).toBe(false)
    // A record sealed before later refills still opens: its nonce was not overwritten.
    expect(openString(key, records[0]!, 'id')).toBe('record 0')
    expect(openString(key, records[9_999]!, 'id')).toBe('record 9999')
  })

  it('rejects a tampered ct, iv or tag, a truncated record, and another record id as AAD', () => {
    const rec = seal(key, 'a secret worth protecting', 'account/a/secret/password')
    const aad = 'account/a/secret/password'
    const bad: EncRecord[] = [
      { ...rec, ct: flip(rec.ct) },
      { ...rec, ct: flip(rec.ct, 10) },
      { ...rec, iv: flip(rec.iv) },
      { ...rec, tag: flip(rec.tag, 15) },
      { ...rec, ct: Buffer.from(rec.ct, 'base64').subarray(0, 5).toString('base64') },
      { ...rec, tag: Buffer.from(rec.tag, 'base64').subarray(0, 12).toString('base64') },
      { ...rec, iv: Buffer.from(rec.iv, 'base64').subarray(0, 8).toString('base64') },
      { ...rec, ct: '' },
    ]
    for (const b of bad) expect(openRecord(key, b, aad)).toBeNull()
    expect(openRecord(key, rec, 'account/b/secret/password')).toBeNull()
    expect(openRecord(key, rec, '')).toBeNull()
    // A whole record moved to another record's slot fails too.
    const other = seal(key, 'another secret', 'account/b/secret/password')
    expect(openString(key, other, aad)).toBeNull()
    expect(openString(key, rec, aad)).toBe('a secret worth protecting')
  })

  it('returns null with the wrong key', () => {
    const rec = seal(key, 'secret', 'id')
    expect(openRecord(generateKey(), rec, 'id')).toBeNull()
    expect(() => seal(Buffer.alloc(16), 'x', 'id')).toThrow(/key length/)
  })
})

describe('passphraseProtector', () => {
  const dataKey = generateKey()

  it('wraps and unwraps the data key; a wrong passphrase is VAULT_BAD_PASSPHRASE', async () => {
    const slot = unwrapOk(
      await passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT).wrap(dataKey, ctx),
    )
    expect(keySlotSchema.safeParse(slot).success).toBe(true)
    const back = unwrapOk(await passphraseProtector(TEST_PASSPHRASE).unwrap(slot, ctx))
    expect(back.key.equals(dataKey)).toBe(true)
    expect(back.bound).toBe(true)
    const wrong = await passphraseProtector('correct horse battery stapler').unwrap(slot, ctx)
    expect(expectFailure(wrong, 'VAULT_BAD_PASSPHRASE')).toMatch(/Wrong passphrase/)
    // The slot is bound to its vault and its own id.
    expectFailure(
      await passphraseProtector(TEST_PASSPHRASE).unwrap(slot, { ...ctx, vaultId: 'other' }),
      'VAULT_BAD_PASSPHRASE',
    )
    expectFailure(
      await passphraseProtector(TEST_PASSPHRASE).unwrap({ ...slot, id: 'moved' }, ctx),
      'VAULT_BAD_PASSPHRASE',
    )
  })

  it('defaults to scrypt N=2^17, r=8, p=1 with a 16-byte salt stored in the slot', async () => {
    expect(DEFAULT_SCRYPT).toEqual({ N: 2 ** 17, r: 8, p: 1 })
    const slot = unwrapOk(await passphraseProtector(TEST_PASSPHRASE).wrap(dataKey, ctx))
    expect(slot.kind).toBe('passphrase')
    if (slot.kind !== 'passphrase') return
    expect(slot.kdf).toMatchObject({ name: 'scrypt', N: 131072, r: 8, p: 1 })
    expect(Buffer.from(slot.kdf.salt, 'base64')).toHaveLength(16)
    // The wrapped key is a sealed 32-byte key (32 bytes of ciphertext) beside the salt.
    expect(Buffer.from(slot.wrapped.ct, 'base64')).toHaveLength(32)
    expect(JSON.stringify(slot)).not.toContain(dataKey.toString('base64'))
    // Two wraps never share a salt.
    const slot2 = unwrapOk(
      await passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT).wrap(dataKey, ctx),
    )
    expect(slot2.kind === 'passphrase' && slot2.kdf.salt).not.toBe(slot.kdf.salt)
  })

  it('rejects scrypt parameters outside the bounds (a tampered slot cannot stall the process)', async () => {
    const slot = unwrapOk(
      await passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT).wrap(dataKey, ctx),
    )
    if (slot.kind !== 'passphrase') throw new Error('kind')
    const tampered = (kdf: Partial<typeof slot.kdf>) => ({ ...slot, kdf: { ...slot.kdf, ...kdf } })
    expect(keySlotSchema.safeParse(slot).success).toBe(true)
    expect(keySlotSchema.safeParse(tampered({ N: 2 ** 30 })).success).toBe(false)
    expect(keySlotSchema.safeParse(tampered({ r: 1000 })).success).toBe(false)
    expect(keySlotSchema.safeParse(tampered({ N: 2 ** 30, r: 1000 })).success).toBe(false)
    expect(keySlotSchema.safeParse(tampered({ p: 1000 })).success).toBe(false)
    expect(keySlotSchema.safeParse(tampered({ N: 3 * 2 ** 14 })).success).toBe(false) // not 2^k
    expect(keySlotSchema.safeParse(tampered({ N: 2 ** 10 })).success).toBe(false) // too cheap
    expect(keySlotSchema.safeParse(tampered({ salt: 'c2hvcnQ=' })).success).toBe(false)
    expect(keySlotSchema.safeParse({ ...slot, extra: 1 }).success).toBe(false)
  })

  it('a vault file holding such a slot is reported as corrupt, quickly, without deriving', async () => {
    const v = await newVault()
    const raw = JSON.parse(fs.readFileSync(v.vault.file.path, 'utf8')) as {
      keySlots: { kdf: Record<string, unknown> }[]
    }
    raw.keySlots[0]!.kdf.N = 2 ** 30
    raw.keySlots[0]!.kdf.r = 1000
    fs.writeFileSync(v.vault.file.path, JSON.stringify(raw))
    const fresh = new Vault({ dir: v.dir, clock: manualClock() })
    const started = Date.now()
    const r = await fresh.unlock(passphraseProtector(TEST_PASSPHRASE))
    expect(Date.now() - started).toBeLessThan(2000)
    expectFailure(r, 'VAULT_CORRUPT')
    expect(fresh.unlocked).toBe(false)
  })

  it(`refuses a passphrase shorter than ${MIN_PASSPHRASE_LENGTH} characters`, async () => {
    const r = await passphraseProtector('1234567', CHEAP_SCRYPT).wrap(dataKey, ctx)
    expect(expectFailure(r, 'VALIDATION_FAILED')).toMatch(/at least 8/)
    expect((await passphraseProtector('12345678', CHEAP_SCRYPT).wrap(dataKey, ctx)).ok).toBe(true)
    const v = await newVault()
    v.vault.lock()
    // Refused on a vault too, and nothing is written.
    unwrapOk(await v.vault.unlock(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT)))
    const before = fs.readFileSync(v.vault.file.path)
    expectFailure(
      await v.vault.addKeySlot(passphraseProtector('short', CHEAP_SCRYPT)),
      'VALIDATION_FAILED',
    )
    expect(fs.readFileSync(v.vault.file.path).equals(before)).toBe(true)
  })

  it('normalises Unicode: the NFC and NFD forms of "café-passphrase" open the same slot', async () => {
    const nfc = 'café-passphrase'.normalize('NFC')
    const nfd = 'café-passphrase'.normalize('NFD')
    expect(nfc).not.toBe(nfd)
    const slot = unwrapOk(await passphraseProtector(nfd, CHEAP_SCRYPT).wrap(dataKey, ctx))
    expect(unwrapOk(await passphraseProtector(nfc).unwrap(slot, ctx)).key.equals(dataKey)).toBe(
      true,
    )
    expect(unwrapOk(await passphraseProtector(nfd).unwrap(slot, ctx)).key.equals(dataKey)).toBe(
      true,
    )
    const slot2 = unwrapOk(await passphraseProtector(nfc, CHEAP_SCRYPT).wrap(dataKey, ctx))
    expect(unwrapOk(await passphraseProtector(nfd).unwrap(slot2, ctx)).key.equals(dataKey)).toBe(
      true,
    )
    expectFailure(
      await passphraseProtector('cafe-passphrase').unwrap(slot, ctx),
      'VAULT_BAD_PASSPHRASE',
    )
  })
})

describe('KDF bounds: scrypt parameters and slots read from a file', () => {
  const dataKey = generateKey()
  /** Hand edits of a passphrase slot's KDF, each outside SCRYPT_BOUNDS. */
  const OUT_OF_BOUNDS: [string, { N?: number; r?: number; p?: number }][] = [
    ['N=2^14 (too cheap)', { N: 2 ** 14 }],
    ['N=2^21', { N: 2 ** 21 }],
    ['r=32', { r: 32 }],
    ['p=8', { p: 8 }],
    ['N not a power of two', { N: 3 * 2 ** 15 }],
    ['N=2^20, r=16 (2 GiB)', { N: 2 ** 20, r: 16 }],
    ['N=2^20, r=8, p=2 (2 GiB over the lanes)', { N: 2 ** 20, r: 8, p: 2 }],
    ['N=2^21, r=32, p=8', { N: 2 ** 21, r: 32, p: 8 }],
  ]

  async function cheapSlot() {
    const slot = unwrapOk(
      await passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT).wrap(dataKey, ctx),
    )
    if (slot.kind !== 'passphrase') throw new Error('kind')
    return slot
  }

  /** How long one derivation at the cheapest accepted cost takes here (median of three). */
  async function oneDerivationMs(slot: KeySlot): Promise<number> {
    const times: number[] = []
    for (let i = 0; i < 3; i++) {
      const t = performance.now()
      unwrapOk(await passphraseProtector(TEST_PASSPHRASE).unwrap(slot, ctx))
      times.push(performance.now() - t)
    }
    return times.sort((a, b) => a - b)[1]!
  }

  it('the schema takes N from 2^15 to 2^20 (a power of two), r 8..16, p 1..4, at most 1 GiB', async () => {
    expect(SCRYPT_BOUNDS).toMatchObject({ minN: 2 ** 15, maxN: 2 ** 20, maxR: 16, maxP: 4 })
    const slot = await cheapSlot()
    const edited = (kdf: object) => ({ ...slot, kdf: { ...slot.kdf, ...kdf } })
    for (const [what, kdf] of OUT_OF_BOUNDS) {
      expect(keySlotSchema.safeParse(edited(kdf)).success, what).toBe(false)
    }
    for (const kdf of [
      { N: 2 ** 15, r: 8, p: 1 },
      { N: 2 ** 20, r: 8, p: 1 }, // exactly 1 GiB
      { N: 2 ** 17, r: 16, p: 4 },
    ]) {
      expect(keySlotSchema.safeParse(edited(kdf)).success, JSON.stringify(kdf)).toBe(true)
    }
  })

  it('unwrap refuses such a slot before deriving anything: far faster than one derivation', async () => {
    const slot = await cheapSlot()
    const derivation = await oneDerivationMs(slot)
    let refusing = 0
    for (const [what, kdf] of OUT_OF_BOUNDS) {
      const t = performance.now()
      const r = await passphraseProtector(TEST_PASSPHRASE).unwrap(
        { ...slot, kdf: { ...slot.kdf, ...kdf } },
        ctx,
      )
      refusing += performance.now() - t
      expect(r.ok, what).toBe(false)
      if (!r.ok) expect(r.code, what).toBe('VAULT_CORRUPT')
      if (!r.ok) expect(r.message).toMatch(/nothing was derived/)
    }
    // All eight refusals together take less than one derivation at the cheapest accepted cost
    // (each edited slot would have cost at least that much, most of them far more).
    expect(refusing).toBeLessThan(derivation)
  })

  it('wrap refuses a cost outside the bounds, so no vault is created that could not be read', async () => {
    for (const cost of [
      { N: 2 ** 14, r: 8, p: 1 },
      { N: 2 ** 21, r: 8, p: 1 },
      { N: 2 ** 15, r: 32, p: 1 },
    ]) {
      const r = await passphraseProtector(TEST_PASSPHRASE, cost).wrap(dataKey, ctx)
      expect(expectFailure(r, 'VALIDATION_FAILED')).toMatch(/scrypt/)
    }
  })

  it('a vault file with such a slot is VAULT_CORRUPT at once, left byte-for-byte untouched', async () => {
    const v = await newVault()
    const original = fs.readFileSync(v.vault.file.path)
    // What a fresh unlock of the untouched file costs: the same file read plus one derivation.
    const fresh = new Vault({ dir: v.dir, clock: manualClock() })
    const t0 = performance.now()
    unwrapOk(await fresh.unlock(passphraseProtector(TEST_PASSPHRASE)))
    const unlockMs = performance.now() - t0
    for (const [what, kdf] of OUT_OF_BOUNDS) {
      const raw = JSON.parse(original.toString('utf8')) as { keySlots: { kdf: object }[] }
      raw.keySlots[0]!.kdf = { ...raw.keySlots[0]!.kdf, ...kdf }
      const edited = Buffer.from(JSON.stringify(raw))
      fs.writeFileSync(v.vault.file.path, edited)
      const vault = new Vault({ dir: v.dir, clock: manualClock() })
      const t = performance.now()
      const r = await vault.unlock(passphraseProtector(TEST_PASSPHRASE))
      const ms = performance.now() - t
      expect(r.ok, what).toBe(false)
      if (!r.ok) expect(r.code, what).toBe('VAULT_CORRUPT')
      expect(vault.unlocked).toBe(false)
      expect(ms, what).toBeLessThan(Math.max(unlockMs, 250))
      expect(fs.readFileSync(v.vault.file.path).equals(edited), what).toBe(true)
    }
  })

  it(`holds at most ${MAX_KEY_SLOTS} key slots: a 9th is CONFLICT, a file with 9 is VAULT_CORRUPT`, async () => {
    const v = await newVault()
    const port = new FakeSafeStorage()
    for (let i = 1; i < MAX_KEY_SLOTS; i++) {
      unwrapOk(await v.vault.addKeySlot(safeStorageProtector(port, 'linux')))
    }
    const full = fs.readFileSync(v.vault.file.path)
    const raw = JSON.parse(full.toString('utf8')) as { keySlots: { id: string }[] }
    expect(raw.keySlots).toHaveLength(MAX_KEY_SLOTS)
    const ninth = await v.vault.addKeySlot(safeStorageProtector(port, 'linux'))
    expect(expectFailure(ninth, 'CONFLICT')).toMatch(/already has 8 ways to open it.*Remove one/)
    expect(fs.readFileSync(v.vault.file.path).equals(full)).toBe(true)

    // A hand-edited file with a 9th slot is refused before any slot is tried.
    raw.keySlots.push({ ...raw.keySlots[1]!, id: 'a-ninth-slot' })
    const edited = Buffer.from(JSON.stringify(raw))
    fs.writeFileSync(v.vault.file.path, edited)
    const vault = new Vault({ dir: v.dir, clock: manualClock() })
    expectFailure(await vault.unlock(passphraseProtector(TEST_PASSPHRASE)), 'VAULT_CORRUPT')
    expectFailure(await vault.unlock(safeStorageProtector(port, 'linux')), 'VAULT_CORRUPT')
    expect(vault.unlocked).toBe(false)
    expect(fs.readFileSync(v.vault.file.path).equals(edited)).toBe(true)
  })
})

describe('safeStorageStatus and safeStorageProtector', () => {
  const dataKey = generateKey()

  it('is available on darwin, win32 and Linux with a real keyring', () => {
    const port = new FakeSafeStorage()
    expect(safeStorageStatus(nonLinuxPort(), 'darwin')).toEqual({
      available: true,
      backend: 'keychain',
    })
    expect(safeStorageStatus(nonLinuxPort(), 'win32')).toEqual({
      available: true,
      backend: 'dpapi',
    })
    expect(safeStorageStatus(port, 'linux')).toEqual({
      available: true,
      backend: 'gnome_libsecret',
    })
    port.backend = 'kwallet5'
    expect(safeStorageStatus(port, 'linux')).toEqual({ available: true, backend: 'kwallet5' })
  })

  it('treats Linux basic_text and unknown as no protection, with the reason', async () => {
    for (const backend of ['basic_text', 'unknown', undefined]) {
      const port = new FakeSafeStorage()
      port.backend = backend
      const status = safeStorageStatus(port, 'linux')
      expect(status.available).toBe(false)
      expect(status.backend).toBe(backend ?? 'unknown')
      expect(status.reason).toMatch(/fixed, publicly known password/)
      const r = await safeStorageProtector(port, 'linux').wrap(dataKey, ctx)
      expect(expectFailure(r, 'PROTECTION_UNAVAILABLE')).toMatch(/passphrase/)
      expect(port.encryptCalls).toBe(0)
    }
    // A Linux port without getSelectedStorageBackend cannot prove it has a keyring.
    expect(safeStorageStatus(nonLinuxPort(), 'linux')).toMatchObject({
      available: false,
      backend: 'unknown',
    })
  })

  it('is unavailable before "app ready" (isEncryptionAvailable false)', async () => {
    const port = new FakeSafeStorage()
    port.ready = false
    const status = safeStorageStatus(port, 'darwin')
    expect(status).toMatchObject({ available: false, backend: 'keychain' })
    expect(status.reason).toMatch(/not available/)
    const p = safeStorageProtector(port, 'linux')
    expectFailure(await p.wrap(dataKey, ctx), 'PROTECTION_UNAVAILABLE')
    port.ready = true
    const slot = unwrapOk(await p.wrap(dataKey, ctx))
    port.ready = false
    expectFailure(await p.unwrap(slot, ctx), 'PROTECTION_UNAVAILABLE')
    port.ready = true
    expect(unwrapOk(await p.unwrap(slot, ctx)).key.equals(dataKey)).toBe(true)
  })

  it('records the backend in the slot, and only a transformed key is stored', async () => {
    const port = new FakeSafeStorage()
    port.backend = 'kwallet5'
    const slot = unwrapOk(await safeStorageProtector(port, 'linux').wrap(dataKey, ctx))
    expect(slot).toMatchObject({ kind: 'safe-storage', backend: 'kwallet5' })
    expect(keySlotSchema.safeParse(slot).success).toBe(true)
    expect(JSON.stringify(slot)).not.toContain(dataKey.toString('base64'))
    expect(JSON.stringify(slot)).not.toContain(dataKey.toString('hex'))
    const mac = unwrapOk(await safeStorageProtector(nonLinuxPort(), 'darwin').wrap(dataKey, ctx))
    expect(mac).toMatchObject({ kind: 'safe-storage', backend: 'keychain' })
  })

  it('refuses to unwrap after the backend changed (PROTECTION_CHANGED), naming both', async () => {
    const port = new FakeSafeStorage()
    const p = safeStorageProtector(port, 'linux')
    const slot = unwrapOk(await p.wrap(dataKey, ctx))
    port.backend = 'kwallet5'
    const msg = expectFailure(await p.unwrap(slot, ctx), 'PROTECTION_CHANGED')
    expect(msg).toContain('gnome_libsecret')
    expect(msg).toContain('kwallet5')
    port.backend = 'basic_text'
    expectFailure(await p.unwrap(slot, ctx), 'PROTECTION_CHANGED')
    port.backend = 'gnome_libsecret'
    expect(unwrapOk(await p.unwrap(slot, ctx)).key.equals(dataKey)).toBe(true)
  })

  it('reports a keychain that cannot decrypt, and rejects a passphrase slot', async () => {
    const port = new FakeSafeStorage()
    const slot = unwrapOk(await safeStorageProtector(port, 'linux').wrap(dataKey, ctx))
    // Another machine's keychain (another XOR key) gives garbage, or throws.
    const other = new FakeSafeStorage()
    const r = await safeStorageProtector(other, 'linux').unwrap(slot, ctx)
    expect(r.ok).toBe(false)
    if (slot.kind !== 'safe-storage') throw new Error('kind')
    const broken = { ...slot, wrapped: Buffer.from('nope').toString('base64') }
    expectFailure(
      await safeStorageProtector(port, 'linux').unwrap(broken, ctx),
      'PROTECTION_UNAVAILABLE',
    )
    const pslot = unwrapOk(
      await passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT).wrap(dataKey, ctx),
    )
    expectFailure(await safeStorageProtector(port, 'linux').unwrap(pslot, ctx), 'UNSUPPORTED')
    expectFailure(await passphraseProtector(TEST_PASSPHRASE).unwrap(slot, ctx), 'UNSUPPORTED')
  })
})

describe('key slots on a real vault', () => {
  let sb: ClassicSandbox
  beforeAll(async () => {
    sb = await startClassicSandbox()
  })
  afterAll(async () => {
    await sb.close()
  })

  /** A vault with a remembered account and a minted token, so there are records to compare. */
  async function vaultWithRecords() {
    const clock = manualClock(Date.now())
    const v = await newVault({ clock })
    const acc = unwrapOk(
      await v.accounts.add({
        label: 'classic',
        providerId: 'classic',
        baseUrl: sb.baseUrl,
        fields: {
          username: DEMO_USERS.classic[1]!.username,
          password: DEMO_USERS.classic[1]!.secret,
        },
        remember: true,
      }),
    )
    const h = unwrapOk(await v.tokens.header(acc.id, { surface: 'ui' }))
    return { ...v, clock, acc, token: h.token }
  }

  /**
   * The sealed records (account secrets, token secrets) inside the file's body, opened with `key`
   * (the body is itself sealed, and re-sealed with a fresh nonce at every write: what is compared
   * is the records it holds, each with its own iv and ciphertext).
   */
  function sealedRecords(dir: string, key: Buffer): Map<string, EncRecord> {
    const data = readSealed(dir, key)
    const out = new Map<string, EncRecord>()
    for (const a of data.accounts) {
      for (const [name, rec] of Object.entries(a.secrets)) out.set(`account/${a.id}/${name}`, rec)
    }
    for (const t of data.tokens) if (t.secret) out.set(`token/${t.id}`, t.secret)
    return out
  }

  function records(dir: string, key: Buffer): string {
    return JSON.stringify([...sealedRecords(dir, key)])
  }

  function slotsOf(dir: string): KeySlot[] {
    return (JSON.parse(fs.readFileSync(`${dir}/vault.json`, 'utf8')) as { keySlots: KeySlot[] })
      .keySlots
  }

  it('opens with either slot after adding the OS keychain beside the passphrase', async () => {
    const v = await vaultWithRecords()
    const port = new FakeSafeStorage()
    const key = vaultKey(v)
    const before = records(v.dir, key)
    const added = unwrapOk(await v.vault.addKeySlot(safeStorageProtector(port, 'linux')))
    expect(added).toMatchObject({ kind: 'safe-storage', backend: 'gnome_libsecret' })
    expect(v.vault.status().slots.map((s) => s.kind)).toEqual(['passphrase', 'safe-storage'])
    // Same data key: the body still opens with it and holds the very same records.
    expect(records(v.dir, key)).toBe(before)

    v.vault.lock()
    expect(v.vault.unlocked).toBe(false)
    unwrapOk(await v.vault.unlock(safeStorageProtector(port, 'linux')))
    expect(unwrapOk(await v.tokens.header(v.acc.id, { surface: 'tray' })).token).toBe(v.token)
    v.vault.lock()
    unwrapOk(await v.vault.unlock(passphraseProtector(TEST_PASSPHRASE)))
    expect(unwrapOk(await v.tokens.header(v.acc.id, { surface: 'cli' })).token).toBe(v.token)

    // A second process (the CLI) with its own Vault instance opens it too.
    const cli = new Vault({ dir: v.dir, clock: v.clock })
    unwrapOk(await cli.unlock(passphraseProtector(TEST_PASSPHRASE)))
    const app = new Vault({ dir: v.dir, clock: v.clock })
    unwrapOk(await app.unlock(safeStorageProtector(port, 'linux')))
  })

  it('after removing the passphrase slot, a CLI passphrase unlock says how to add one', async () => {
    const v = await vaultWithRecords()
    const port = new FakeSafeStorage()
    unwrapOk(await v.vault.addKeySlot(safeStorageProtector(port, 'linux')))
    const oldKey = vaultKey(v)
    const rekeyed = records(v.dir, oldKey)
    // Removing the passphrase: the keychain slot stays, wrapping a new data key.
    unwrapOk(await v.vault.rekey([safeStorageProtector(port, 'linux')], 'Removed a passphrase.'))
    expect(slotsOf(v.dir).map((s) => s.kind)).toEqual(['safe-storage'])
    const newKey = vaultKey(v)
    expect(newKey.equals(oldKey)).toBe(false)
    // The old key no longer opens the file (the header names the new key).
    expect(() => readSealed(v.dir, oldKey)).toThrow(/VAULT_LOCKED/)
    expect(records(v.dir, newKey)).not.toBe(rekeyed)
    const before = records(v.dir, newKey)

    const cli = new Vault({ dir: v.dir, clock: v.clock })
    const msg = expectFailure(
      await cli.unlock(passphraseProtector(TEST_PASSPHRASE)),
      'VAULT_LOCKED',
    )
    expect(msg).toMatch(/no passphrase/)
    expect(msg).toMatch(/Add a passphrase/)
    expect(cli.unlocked).toBe(false)

    // The last slot can never be removed.
    expectFailure(await v.vault.rekey([], 'Removed everything.'), 'CONFLICT')
    expect(slotsOf(v.dir)).toHaveLength(1)

    // Adding a passphrase back re-wraps the same key: the old records still decrypt.
    unwrapOk(await v.vault.addKeySlot(passphraseProtector('a brand new passphrase', CHEAP_SCRYPT)))
    expect(vaultKey(v).equals(newKey)).toBe(true)
    expect(records(v.dir, newKey)).toBe(before)
    const cli2 = new Vault({ dir: v.dir, clock: v.clock })
    unwrapOk(await cli2.unlock(passphraseProtector('a brand new passphrase')))
    expectFailure(await cli2.unlock(passphraseProtector(TEST_PASSPHRASE)), 'VAULT_BAD_PASSPHRASE')
    v.vault.lock()
    unwrapOk(await v.vault.unlock(passphraseProtector('a brand new passphrase')))
    expect(unwrapOk(await v.tokens.header(v.acc.id, { surface: 'cli' })).token).toBe(v.token)
  })

  it('adding slots never re-encrypts a record; rotating the key re-encrypts every one', async () => {
    const v = await vaultWithRecords()
    const port = new FakeSafeStorage()
    const oldKey = vaultKey(v)
    const before = records(v.dir, oldKey)
    const oldRecords = sealedRecords(v.dir, oldKey)
    expect(oldRecords.size).toBeGreaterThanOrEqual(2) // the remembered password and the token
    const slots: string[] = []
    for (let i = 0; i < 3; i++) {
      slots.push(unwrapOk(await v.vault.addKeySlot(safeStorageProtector(port, 'linux'))).id)
      slots.push(
        unwrapOk(
          await v.vault.addKeySlot(passphraseProtector(`passphrase number ${i}`, CHEAP_SCRYPT)),
        ).id,
      )
    }
    expect(slotsOf(v.dir)).toHaveLength(7)
    expect(vaultKey(v).equals(oldKey)).toBe(true)
    expect(records(v.dir, oldKey)).toBe(before)
    // Rotation (what removing a slot or changing the passphrase does) re-seals everything.
    unwrapOk(await v.vault.rekey([passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT)], 'Rotated.'))
    expect(slotsOf(v.dir)).toHaveLength(1)
    const newKey = vaultKey(v)
    expect(newKey.equals(oldKey)).toBe(false)
    expect(() => readSealed(v.dir, oldKey)).toThrow(/VAULT_LOCKED/)
    const rotated = sealedRecords(v.dir, newKey)
    expect(records(v.dir, newKey)).not.toBe(before)
    // Every record, not just some: the same records, each with a new iv and ciphertext.
    expect([...rotated.keys()]).toEqual([...oldRecords.keys()])
    for (const [id, rec] of rotated) {
      const old = oldRecords.get(id)!
      expect({ id, iv: rec.iv === old.iv, ct: rec.ct === old.ct }).toEqual({
        id,
        iv: false,
        ct: false,
      })
    }
    // The secrets still decrypt: a remembered password logs in again, the token is reused.
    v.vault.lock()
    unwrapOk(await v.vault.unlock(passphraseProtector(TEST_PASSPHRASE)))
    expect(unwrapOk(await v.tokens.header(v.acc.id, { surface: 'ui' }))).toMatchObject({
      reused: true,
      token: v.token,
    })
    const again = unwrapOk(await v.tokens.header(v.acc.id, { surface: 'ui', force: true }))
    expect(again.reused).toBe(false)
  })

  it('a keychain that changed backend gives PROTECTION_CHANGED and changes nothing on disk', async () => {
    const v = await vaultWithRecords()
    const port = new FakeSafeStorage()
    unwrapOk(await v.vault.addKeySlot(safeStorageProtector(port, 'linux')))
    v.vault.lock()
    const files = () =>
      fs
        .readdirSync(v.dir)
        .filter((f) => f !== 'events.jsonl')
        .sort()
        .map((f) => [f, fs.readFileSync(`${v.dir}/${f}`).toString('base64')])
    const before = files()
    port.backend = 'basic_text'
    const app = new Vault({ dir: v.dir, clock: v.clock })
    const msg = expectFailure(
      await app.unlock(safeStorageProtector(port, 'linux')),
      'PROTECTION_CHANGED',
    )
    expect(msg).toMatch(/not changed/)
    expect(app.unlocked).toBe(false)
    expect(files()).toEqual(before)
    expect(app.status().slots.map((s) => s.kind)).toEqual(['passphrase', 'safe-storage'])
    // The passphrase still opens it.
    unwrapOk(await app.unlock(passphraseProtector(TEST_PASSPHRASE)))
    expect(files()).toEqual(before)
  })

  it('needs the vault unlocked to add or remove a slot', async () => {
    const v = await newVault()
    v.vault.lock()
    expectFailure(
      await v.vault.addKeySlot(safeStorageProtector(new FakeSafeStorage(), 'linux')),
      'VAULT_LOCKED',
    )
    expectFailure(await v.vault.rekey([], 'Removed.'), 'VAULT_LOCKED')
  })
})

describe('lock and auto-lock', () => {
  it('lock() zeroes the key buffer and every unlocked-only call returns VAULT_LOCKED', async () => {
    const clock = manualClock()
    const v = await newVault({ clock })
    const acc = unwrapOk(
      await v.accounts.add({
        label: 'a',
        providerId: 'classic',
        fields: { username: 'u', password: 'p4ssword' },
        remember: true,
      }),
    )
    const binding = { id: 'acc', providerId: 'classic', baseUrl: 'https://example.test' }
    const sealed = unwrapOk(v.vault.storage.sealSecret('probe', binding, 'value'))
    const key = v.vault['key']
    expect(key).toBeInstanceOf(Buffer)
    if (!key) return
    const copy = Buffer.from(key)
    expect(copy.equals(Buffer.alloc(32))).toBe(false)
    let changes = 0
    v.vault.onChange(() => changes++)
    v.vault.lock()
    expect(key.equals(Buffer.alloc(32))).toBe(true)
    expect(v.vault.unlocked).toBe(false)
    expect(v.vault['key']).toBeNull()
    expect(changes).toBe(1)
    v.vault.lock() // idempotent, no second change event
    expect(changes).toBe(1)

    const calls: [string, Result<unknown> | Promise<Result<unknown>>][] = [
      ['readUnlocked', v.vault.readUnlocked()],
      ['settings', v.vault.settings()],
      ['updateSettings', v.vault.updateSettings({ clipboardClearSeconds: 10 })],
      ['sealSecret', v.vault.storage.sealSecret('x', binding, 'y')],
      ['openSecret', v.vault.storage.openSecret('probe', binding, sealed)],
      ['addKeySlot', v.vault.addKeySlot(passphraseProtector('another passphrase', CHEAP_SCRYPT))],
      ['rekey', v.vault.rekey([], 'x')],
      ['addProvider', v.vault.addProvider('{}')],
      ['removeProvider', v.vault.removeProvider('x')],
      ['accounts.list', v.accounts.list()],
      ['accounts.get', v.accounts.get(acc.id)],
      ['accounts.organizations', v.accounts.organizations()],
      [
        'accounts.add',
        v.accounts.add({ label: 'b', providerId: 'classic', fields: {}, remember: false }),
      ],
      ['accounts.update', v.accounts.update(acc.id, { label: 'c' })],
      ['accounts.remove', v.accounts.remove(acc.id)],
      ['tokens.header', v.tokens.header(acc.id, { surface: 'ui' })],
      ['tokens.login', v.tokens.login(acc.id, { surface: 'cli' })],
      ['tokens.revoke', v.tokens.revoke(acc.id, { surface: 'tray' })],
      ['tokens.dismissUncertain', v.tokens.dismissUncertain('x', 'ui')],
    ]
    const before = fs.readFileSync(v.vault.file.path)
    for (const [name, call] of calls) {
      const r = await call
      expect({ name, code: r.ok ? 'ok' : r.code }).toEqual({ name, code: 'VAULT_LOCKED' })
    }
    expect(fs.readFileSync(v.vault.file.path).equals(before)).toBe(true)
    // Unlocking again restores a working key (a new buffer, equal to the old one).
    unwrapOk(await v.vault.unlock(passphraseProtector(TEST_PASSPHRASE)))
    expect(v.vault['key']?.equals(copy)).toBe(true)
    expect(unwrapOk(v.vault.storage.openSecret('probe', binding, sealed))).toBe('value')
  })

  it('auto-locks only after the idle time set, logging it; 0 means never', async () => {
    const clock = manualClock()
    const v = await newVault({ clock })
    expect(unwrapOk(v.vault.settings()).autoLockMinutes).toBe(15)
    v.vault.touch()
    clock.advance(14 * 60_000)
    expect(v.vault.checkAutoLock()).toBe(false)
    expect(v.vault.unlocked).toBe(true)
    // Activity restarts the count.
    v.vault.touch()
    clock.advance(14 * 60_000 + 59_000)
    expect(v.vault.checkAutoLock()).toBe(false)
    clock.advance(2_000)
    expect(v.vault.checkAutoLock()).toBe(true)
    expect(v.vault.unlocked).toBe(false)
    expect(v.vault.checkAutoLock()).toBe(false)
    // The log is sealed with the key: nothing of it shows while locked, nor the idle setting.
    expect(v.vault.events.list()).toEqual([])
    expect(v.vault.status().autoLockMinutes).toBe(0)
    // The auto-lock was logged (just before the key was dropped): it shows once unlocked again.
    unwrapOk(await v.vault.unlock(passphraseProtector(TEST_PASSPHRASE)))
    const ev = v.vault.events.list({ types: ['vault'] })[0]
    expect(ev?.message).toBe('Locked after 15 idle minutes.')
    expect(ev?.at).toBe(clock.now())
    expect(v.vault.status().autoLockMinutes).toBe(15)

    unwrapOk(await v.vault.updateSettings({ autoLockMinutes: 1 }))
    clock.advance(59_000)
    expect(v.vault.checkAutoLock()).toBe(false)
    clock.advance(1_000)
    expect(v.vault.checkAutoLock()).toBe(true)

    unwrapOk(await v.vault.unlock(passphraseProtector(TEST_PASSPHRASE)))
    unwrapOk(await v.vault.updateSettings({ autoLockMinutes: 0 }))
    clock.advance(365 * 24 * 3_600_000)
    expect(v.vault.checkAutoLock()).toBe(false)
    expect(v.vault.unlocked).toBe(true)
  })

  it('a token request counts as activity', async () => {
    const clock = manualClock()
    const v = await newVault({ clock })
    const acc = unwrapOk(
      await v.accounts.add({
        label: 'a',
        providerId: 'classic',
        fields: { username: 'u' },
        remember: false,
      }),
    )
    clock.advance(14 * 60_000)
    // NO_SECRET, but the user was active.
    expect(await v.tokens.header(acc.id, { surface: 'tray' })).toMatchObject({
      ok: false,
      code: 'NO_SECRET',
    })
    clock.advance(14 * 60_000)
    expect(v.vault.checkAutoLock()).toBe(false)
  })
})
