// The vault: owns the data key (unlocked or not), the key slots, settings and imported provider
// profiles, and gives the account and token services locked access to the file. The file opens
// only with the key (vault-codec.ts): before unlock only its header (the key slots) is read.
import { randomUUID, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../shared/clock'
import { fail, ok, type Failure, type Result } from '../../shared/result'
import type { ProviderProfile } from '../../shared/providers/profile'
import { parseUserProfile, registryFor, type ProviderRegistry } from '../providers/registry'
import { generateKey } from './storage/crypto'
import { keyCheck, reencrypt, type SealedRef } from './storage/rekey'
import { BINDINGS, boundAad, legacyAad, originBoundAad } from './storage/bindings'
import { sealedEventCipher, type EventLog, type VaultEvent } from './storage/event-log'
import { pushKeySlot, slotsToTry, type KeyProtector, type KeySlot } from './storage/key-slots'
import type { SeenVaults } from './storage/seen-vaults'
import { KeyedStorage, tampered } from './storage/keyed-storage'
import type { ChangeEvents, EventInput, VaultChange } from './storage/vault-storage'
import type { WriteOptions } from './storage/keyed-storage'
import { downgraded, format1Refusal, resetUnauthenticated } from './storage/format1-upgrade'
import {
  settingsSchema,
  type VaultData,
  type VaultHeader,
  type VaultSettings,
} from './storage/schema'
import { decodeReason, tamperedFile } from './storage/vault-codec'
import { emptyVault, type StoreFactory, type VaultFile } from './storage/vault-file'

export interface VaultOptions {
  dir: string
  clock: Clock
  storeFactory?: StoreFactory
  /** How long a write or a mint waits for another process before VAULT_BUSY. */
  lockWaitMs?: number
  /**
   * This machine's state folder, outside the vault folder (app-identity.ts localStateDir): the
   * highest format and generation seen of each vault, so a downgrade or a rollback is noticed.
   * Default: defaultStateDir() ($TOKENDECK_STATE_DIR, else the platform's own).
   */
  stateDir?: string
}

/** What a person confirmed for this unlock, after the vault asked. */
export interface UnlockConsent {
  /** Upgrade a format 1 vault, resetting what was not authenticated (VAULT_UPGRADE_NEEDED). */
  upgrade?: boolean
  /** Use a copy of the file older than the newest this machine saw (VAULT_ROLLED_BACK). */
  acceptOlder?: boolean
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
  unreadableCopies: string[]
}

type Listener = () => void

/** The `code` of the events that record a change of the vault's protection (key slots). */
export const PROTECTION_EVENT = 'protection'

export type { EventInput } from './storage/vault-storage'

/** Owns the unlocked data key and everything about the vault that is not accounts or tokens. */
export class Vault {
  /** The storage layer: the file, its key in memory, the event log, the one write protocol. */
  readonly storage: KeyedStorage
  readonly clock: Clock

  constructor(readonly options: VaultOptions) {
    this.clock = options.clock
    this.storage = new KeyedStorage(options)
  }

  get file(): VaultFile {
    return this.storage.file
  }

  get events(): EventLog {
    return this.storage.events
  }

  /** What this machine remembers of each vault (outside its folder). */
  get seen(): SeenVaults {
    return this.storage.seen
  }

  private get key(): Buffer | null {
    return this.storage.opened?.key ?? null
  }

  private get vaultId(): string | null {
    return this.storage.opened?.vaultId ?? null
  }

  /** Creates a new vault with a fresh data key wrapped by `protector`, and leaves it unlocked. */
  async create(protector: KeyProtector): Promise<Result<void>> {
    if (this.file.exists())
      return fail('VAULT_EXISTS', `A vault already exists at ${this.file.dir}.`)
    const vaultId = randomUUID()
    const key = generateKey()
    const slot = await protector.wrap(key, { vaultId, now: this.clock.now() })
    if (!slot.ok) return slot
    const created = await this.file.create(
      { ...emptyVault(vaultId, this.clock.now(), [slot.value]), keyCheck: keyCheck(key) },
      key,
    )
    if (!created.ok) return created
    this.storage.useKey(key, vaultId)
    this.log({ type: 'vault', message: `Vault created, protected by ${describeSlot(slot.value)}.` })
    return ok(undefined)
  }

  /**
   * Tries the slots of the protector's kind, cheapest first; the first that opens unlocks the
   * vault. Before any write, three things are checked against what this machine saw before
   * (seen-vaults.ts): a vault once sealed (format 2) is never read as format 1 again, whatever
   * its key slots say; a format 1 file is upgraded only once the person confirms (`upgrade`,
   * after VAULT_UPGRADE_NEEDED), resetting what it could not authenticate; and a copy older than
   * the newest seen here is opened only once the person accepts it (`acceptOlder`, after
   * VAULT_ROLLED_BACK). A format 2 file then has any key slot from an earlier TokenDeck bound to
   * the format, and records bound to their origin bound to their base URL, in one write.
   */
  async unlock(protector: KeyProtector, consent: UnlockConsent = {}): Promise<Result<void>> {
    const header = this.file.readHeader()
    if (!header.ok) return header
    const format = this.file.formatOnDisk()
    if (!format.ok) return format
    const vaultId = header.value.vaultId
    const seen = this.seen.get(vaultId)
    if (format.value === 1 && seen) return downgraded(this.file.path)
    const candidates = slotsToTry(header.value.keySlots, protector.kind)
    if (!candidates.ok) return candidates
    if (candidates.value.length === 0) {
      return fail(
        'VAULT_LOCKED',
        protector.kind === 'passphrase'
          ? 'This vault has no passphrase: it opens only in the TokenDeck app (OS keychain). ' +
              'To use it here, open TokenDeck > Settings > Protection > "Add a passphrase".'
          : 'This vault is not protected by the OS keychain; unlock it with its passphrase.',
      )
    }
    const opened = await this.unwrapSlot(protector, header.value, () => true)
    if (!opened.ok) return opened
    const { key, bound } = opened.value
    // A slot bound to the sealed format opened a format 1 file: its header was copied from a
    // sealed vault into a file whose content nobody authenticated.
    if (format.value === 1 && bound) {
      key.fill(0)
      return downgraded(this.file.path)
    }
    if (seen) this.file.expectAtLeast(seen)
    if (consent.acceptOlder) this.file.acceptOlder()
    this.file.useKey(key)
    const data = this.file.read()
    if (!data.ok) {
      this.file.useKey(null)
      key.fill(0)
      // A slot that opens a key the header does not name: the header was changed outside.
      return decodeReason(data) === 'key-changed' ? tamperedFile(this.file.path) : data
    }
    if (format.value === 1) {
      const refused = format1Refusal(data.value, this.file.path, consent)
      if (refused) {
        this.file.useKey(null)
        key.fill(0)
        return refused
      }
    }
    this.storage.useKey(key, vaultId)
    const r =
      format.value === 1
        ? await this.upgradeFormat1()
        : await this.bindOnUnlock(opened.value, data.value)
    if (!r.ok) {
      this.lock()
      return r
    }
    const older = seen !== undefined && (data.value.generation ?? 0) < seen.generation
    if (format.value === 2 && older) {
      // Written once now, numbered above the newest seen: this copy is the newest from now on.
      const accepted = await this.mutate(
        () => ok(undefined),
        () => ({
          type: 'vault',
          message:
            `Opened an older copy of the vault file, as confirmed (version ${data.value.generation ?? 0}; ` +
            `version ${seen.generation} was seen here before); it is the newest from now on.`,
        }),
      )
      if (!accepted.ok) {
        this.lock()
        return accepted
      }
    }
    return ok(undefined)
  }

  /**
   * At the unlock of a format 2 file, in one write when needed: the slot that opened it, if an
   * earlier TokenDeck wrapped it, is wrapped again bound to the format; records bound to their
   * origin (bindings 2) are bound to their base URL. Then this machine remembers the file.
   */
  private async bindOnUnlock(
    opened: { slotId: string; rebound?: KeySlot },
    data: VaultData,
  ): Promise<Result<void>> {
    const rebound = opened.rebound
    const rebind = data.bindings !== BINDINGS
    if (!rebound && !rebind) {
      // Remembered under the lock, so a writer of this machine is never overtaken; best effort.
      // A busy lock only skips this record: the next write records it.
      const newest = this.file.newestSeen()
      const recorded = await this.file.locked(async () =>
        ok(this.seen.record(data.vaultId, { format: 2, ...newest, seenAt: this.clock.now() })),
      )
      void recorded
      return ok(undefined)
    }
    const key = this.key!
    const vaultId = data.vaultId
    return this.mutate(
      (draft) => {
        if (rebound) {
          const i = draft.keySlots.findIndex((x) => x.id === rebound.id)
          if (i >= 0) draft.keySlots[i] = rebound
        }
        if (draft.bindings !== BINDINGS) {
          const from =
            draft.bindings === 2
              ? (ref: SealedRef) => originBoundAad(vaultId, ref.recordId, ref.binding)
              : (ref: SealedRef) => legacyAad(vaultId, ref.recordId)
          const to = (ref: SealedRef) => boundAad(vaultId, ref.recordId, ref.binding)
          const re = reencrypt(draft, { key, aad: from }, { key, aad: to })
          if (!re.ok) return re
          draft.bindings = BINDINGS
        }
        return ok(undefined)
      },
      () => ({
        type: 'vault',
        message: [
          rebound ? 'Bound the key slot that opened the vault to its sealed format.' : '',
          rebind ? 'Bound every secret and token to its account’s base URL.' : '',
        ]
          .filter(Boolean)
          .join(' '),
      }),
    )
  }

  /**
   * Tries each slot of the protector's kind, cheapest first (key-slots.ts slotsToTry, which also
   * bounds the work of all of them); the first whose key `accept` takes wins. Otherwise the last
   * refusal (a wrong passphrase, an unavailable keychain), or VAULT_BAD_PASSPHRASE when no slot
   * of that kind opened to an accepted key.
   */
  private async unwrapSlot(
    protector: KeyProtector,
    data: VaultHeader,
    accept: (key: Buffer) => boolean,
  ): Promise<Result<{ key: Buffer; slotId: string; bound: boolean; rebound?: KeySlot }>> {
    let last: Failure = fail(
      'VAULT_BAD_PASSPHRASE',
      protector.kind === 'passphrase'
        ? 'This vault has no passphrase to confirm with; confirm with the OS keychain.'
        : 'This vault is not protected by the OS keychain; confirm with the passphrase.',
    )
    const slots = slotsToTry(data.keySlots, protector.kind)
    if (!slots.ok) return slots
    for (const slot of slots.value) {
      const r = await protector.unwrap(slot, { vaultId: data.vaultId, now: this.clock.now() })
      if (!r.ok) {
        last = r
        continue
      }
      if (accept(r.value.key)) {
        const { key, bound, rebound } = r.value
        return ok({ key, slotId: slot.id, bound, ...(rebound ? { rebound } : {}) })
      }
      r.value.key.fill(0)
    }
    return last
  }

  /**
   * A format 1 vault (only its secrets sealed), upgraded as the person confirmed: everything is
   * sealed as format 2, once, in one atomic write with the same key, its plain event log sealed
   * too. Every sealed record must first open as it was sealed (then it is bound to its base URL);
   * what nothing authenticated and could redirect tokens or open the vault to others is reset,
   * not trusted (format1-upgrade.ts): the gateway's access token and policies, the routes, agent
   * approval and auto-lock. A record that does not open was changed outside TokenDeck: the
   * unlock fails and nothing is written.
   */
  private async upgradeFormat1(): Promise<Result<void>> {
    const key = this.key!
    const vaultId = this.vaultId!
    const cipher = this.storage.eventCipher()!
    let log: { commit(): void; abort(): void } | undefined
    let reset: string[] = []
    const r = await this.mutate(
      (draft) => {
        // Nothing in a format 1 file but its secrets was authenticated: every one must open as
        // it was sealed before the rest is sealed (and so vouched for) as format 2.
        const bound = (ref: SealedRef) => boundAad(vaultId, ref.recordId, ref.binding)
        const from =
          draft.bindings === 2
            ? (ref: SealedRef) => originBoundAad(vaultId, ref.recordId, ref.binding)
            : (ref: SealedRef) => legacyAad(vaultId, ref.recordId)
        const re = reencrypt(draft, { key, aad: from }, { key, aad: bound })
        if (!re.ok) return tampered('account/')
        draft.bindings = BINDINGS
        draft.keyCheck = keyCheck(key)
        reset = resetUnauthenticated(draft)
        // Under the same lock: the plain lines of the old log become sealed ones.
        log = this.events.prepareReseal(null, cipher)
        return ok(undefined)
      },
      () => ({
        type: 'vault',
        message:
          'Upgraded the vault file, as confirmed: everything in it is now encrypted and ' +
          'authenticated, and every secret and token is bound to its account, provider and base URL.' +
          (reset.length > 0 ? ` Reset, not trusted: ${reset.join('; ')}.` : ''),
      }),
      { afterWrite: () => log?.commit() },
    )
    if (!r.ok) log?.abort()
    return r.ok ? ok(undefined) : r
  }

  /** Drops the data key from memory (zeroed). */
  lock(): void {
    this.storage.dropKey()
  }

  /**
   * Runs `work` (a login whose answer must be recorded) as in-flight work: lockWhenIdle waits for
   * it and the idle auto-lock does not lock under it. Refused with VAULT_LOCKED while the vault is
   * locked or a lock is waiting, so no new login starts once locking has begun.
   */
  async track<T>(work: () => Promise<Result<T>>): Promise<Result<T>> {
    return this.storage.track(work)
  }

  /** lockWhenIdle's default bound: the HTTP client's 15 s deadline plus time to record. */
  static readonly IN_FLIGHT_WAIT_MS = 20_000

  /**
   * The lock a person or the OS asks for: waits for in-flight work (track) to finish, at most
   * `maxWaitMs` (a login's deadline), so the tokens it mints are recorded; then drops the key like
   * lock(). Nothing new starts while it waits. lock() stays immediate for callers that cannot wait
   * (quit): a login cut off that way keeps its pending record, uncertain, in the file.
   */
  async lockWhenIdle(maxWaitMs = Vault.IN_FLIGHT_WAIT_MS): Promise<void> {
    // Only when there is work to wait for: otherwise the key is dropped before this returns.
    if (this.storage.busy) await this.storage.whenIdle(maxWaitMs)
    this.lock()
  }

  get unlocked(): boolean {
    return this.storage.unlocked
  }

  /** What the lock screen shows: the key slots come from the header, settings once unlocked. */
  status(): VaultStatus {
    const header = this.file.exists() ? this.file.readHeader() : null
    const data = header?.ok && this.unlocked ? this.file.read() : null
    return {
      exists: header !== null,
      unlocked: this.unlocked,
      dir: this.file.dir,
      slots: header?.ok ? header.value.keySlots.map(slotView) : [],
      autoLockMinutes: data?.ok ? data.value.settings.autoLockMinutes : 0,
      unreadableCopies: this.file.unreadableCopies(),
    }
  }

  /** Marks activity; auto-lock counts idle time from the last call. */
  touch(): void {
    this.storage.touch()
  }

  /** Locks when idle longer than the auto-lock setting; returns true if it locked now. */
  checkAutoLock(): boolean {
    if (!this.unlocked) return false
    const data = this.file.read()
    const minutes = data.ok ? data.value.settings.autoLockMinutes : 0
    if (minutes <= 0) return false
    if (this.clock.now() - this.storage.lastActive < minutes * 60_000) return false
    // A login in flight is activity: the next check locks once it has been recorded.
    if (this.storage.busy) return false
    // Logged first: the log is sealed with the key, which locking drops.
    this.log({ type: 'vault', message: `Locked after ${minutes} idle minutes.` })
    this.lock()
    return true
  }

  /**
   * The current data, after checking the vault is unlocked. Reading changes nothing. A copy of
   * the file older than one this process or machine saw (put back while unlocked) locks the
   * vault: the next unlock says so and asks before anything is written.
   */
  readUnlocked(): Result<VaultData> {
    return this.storage.read()
  }

  /** Built-in and imported profiles as of `data` (derived from it, cached per version). */
  registryOf(data: VaultData): ProviderRegistry {
    return registryFor(data.customProfiles)
  }

  /** The one way to change the vault (storage's write protocol, keyed-storage.ts write). */
  async mutate<T>(
    change: VaultChange<T>,
    events?: ChangeEvents<T>,
    o: WriteOptions = {},
  ): Promise<Result<T>> {
    return this.storage.write(change, events, o)
  }

  /**
   * Proves who is asking before protection changes: `proof` must open one of the vault's slots,
   * and the key it opens must be the data key in memory. Returns the slot it opened.
   */
  async verify(proof: KeyProtector): Promise<Result<{ slotId: string }>> {
    const key = this.key
    if (!key || !this.vaultId) return fail('VAULT_LOCKED', 'Unlock the vault first.')
    const data = this.file.readHeader()
    if (!data.ok) return data
    const same = (k: Buffer) => k.length === key.length && timingSafeEqual(k, key)
    const opened = await this.unwrapSlot(proof, data.value, same)
    if (!opened.ok) return opened
    opened.value.key.fill(0)
    return ok({ slotId: opened.value.slotId })
  }

  /**
   * Rotates the data key: a new key, every sealed record re-encrypted with it, and the key slots
   * replaced by `protectors`' wraps of the new key, in one atomic write under the lock (a crash
   * leaves the old file or the new one). The old key is then dropped from memory. An old copy of
   * the file opens only with the old key, so nothing written afterwards is readable with it.
   */
  async rekey(
    protectors: readonly KeyProtector[],
    message: string,
  ): Promise<Result<KeySlotView[]>> {
    const oldKey = this.key
    const vaultId = this.vaultId
    if (!oldKey || !vaultId) return fail('VAULT_LOCKED', 'Unlock the vault first.')
    if (protectors.length === 0)
      return fail('CONFLICT', 'The last way to open the vault cannot be removed.')
    const newKey = generateKey()
    const slots: KeySlot[] = []
    for (const p of protectors) {
      const slot = await p.wrap(newKey, { vaultId, now: this.clock.now() })
      if (!slot.ok) {
        newKey.fill(0)
        return slot
      }
      slots.push(slot.value)
    }
    const aad = (ref: SealedRef) => boundAad(vaultId, ref.recordId, ref.binding)
    const oldCipher = this.storage.eventCipher()!
    const newCipher = sealedEventCipher(newKey, vaultId)
    let log: { commit(): void; abort(): void } | undefined
    const r = await this.mutate(
      (draft) => {
        const re = reencrypt(draft, { key: oldKey, aad }, { key: newKey, aad })
        if (!re.ok) return re
        draft.keySlots = slots
        draft.keyCheck = keyCheck(newKey)
        // Under the same lock, the log follows the key once the new file is written.
        log = this.events.prepareReseal(oldCipher, newCipher)
        return ok(slots.map(slotView))
      },
      undefined,
      { sealWith: () => newKey, afterWrite: () => log?.commit() },
    )
    if (!r.ok) {
      log?.abort()
      newKey.fill(0)
      return r
    }
    oldKey.fill(0)
    this.storage.useKey(newKey, vaultId, { notify: false })
    this.log({ type: 'vault', code: PROTECTION_EVENT, message })
    return r
  }

  /** Adds a key slot (e.g. a passphrase beside the OS keychain); needs the vault unlocked. */
  async addKeySlot(protector: KeyProtector): Promise<Result<KeySlotView>> {
    const key = this.key
    if (!key || !this.vaultId) return fail('VAULT_LOCKED', 'Unlock the vault first.')
    const slot = await protector.wrap(key, { vaultId: this.vaultId, now: this.clock.now() })
    if (!slot.ok) return slot
    return this.mutate(
      (d) => {
        const added = pushKeySlot(d.keySlots, slot.value)
        return added.ok ? ok(slotView(added.value)) : added
      },
      () => ({
        type: 'vault',
        code: PROTECTION_EVENT,
        message: `Added ${describeSlot(slot.value)}.`,
      }),
    )
  }

  settings(): Result<VaultSettings> {
    const d = this.readUnlocked()
    return d.ok ? ok(d.value.settings) : d
  }

  async updateSettings(patch: Partial<VaultSettings>): Promise<Result<VaultSettings>> {
    return this.mutate((d) => {
      const next = settingsSchema.safeParse({ ...d.settings, ...patch })
      if (!next.success) return fail('VALIDATION_FAILED', 'Invalid settings.')
      d.settings = next.data
      return ok(next.data)
    })
  }

  /**
   * Built-in and imported profiles. Imported ones are sealed in the file with everything else, so
   * while the vault is locked only the built-in profiles are known.
   */
  providers(): Result<ProviderRegistry> {
    if (!this.key) return ok(registryFor([]))
    const d = this.file.read()
    return d.ok ? ok(this.registryOf(d.value)) : d
  }

  /** Imports a provider profile (JSON text); replaces an earlier import with the same id. */
  async addProvider(text: string): Promise<Result<ProviderProfile>> {
    if (!this.key) return fail('VAULT_LOCKED', 'The vault is locked.')
    const parsed = parseUserProfile(text)
    if (!parsed.ok) return parsed
    return this.mutate(
      (d) => {
        d.customProfiles = d.customProfiles.filter((p) => p.id !== parsed.value.id)
        d.customProfiles.push(JSON.parse(text) as Record<string, unknown>)
        return ok(parsed.value)
      },
      (p) => ({ type: 'vault', message: `Imported provider "${p.name}" (${p.id}).` }),
    )
  }

  async removeProvider(id: string): Promise<Result<void>> {
    return this.mutate(
      (d) => {
        if (!d.customProfiles.some((p) => p.id === id))
          return fail('NOT_FOUND', `No imported provider "${id.slice(0, 40)}".`)
        if (d.accounts.some((a) => a.providerId === id)) {
          return fail('CONFLICT', `Accounts still use "${id.slice(0, 40)}"; remove them first.`)
        }
        d.customProfiles = d.customProfiles.filter((p) => p.id !== id)
        return ok(undefined)
      },
      () => ({ type: 'vault', message: `Removed the imported provider "${id.slice(0, 40)}".` }),
    )
  }

  /** Appends an event that changes nothing in the vault (a reuse, a copy, a failure). */
  log(event: EventInput): VaultEvent {
    return this.storage.log(event)
  }

  /** Appends several such events in one write (the gateway's request records). */
  logAll(events: readonly EventInput[]): VaultEvent[] {
    return this.storage.logAll(events)
  }

  /** Called after any change the UI or tray should reflect. */
  onChange(listener: Listener): () => void {
    return this.storage.onChange(listener)
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
