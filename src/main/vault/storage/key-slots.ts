// Key slots: the vault's data key wrapped by one or more protectors (as LUKS does), so the same
// vault opens in the app through the OS keychain and in the CLI with a passphrase. Adding or
// removing a slot re-wraps the data key only; no record is re-encrypted. A slot is bound to the
// sealed format (format 2): its wrap names it, so the key it holds never opens a format 1 file
// made from the header (a downgrade); slots wrapped by an earlier TokenDeck are bound when they
// next open a format 2 file. The key derivation work of all of a file's slots is bounded.
import { randomBytes, randomUUID, scrypt as scryptCb, type ScryptOptions } from 'node:crypto'
import { z } from 'zod'
import { MIN_PASSPHRASE_LENGTH } from '../../../shared/passphrase'
import { fail, ok, type Result } from '../../../shared/result'
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

/**
 * The scrypt work (N·r·p, proportional to its time) that all of a file's passphrase slots may ask
 * for together: one slot at the 1 GiB maximum (N=2^20, r=8), or eight at the default cost (about
 * 3 s in all here). A file whose slots ask for more is refused before anything is derived, so
 * slots planted in the header cannot cost minutes before the real one is tried.
 */
export const MAX_TOTAL_KDF_WORK = 2 ** 23

/** The scrypt work of one slot (0 for the OS keychain, which derives nothing). */
export function kdfWork(slot: KeySlot): number {
  return slot.kind === 'passphrase' ? slot.kdf.N * slot.kdf.r * slot.kdf.p : 0
}

/**
 * The slots a protector of `kind` tries, cheapest first, or VAULT_CORRUPT when all of the file's
 * slots together ask for more key derivation than MAX_TOTAL_KDF_WORK (nothing is derived then).
 */
export function slotsToTry(slots: readonly KeySlot[], kind: KeySlot['kind']): Result<KeySlot[]> {
  const total = slots.reduce((sum, s) => sum + kdfWork(s), 0)
  if (total > MAX_TOTAL_KDF_WORK) {
    return fail(
      'VAULT_CORRUPT',
      `The key slots of this vault together ask for more key derivation than TokenDeck allows ` +
        `(${Math.round(total / 2 ** 20)} times the default cost; at most ${MAX_TOTAL_KDF_WORK / 2 ** 20}). ` +
        'Slots may have been planted in the file; nothing was derived and the file was not changed.',
    )
  }
  return ok(slots.filter((s) => s.kind === kind).sort((a, b) => kdfWork(a) - kdfWork(b)))
}

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

/** A data key a slot opened, and whether that slot is bound to the sealed format. */
export interface UnwrappedKey {
  key: Buffer
  /**
   * The slot names the sealed format (format 2) in its wrap. False for a slot an earlier
   * TokenDeck wrapped: it opens format 1 and format 2 files alike until it is bound.
   */
  bound: boolean
  /** For a slot that is not bound: the same slot wrapped again, bound (nothing re-derived). */
  rebound?: KeySlot
}

/** Wraps and unwraps the data key. The vault holds a list of slots; any one opens it. */
export interface KeyProtector {
  readonly kind: KeySlot['kind']
  /** Wraps `dataKey` in a new slot, bound to the sealed format. */
  wrap(dataKey: Buffer, ctx: SlotContext): Promise<Result<KeySlot>>
  /** VAULT_BAD_PASSPHRASE, PROTECTION_UNAVAILABLE or PROTECTION_CHANGED when it cannot. */
  unwrap(slot: KeySlot, ctx: SlotContext): Promise<Result<UnwrappedKey>>
}

/** The associated data of a passphrase slot's wrap: bound to the vault, the slot and format 2. */
function slotAad(vaultId: string, slotId: string): string {
  return `tokendeck/${vaultId}/key-slot/${slotId}|format=2`
}

/** A passphrase slot's associated data before slots were bound to the format. */
function legacySlotAad(vaultId: string, slotId: string): string {
  return `tokendeck/${vaultId}/key-slot/${slotId}`
}

/** What the OS keychain wraps: the key, bound to the vault, the slot and format 2. */
function keychainPlain(vaultId: string, slotId: string, key: Buffer): string {
  return `tokendeck-key/format=2|${vaultId}|${slotId}|${key.toString('base64')}`
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
      try {
        const bound = openRecord(kek, slot.wrapped, slotAad(ctx.vaultId, slot.id))
        if (bound?.length === KEY_BYTES) return ok({ key: bound, bound: true })
        const legacy = openRecord(kek, slot.wrapped, legacySlotAad(ctx.vaultId, slot.id))
        if (legacy?.length === KEY_BYTES) {
          const wrapped = seal(kek, legacy, slotAad(ctx.vaultId, slot.id))
          return ok({ key: legacy, bound: false, rebound: { ...slot, wrapped } })
        }
        return fail('VAULT_BAD_PASSPHRASE', 'Wrong passphrase. Nothing was changed.')
      } finally {
        kek.fill(0)
      }
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
      const id = randomUUID()
      const wrapped = port.encryptString(keychainPlain(ctx.vaultId, id, dataKey))
      return ok({
        id,
        kind: 'safe-storage',
        createdAt: ctx.now,
        backend: status.backend,
        wrapped: wrapped.toString('base64'),
      })
    },
    async unwrap(slot, ctx) {
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
      let plain: string
      try {
        plain = port.decryptString(Buffer.from(slot.wrapped, 'base64'))
      } catch {
        return fail('PROTECTION_UNAVAILABLE', 'The OS keychain could not unwrap the vault key.')
      }
      const prefix = keychainPlain(ctx.vaultId, slot.id, Buffer.alloc(0))
      const bound = plain.startsWith(prefix)
      if (!bound && plain.startsWith('tokendeck-key/')) {
        // Wrapped for another vault or slot: this slot was copied here from elsewhere.
        return fail(
          'VAULT_TAMPERED',
          'The OS keychain slot of this vault was wrapped for another vault or slot: the vault file was changed outside TokenDeck. Nothing was changed.',
        )
      }
      const b64 = bound ? plain.slice(prefix.length) : plain
      // Exactly the base64 of a 32-byte key: anything else is another keychain's garbage.
      if (!/^[A-Za-z0-9+/]{43}=$/.test(b64))
        return fail('PROTECTION_UNAVAILABLE', 'The OS keychain could not unwrap the vault key.')
      const key = Buffer.from(b64, 'base64')
      if (bound) return ok({ key, bound: true })
      const wrapped = port.encryptString(keychainPlain(ctx.vaultId, slot.id, key))
      return ok({ key, bound: false, rebound: { ...slot, wrapped: wrapped.toString('base64') } })
    },
  }
}
