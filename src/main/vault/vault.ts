// The vault: owns the data key (unlocked or not), the key slots, settings and imported provider
// profiles, and gives the account and token services locked access to the file.
import { randomUUID } from 'node:crypto'
import type { Clock } from '../../shared/clock'
import { fail, ok, type Result } from '../../shared/result'
import { parseProfile, type ProviderProfile } from '../../shared/providers/profile'
import { ProviderRegistry, parseUserProfile } from '../providers/registry'
import { openString, seal, generateKey, type EncRecord } from './crypto'
import { EventLog, type VaultEvent } from './event-log'
import type { KeyProtector, KeySlot } from './key-slots'
import { settingsSchema, type VaultData, type VaultSettings } from './schema'
import { VaultFile, emptyVault, type StoreFactory } from './vault-file'

export interface VaultOptions {
  dir: string
  clock: Clock
  storeFactory?: StoreFactory
  /** How long a write or a mint waits for another process before VAULT_BUSY. */
  lockWaitMs?: number
}

export interface KeySlotView {
  id: string
  kind: KeySlot['kind']
  createdAt: number
  backend?: string
}

export interface VaultStatus {
  exists: boolean
  unlocked: boolean
  dir: string
  slots: KeySlotView[]
  autoLockMinutes: number
}

type Listener = () => void

/** Owns the unlocked data key and everything about the vault that is not accounts or tokens. */
export class Vault {
  readonly file: VaultFile
  readonly events: EventLog
  readonly registry = new ProviderRegistry()
  readonly clock: Clock
  private key: Buffer | null = null
  private vaultId: string | null = null
  private lastActivity = 0
  private readonly listeners = new Set<Listener>()

  constructor(readonly options: VaultOptions) {
    this.clock = options.clock
    this.file = new VaultFile({
      dir: options.dir,
      storeFactory: options.storeFactory,
      lockWaitMs: options.lockWaitMs,
    })
    this.events = new EventLog(this.file.dir, () => {
      void this.file.locked(async () => ok(this.events.compactIfLarge()))
    })
  }

  /** Creates a new vault with a fresh data key wrapped by `protector`, and leaves it unlocked. */
  async create(protector: KeyProtector): Promise<Result<void>> {
    if (this.file.exists())
      return fail('VAULT_EXISTS', `A vault already exists at ${this.file.dir}.`)
    const vaultId = randomUUID()
    const key = generateKey()
    const slot = await protector.wrap(key, { vaultId, now: this.clock.now() })
    if (!slot.ok) return slot
    const created = await this.file.create(emptyVault(vaultId, this.clock.now(), [slot.value]))
    if (!created.ok) return created
    this.setKey(key, vaultId)
    this.log({ type: 'vault', message: `Vault created, protected by ${describeSlot(slot.value)}.` })
    return ok(undefined)
  }

  /** Tries every slot of the protector's kind; the first that opens unlocks the vault. */
  async unlock(protector: KeyProtector): Promise<Result<void>> {
    const data = this.file.read()
    if (!data.ok) return data
    const slots = data.value.keySlots.filter((s) => s.kind === protector.kind)
    if (slots.length === 0) {
      return fail(
        'VAULT_LOCKED',
        protector.kind === 'passphrase'
          ? 'This vault has no passphrase: it opens only in the TokenDeck app (OS keychain). ' +
              'To use it here, open TokenDeck > Settings > Protection > "Add a passphrase".'
          : 'This vault is not protected by the OS keychain; unlock it with its passphrase.',
      )
    }
    let last: Result<Buffer> = fail('VAULT_LOCKED', 'The vault is locked.')
    for (const slot of slots) {
      last = await protector.unwrap(slot, { vaultId: data.value.vaultId, now: this.clock.now() })
      if (last.ok) {
        this.setKey(last.value, data.value.vaultId)
        return ok(undefined)
      }
    }
    return last
  }

  /** Drops the data key from memory (zeroed). */
  lock(): void {
    if (this.key) this.key.fill(0)
    const was = this.key !== null
    this.key = null
    if (was) this.emit()
  }

  get unlocked(): boolean {
    return this.key !== null
  }

  status(): VaultStatus {
    const data = this.file.exists() ? this.file.read() : null
    return {
      exists: data !== null,
      unlocked: this.unlocked,
      dir: this.file.dir,
      slots: data?.ok ? data.value.keySlots.map(slotView) : [],
      autoLockMinutes: data?.ok ? data.value.settings.autoLockMinutes : 0,
    }
  }

  /** Marks activity; auto-lock counts idle time from the last call. */
  touch(): void {
    this.lastActivity = this.clock.now()
  }

  /** Locks when idle longer than the auto-lock setting; returns true if it locked now. */
  checkAutoLock(): boolean {
    if (!this.unlocked) return false
    const data = this.file.read()
    const minutes = data.ok ? data.value.settings.autoLockMinutes : 0
    if (minutes <= 0) return false
    if (this.clock.now() - this.lastActivity < minutes * 60_000) return false
    this.lock()
    this.log({ type: 'vault', message: `Locked after ${minutes} idle minutes.` })
    return true
  }

  /** The current data, after checking the vault is unlocked; refreshes the custom profiles. */
  readUnlocked(): Result<VaultData> {
    if (!this.key) return fail('VAULT_LOCKED', 'The vault is locked.')
    const data = this.file.read()
    if (data.ok) this.syncProfiles(data.value)
    return data
  }

