// Key slots: the vault's data key wrapped by one or more protectors (as LUKS does), so the same
// vault opens in the app through the OS keychain and in the CLI with a passphrase. Adding or
// removing a slot re-wraps the data key only; no record is re-encrypted.
import { randomBytes, randomUUID, scrypt as scryptCb, type ScryptOptions } from 'node:crypto'
import { z } from 'zod'
import { MIN_PASSPHRASE_LENGTH } from '../../shared/passphrase'
import { fail, ok, type Result } from '../../shared/result'
import { encRecordSchema, openRecord, seal, KEY_BYTES } from './crypto'

/** scrypt at the OWASP-recommended cost: N=2^17, r=8, p=1 (128 MiB of memory per derivation). */
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const

/**
 * Bounds on scrypt parameters, checked on every slot read from a file and before any derivation,
 * so a hand-edited slot can neither stall nor exhaust the process (nor weaken the vault).
 * The cost 128·N·r·p bytes is the memory one lane takes times the lanes (p lanes in parallel
 * would each need it; run one after the other they take p times as long), at most 1 GiB.
 */
export const SCRYPT_BOUNDS = {
  minN: 2 ** 15,
  maxN: 2 ** 20,
  minR: 8,
  maxR: 16,
  maxP: 4,
  maxBytes: 1024 ** 3,
} as const

/** Why these scrypt parameters are refused, or null when they are within SCRYPT_BOUNDS. */
export function scryptParamsProblem(k: { N: number; r: number; p: number }): string | null {
  const b = SCRYPT_BOUNDS
  if (!Number.isInteger(k.N) || k.N < b.minN || k.N > b.maxN || (k.N & (k.N - 1)) !== 0)
    return 'N must be a power of two from 2^15 to 2^20'
  if (!Number.isInteger(k.r) || k.r < b.minR || k.r > b.maxR) return 'r must be from 8 to 16'
  if (!Number.isInteger(k.p) || k.p < 1 || k.p > b.maxP) return 'p must be from 1 to 4'
  if (128 * k.N * k.r * k.p > b.maxBytes) return 'scrypt would need more than 1 GiB (128·N·r·p)'
  return null
}

const scryptParams = z
  .object({
    name: z.literal('scrypt'),
    N: z.number().int().min(SCRYPT_BOUNDS.minN).max(SCRYPT_BOUNDS.maxN),
    r: z.number().int().min(SCRYPT_BOUNDS.minR).max(SCRYPT_BOUNDS.maxR),
    p: z.number().int().min(1).max(SCRYPT_BOUNDS.maxP),
    salt: z.string().min(16),
  })
  .strict()
  .superRefine((k, c) => {
    const problem = scryptParamsProblem(k)
    if (problem) c.addIssue({ code: 'custom', message: problem })
  })

/** At most this many key slots in a vault: the schema refuses a file with more. */
export const MAX_KEY_SLOTS = 8

export const keySlotSchema = z.discriminatedUnion('kind', [
  z
    .object({
      id: z.string().min(1),
      kind: z.literal('passphrase'),
      createdAt: z.number(),
      kdf: scryptParams,
      wrapped: encRecordSchema,
    })
    .strict(),
  z
    .object({
      id: z.string().min(1),
      kind: z.literal('safe-storage'),
      createdAt: z.number(),
      /** The OS backend that wrapped the key; a later change is an error, never a reset. */
      backend: z.string().min(1),
      wrapped: z.string().min(1),
    })
    .strict(),
])
export type KeySlot = z.infer<typeof keySlotSchema>

/** Appends `slot` unless the vault already has MAX_KEY_SLOTS (CONFLICT, nothing changed). */
export function pushKeySlot(slots: KeySlot[], slot: KeySlot): Result<KeySlot> {
  if (slots.length >= MAX_KEY_SLOTS) {
    return fail(
      'CONFLICT',
      `This vault already has ${MAX_KEY_SLOTS} ways to open it, the most it can hold. ` +
        'Remove one before adding another. Nothing was changed.',
    )
  }
  slots.push(slot)
  return ok(slot)
}

/** What a protector needs to know about the vault whose key it wraps. */
export interface SlotContext {
  vaultId: string
  now: number
}

/** Wraps and unwraps the data key. The vault holds a list of slots; any one opens it. */
export interface KeyProtector {
  readonly kind: KeySlot['kind']
  wrap(dataKey: Buffer, ctx: SlotContext): Promise<Result<KeySlot>>
  /** VAULT_BAD_PASSPHRASE, PROTECTION_UNAVAILABLE or PROTECTION_CHANGED when it cannot. */
  unwrap(slot: KeySlot, ctx: SlotContext): Promise<Result<Buffer>>
}

function slotAad(vaultId: string, slotId: string): string {
  return `tokendeck/${vaultId}/key-slot/${slotId}`
}

