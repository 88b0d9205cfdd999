// The storage layer's implementation: the vault file opened with the data key in memory, its
// event log, and the one write protocol. The orchestration (vault.ts) sets and drops the key.
import fs from 'node:fs'
import path from 'node:path'
import type { Clock } from '../../../shared/clock'
import { fail, ok, type Failure, type Result } from '../../../shared/result'
import { openString, seal, type EncRecord } from './crypto'
import { keyCheck } from './rekey'
import { boundAad, type Binding } from './bindings'
import { EventLog, sealedEventCipher, type EventCipher, type VaultEvent } from './event-log'
import { defaultStateDir, SeenVaults } from './seen-vaults'
import type { VaultData } from './schema'
import { VaultFile, type StoreFactory } from './vault-file'
import type {
  ChangeEvents,
  EventInput,
  VaultChange,
  VaultStorage,
  WriteRider,
} from './vault-storage'

export interface KeyedStorageOptions {
  dir: string
  clock: Clock
  storeFactory?: StoreFactory
  /** How long a write waits for another process before VAULT_BUSY. */
  lockWaitMs?: number
  /** This machine's state folder, outside the vault folder (seen-vaults.ts). */
  stateDir?: string
}

/** Extra options of a write that only the orchestration uses (rotation, the log's re-seal). */
export interface WriteOptions {
  /** Seal the new file with this key (rotation) instead of the one in memory. */
  sealWith?: () => Buffer
  /** Runs after the write, still under the lock, before the events. */
  afterWrite?: () => void
}

/** A sealed record that does not open as it was sealed: changed outside TokenDeck. */
export function tampered(recordId: string): Failure {
  return fail(
    'VAULT_TAMPERED',
    `A ${recordId.startsWith('token/') ? 'token' : 'secret'} in the vault does not match the account, provider or server address it was sealed for: the vault file was changed outside TokenDeck. Nothing was sent; the file was not changed. Restore the vault from a backup you trust.`,
  )
}

function keyChanged(): Failure {
  return fail(
    'VAULT_LOCKED',
    'The vault was re-keyed in another window or terminal (its protection changed); unlock it again.',
  )
}

/** The vault file opened with the data key in memory; every write goes through write(). */
export class KeyedStorage implements VaultStorage {
  readonly file: VaultFile
  readonly events: EventLog
  readonly clock: Clock
  /** What this machine remembers of each vault (outside its folder). */
  readonly seen: SeenVaults
  /** Compaction rounds skipped in a row because the vault was busy (diagnostics and tests). */
  compactionSkipped = 0
  private key: Buffer | null = null
  private id: string | null = null
  private lastActivity = 0
  private readonly listeners = new Set<() => void>()
  private readonly riders = new Set<WriteRider>()
  /** Work that must finish before the key is dropped (logins in flight): see track(). */
  private readonly inFlight = new Set<Promise<unknown>>()
  /** How many whenIdle calls are waiting: while any is, no new tracked work starts. */
  private idleWaiters = 0
  private cipherCache: { key: Buffer; cipher: EventCipher } | undefined

  constructor(options: KeyedStorageOptions) {
    this.clock = options.clock
    this.seen = new SeenVaults(options.stateDir ?? defaultStateDir())
    this.file = new VaultFile({
      dir: options.dir,
      storeFactory: options.storeFactory,
      lockWaitMs: options.lockWaitMs,
      now: () => this.clock.now(),
      // Every write (under the vault lock) is remembered on this machine at once.
      onWritten: (vaultId, n) => {
        this.seen.record(vaultId, { format: 2, ...n, seenAt: this.clock.now() })
      },
    })
    this.events = new EventLog(
      this.file.dir,
      () => this.eventCipher(),
      () => this.compactEvents(),
    )
  }

  get dir(): string {
    return this.file.dir
  }

  get unlocked(): boolean {
    return this.key !== null
  }

  /** The data key in memory and the vault it opens (for the orchestration only), or null. */
  get opened(): { key: Buffer; vaultId: string } | null {
    return this.key && this.id ? { key: this.key, vaultId: this.id } : null
  }

  /** Idle since (epoch ms of the last touch). */
  get lastActive(): number {
    return this.lastActivity
  }

  /** Whether tracked work is running (a login in flight is activity). */
  get busy(): boolean {
    return this.inFlight.size > 0
  }

  /** Puts the data key in memory (unlock, rotation); a new vault id only at unlock or create. */
  useKey(key: Buffer, vaultId: string, o: { notify: boolean } = { notify: true }): void {
    this.key = key
    this.id = vaultId
    this.file.useKey(key)
    if (!o.notify) return
    this.touch()
    this.emit()
  }

  /** Drops the data key from memory (zeroed). */
  dropKey(): void {
    if (this.key) this.key.fill(0)
    const was = this.key !== null
    this.key = null
    this.cipherCache = undefined
    this.file.useKey(null)
    if (was) this.emit()
  }

  /**
   * Trims the event log under the write lock. Best effort: a round the vault was too busy for
   * (VAULT_BUSY) is skipped, and the log asks again after more appends.
   */
  private compactEvents(): void {
    void this.file
      .locked(async () => ok(await this.events.compactIfLarge()))
      .then((r) => {
        this.compactionSkipped = r.ok ? 0 : this.compactionSkipped + 1
      })
  }