  private syncProfiles(data: VaultData): void {
    const profiles: ProviderProfile[] = []
    for (const raw of data.customProfiles) {
      const p = parseProfile(raw)
      if (p.ok) profiles.push(p.value)
    }
    this.registry.setCustom(profiles)
  }

  /** Encrypts a secret for a record (the record id is the associated data). */
  sealSecret(recordId: string, plain: string): Result<EncRecord> {
    if (!this.key || !this.vaultId) return fail('VAULT_LOCKED', 'The vault is locked.')
    return ok(seal(this.key, plain, `tokendeck/${this.vaultId}/${recordId}`))
  }

  openSecret(recordId: string, rec: EncRecord): Result<string> {
    if (!this.key || !this.vaultId) return fail('VAULT_LOCKED', 'The vault is locked.')
    const s = openString(this.key, rec, `tokendeck/${this.vaultId}/${recordId}`)
    if (s === null) {
      return fail(
        'VAULT_CORRUPT',
        `A secret in the vault (${recordId.split('/')[0]}) failed to decrypt; the file was not changed.`,
      )
    }
    return ok(s)
  }

  /** Adds a key slot (e.g. a passphrase beside the OS keychain); needs the vault unlocked. */
  async addKeySlot(protector: KeyProtector): Promise<Result<KeySlotView>> {
    const key = this.key
    if (!key || !this.vaultId) return fail('VAULT_LOCKED', 'Unlock the vault first.')
    const slot = await protector.wrap(key, { vaultId: this.vaultId, now: this.clock.now() })
    if (!slot.ok) return slot
    const r = await this.file.update((d) => {
      d.keySlots.push(slot.value)
      return ok(slotView(slot.value))
    })
    if (r.ok) this.log({ type: 'vault', message: `Added ${describeSlot(slot.value)}.` })
    return r
  }

  /** Removes a key slot; the last one can never be removed. */
  async removeKeySlot(slotId: string): Promise<Result<void>> {
    if (!this.key) return fail('VAULT_LOCKED', 'Unlock the vault first.')
    const r = await this.file.update((d) => {
      const i = d.keySlots.findIndex((s) => s.id === slotId)
      if (i < 0) return fail('NOT_FOUND', 'No such key slot.')
      if (d.keySlots.length === 1)
        return fail('CONFLICT', 'The last way to open the vault cannot be removed.')
      d.keySlots.splice(i, 1)
      return ok(undefined)
    })
    if (r.ok) this.log({ type: 'vault', message: 'Removed a key slot.' })
    return r
  }

  settings(): Result<VaultSettings> {
    const d = this.readUnlocked()
    return d.ok ? ok(d.value.settings) : d
  }

  async updateSettings(patch: Partial<VaultSettings>): Promise<Result<VaultSettings>> {
    if (!this.key) return fail('VAULT_LOCKED', 'The vault is locked.')
    const r = await this.file.update((d) => {
      const next = settingsSchema.safeParse({ ...d.settings, ...patch })
      if (!next.success) return fail('VALIDATION_FAILED', 'Invalid settings.')
      d.settings = next.data
      return ok(next.data)
    })
    if (r.ok) this.emit()
    return r
  }

  providers(): ProviderProfile[] {
    const d = this.file.read()
    if (d.ok) this.syncProfiles(d.value)
    return this.registry.list()
  }

  /** Imports a provider profile (JSON text); replaces an earlier import with the same id. */
  async addProvider(text: string): Promise<Result<ProviderProfile>> {
    if (!this.key) return fail('VAULT_LOCKED', 'The vault is locked.')
    const parsed = parseUserProfile(text)
    if (!parsed.ok) return parsed
    const r = await this.file.update((d) => {
      d.customProfiles = d.customProfiles.filter((p) => p.id !== parsed.value.id)
      d.customProfiles.push(JSON.parse(text) as Record<string, unknown>)
      return ok(parsed.value)
    })
    if (r.ok) {
      this.log({
        type: 'vault',
        message: `Imported provider "${parsed.value.name}" (${parsed.value.id}).`,
      })
      this.emit()
    }
    return r
  }

  async removeProvider(id: string): Promise<Result<void>> {
    if (!this.key) return fail('VAULT_LOCKED', 'The vault is locked.')
    const r = await this.file.update((d) => {
      if (!d.customProfiles.some((p) => p.id === id))
        return fail('NOT_FOUND', `No imported provider "${id}".`)
      if (d.accounts.some((a) => a.providerId === id)) {
        return fail('CONFLICT', `Accounts still use "${id}"; remove them first.`)
      }
      d.customProfiles = d.customProfiles.filter((p) => p.id !== id)
      return ok(undefined)
    })
    if (r.ok) this.emit()
    return r
  }

  log(event: Omit<VaultEvent, 'id' | 'at'>): VaultEvent {
    return this.events.append({ at: this.clock.now(), ...event })
  }

  /** Called after any change the UI or tray should reflect. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit(): void {
    for (const l of this.listeners) l()
  }

  private setKey(key: Buffer, vaultId: string): void {
    this.key = key
    this.vaultId = vaultId
    this.touch()
    this.emit()
  }
}

function slotView(s: KeySlot): KeySlotView {
  return s.kind === 'safe-storage'
    ? { id: s.id, kind: s.kind, createdAt: s.createdAt, backend: s.backend }
    : { id: s.id, kind: s.kind, createdAt: s.createdAt }
}

function describeSlot(s: KeySlot): string {
  return s.kind === 'passphrase' ? 'a passphrase' : `the OS keychain (${s.backend})`
}