function deriveKek(passphrase: string, salt: Buffer, p: { N: number; r: number; p: number }) {
  const options: ScryptOptions = {
    N: p.N,
    r: p.r,
    p: p.p,
    maxmem: 256 * p.N * p.r + 32 * 1024 * 1024,
  }
  return new Promise<Buffer>((resolve, reject) =>
    scryptCb(passphrase.normalize('NFC'), salt, KEY_BYTES, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  )
}

export { MIN_PASSPHRASE_LENGTH }

/**
 * A passphrase protector. `cost` exists for test fixtures and benchmarks; vaults created by the
 * app and the CLI always use DEFAULT_SCRYPT.
 */
export function passphraseProtector(
  passphrase: string,
  cost: { N: number; r: number; p: number } = DEFAULT_SCRYPT,
): KeyProtector {
  return {
    kind: 'passphrase',
    async wrap(dataKey, ctx) {
      if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
        return fail(
          'VALIDATION_FAILED',
          `A passphrase has at least ${MIN_PASSPHRASE_LENGTH} characters.`,
        )
      }
      const problem = scryptParamsProblem(cost)
      if (problem) return fail('VALIDATION_FAILED', `Refused scrypt parameters: ${problem}.`)
      const salt = randomBytes(16)
      const kek = await deriveKek(passphrase, salt, cost)
      const id = randomUUID()
      const wrapped = seal(kek, dataKey, slotAad(ctx.vaultId, id))
      kek.fill(0)
      return ok({
        id,
        kind: 'passphrase',
        createdAt: ctx.now,
        kdf: { name: 'scrypt', ...cost, salt: salt.toString('base64') },
        wrapped,
      })
    },
    async unwrap(slot, ctx) {
      if (slot.kind !== 'passphrase') return fail('UNSUPPORTED', 'Not a passphrase slot.')
      // Checked before deriving: a tampered slot is refused at once, never computed.
      const problem = slot.kdf.name === 'scrypt' ? scryptParamsProblem(slot.kdf) : 'not scrypt'
      if (problem) {
        return fail(
          'VAULT_CORRUPT',
          `A passphrase slot of this vault asks for key derivation parameters TokenDeck refuses ` +
            `(${problem}); nothing was derived and the file was not changed.`,
        )
      }
      const kek = await deriveKek(passphrase, Buffer.from(slot.kdf.salt, 'base64'), slot.kdf)
      const key = openRecord(kek, slot.wrapped, slotAad(ctx.vaultId, slot.id))
      kek.fill(0)
      if (!key || key.length !== KEY_BYTES) {
        return fail('VAULT_BAD_PASSPHRASE', 'Wrong passphrase. Nothing was changed.')
      }
      return ok(key)
    },
  }
}

/** The part of Electron's safeStorage the vault uses; main/index.main.ts passes the real one. */
export interface SafeStoragePort {
  isEncryptionAvailable(): boolean
  /** Linux only: 'basic_text', 'gnome_libsecret', 'kwallet5', ... Absent elsewhere. */
  getSelectedStorageBackend?(): string
  encryptString(plain: string): Buffer
  decryptString(encrypted: Buffer): string
}

/** Linux backends that store secrets with a hard-coded key: no protection at all. */
export const UNPROTECTED_BACKENDS = new Set(['basic_text', 'unknown'])

export interface SafeStorageStatus {
  available: boolean
  backend: string
  /** Why the OS protection cannot be used, in words for the person choosing. */
  reason?: string
}

/** Says whether OS protection is real here. `platform` is process.platform. */
export function safeStorageStatus(port: SafeStoragePort, platform: string): SafeStorageStatus {
  const backend =
    platform === 'linux'
      ? (port.getSelectedStorageBackend?.() ?? 'unknown')
      : platform === 'darwin'
        ? 'keychain'
        : platform === 'win32'
          ? 'dpapi'
          : 'unknown'
  if (!port.isEncryptionAvailable()) {
    return { available: false, backend, reason: 'The OS keychain is not available (yet).' }
  }
  if (UNPROTECTED_BACKENDS.has(backend)) {
    return {
      available: false,
      backend,
      reason:
        'No keyring service (GNOME Keyring, KWallet) is running, so the OS would store the key ' +
        'with a fixed, publicly known password. Choose a master passphrase instead.',
    }
  }
  return { available: true, backend }
}

/** A protector over Electron's safeStorage (OS keychain, DPAPI, libsecret/kwallet). */
export function safeStorageProtector(port: SafeStoragePort, platform: string): KeyProtector {
  return {
    kind: 'safe-storage',
    async wrap(dataKey, ctx) {
      const status = safeStorageStatus(port, platform)
      if (!status.available) return fail('PROTECTION_UNAVAILABLE', status.reason ?? 'Unavailable.')
      const wrapped = port.encryptString(dataKey.toString('base64')).toString('base64')
      return ok({
        id: randomUUID(),
        kind: 'safe-storage',
        createdAt: ctx.now,
        backend: status.backend,
        wrapped,
      })
    },
    async unwrap(slot) {
      if (slot.kind !== 'safe-storage') return fail('UNSUPPORTED', 'Not an OS keychain slot.')
      const status = safeStorageStatus(port, platform)
      if (status.backend !== slot.backend) {
        return fail(
          'PROTECTION_CHANGED',
          `This vault was protected with the "${slot.backend}" keychain, but the OS now offers ` +
            `"${status.backend}". The vault was not changed; unlock it with its passphrase, or ` +
            'restore the previous keychain.',
          { details: { recorded: slot.backend, current: status.backend } },
        )
      }
      if (!status.available) return fail('PROTECTION_UNAVAILABLE', status.reason ?? 'Unavailable.')
      let b64: string
      try {
        b64 = port.decryptString(Buffer.from(slot.wrapped, 'base64'))
      } catch {
        return fail('PROTECTION_UNAVAILABLE', 'The OS keychain could not unwrap the vault key.')
      }
      const key = Buffer.from(b64, 'base64')
      if (key.length !== KEY_BYTES)
        return fail('VAULT_CORRUPT', 'The OS keychain returned a key of the wrong size.')
      return ok(key)
    },
  }
}