  /** The event log's cipher under the key in memory; null while locked (nothing is logged). */
  eventCipher(): EventCipher | null {
    if (!this.key || !this.id) return null
    if (this.cipherCache?.key !== this.key)
      this.cipherCache = { key: this.key, cipher: sealedEventCipher(this.key, this.id) }
    return this.cipherCache.cipher
  }

  /**
   * The current data, after checking the vault is unlocked. Reading changes nothing. A copy of
   * the file older than one this process or machine saw (put back while unlocked) drops the key:
   * the next unlock says so and asks before anything is written.
   */
  read(): Result<VaultData> {
    if (!this.key) return fail('VAULT_LOCKED', 'The vault is locked.')
    return this.dropKeyIfRolledBack(this.file.read())
  }

  private dropKeyIfRolledBack<T>(r: Result<T>): Result<T> {
    if (!r.ok && r.code === 'VAULT_ROLLED_BACK') this.dropKey()
    return r
  }

  /**
   * The one way to change the vault: take the lock, re-read, apply the riders and `change` to a
   * private copy, write it atomically, append the events that describe it (still under the
   * lock), and only then notify. Nothing is logged or announced for a change that was not written.
   */
  async write<T>(
    change: VaultChange<T>,
    events?: ChangeEvents<T>,
    o: WriteOptions = {},
  ): Promise<Result<T>> {
    if (!this.key) return fail('VAULT_LOCKED', 'The vault is locked.')
    const now = this.clock.now()
    const key = this.key
    const riders = [...this.riders]
    let written: (() => void)[] = []
    const r = await this.file.update(
      (draft) => {
        // Another window or terminal rotated the data key: what this process would seal now
        // could not be read back. Lock, and ask for the passphrase again.
        if (draft.keyCheck !== undefined && draft.keyCheck !== keyCheck(key)) return keyChanged()
        written = riders.flatMap((ride) => ride(draft) ?? [])
        return change(draft, now)
      },
      (value) => {
        for (const done of written) done()
        o.afterWrite?.()
        const e = events?.(value)
        for (const one of Array.isArray(e) ? e : e ? [e] : []) this.log(one)
      },
      o.sealWith,
    )
    if (r.ok) this.emit()
    return this.dropKeyIfRolledBack(r)
  }

  addRider(rider: WriteRider): () => void {
    this.riders.add(rider)
    return () => this.riders.delete(rider)
  }

  sealSecret(recordId: string, binding: Binding, plain: string): Result<EncRecord> {
    if (!this.key || !this.id) return fail('VAULT_LOCKED', 'The vault is locked.')
    return ok(seal(this.key, plain, boundAad(this.id, recordId, binding)))
  }

  /**
   * Opens a secret. One that does not open was moved to another record or account, or its
   * account's provider or server address was changed outside TokenDeck: VAULT_TAMPERED, and
   * nothing is sent anywhere.
   */
  openSecret(recordId: string, binding: Binding, rec: EncRecord): Result<string> {
    if (!this.key || !this.id) return fail('VAULT_LOCKED', 'The vault is locked.')
    const s = openString(this.key, rec, boundAad(this.id, recordId, binding))
    if (s === null) return tampered(recordId)
    return ok(s)
  }

  async track<T>(work: () => Promise<Result<T>>): Promise<Result<T>> {
    if (!this.key) return fail('VAULT_LOCKED', 'The vault is locked.')
    if (this.idleWaiters > 0) return fail('VAULT_LOCKED', 'The vault is locking.')
    const running = work()
    this.inFlight.add(running)
    try {
      return await running
    } finally {
      this.inFlight.delete(running)
    }
  }

  /** Waits for tracked work to finish, at most `maxWaitMs`; nothing new starts meanwhile. */
  async whenIdle(maxWaitMs: number): Promise<void> {
    if (!this.key || this.inFlight.size === 0) return
    this.idleWaiters++
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        Promise.allSettled([...this.inFlight]),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs))),
      ])
    } finally {
      clearTimeout(timer)
      this.idleWaiters--
    }
  }

  touch(): void {
    this.lastActivity = this.clock.now()
  }

  log(event: EventInput): VaultEvent {
    return this.events.append({ at: this.clock.now(), ...event })
  }

  /** Appends several such events in one write (the gateway's request records). */
  logAll(events: readonly EventInput[]): VaultEvent[] {
    const at = this.clock.now()
    return this.events.appendAll(events.map((e) => ({ at, ...e })))
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  watchDisk(listener: () => void): () => void {
    const own = this.onChange(listener)
    let watcher: fs.FSWatcher | undefined
    try {
      // The file is replaced by a rename (safe-write), so its folder is what to watch.
      watcher = fs.watch(this.file.dir, { persistent: false }, (_, name) => {
        if (name === null || name === path.basename(this.file.path)) listener()
      })
      watcher.on('error', () => watcher?.close())
    } catch {
      // No folder yet, or no watching on this file system: this process's writes still report.
    }
    return () => {
      own()
      watcher?.close()
    }
  }

  /** Tells every listener the vault changed. */
  emit(): void {
    for (const l of this.listeners) l()
  }
}
