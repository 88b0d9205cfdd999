// The narrow interface of the storage layer: what the layers above it (the token ledger, the
// account service, the actions) may do with an opened vault. The implementation is keyed-storage.ts.
import type { Clock } from '../../../shared/clock'
import type { Result } from '../../../shared/result'
import type { EncRecord } from './crypto'
import type { Binding } from './bindings'
import type { VaultEvent } from './event-log'
import type { VaultData } from './schema'

/** An event to append to the log; its id and time are added on the way in. */
export type EventInput = Omit<VaultEvent, 'id' | 'at'>

/** A change applied through the one write protocol: to a private copy, under the lock. */
export type VaultChange<T> = (draft: VaultData, now: number) => Result<T> | Promise<Result<T>>

/** The events that describe a change that was written (appended under the same lock). */
export type ChangeEvents<T> = (value: T) => EventInput | EventInput[] | undefined

/**
 * Something applied to every write before its change (the ledger's token ends the server
 * confirmed but no write could record yet): `apply` edits the draft and returns a function to call
 * once that write is on disk (nothing is called for a refused or failed write).
 */
export type WriteRider = (draft: VaultData) => (() => void) | undefined

/** What the layers above storage may do with an opened vault. */
export interface VaultStorage {
  readonly clock: Clock
  /** Whether the data key is in memory (nothing below opens or writes without it). */
  readonly unlocked: boolean
  /** The folder the vault lives in (lock files beside the vault file go here). */
  readonly dir: string
  /** The decrypted document, as on disk now. VAULT_LOCKED while locked. Reading changes nothing. */
  read(): Result<VaultData>
  /**
   * The one write protocol: take the lock, re-read, apply `change` to a private copy, write it
   * atomically, append `events` (still under the lock), then notify. A refused change, or one that
   * could not be written, logs nothing and notifies no one.
   */
  write<T>(change: VaultChange<T>, events?: ChangeEvents<T>): Promise<Result<T>>
  /** Appends an event that changes nothing in the vault (a reuse, a copy, a failure). */
  log(event: EventInput): VaultEvent
  /** Encrypts a secret for a record, bound to its account, provider and origin (bindings.ts). */
  sealSecret(recordId: string, binding: Binding, plain: string): Result<EncRecord>
  /** Opens a secret; one moved or re-bound outside TokenDeck is VAULT_TAMPERED. */
  openSecret(recordId: string, binding: Binding, rec: EncRecord): Result<string>
  /**
   * Runs `work` as in-flight work that a lock asked for by a person waits for (logins and
   * revokes whose answers must be recorded). VAULT_LOCKED while locked or locking.
   */
  track<T>(work: () => Promise<Result<T>>): Promise<Result<T>>
  /** Marks activity (auto-lock counts idle time from the last one). */
  touch(): void
  /** Called after every write (and lock or unlock); returns the unsubscribe function. */
  onChange(listener: () => void): () => void
  /**
   * Called after this process's writes and whenever the vault file is replaced on disk (another
   * process's write included); the listener reads what changed. Returns the way to stop.
   */
  watchDisk(listener: () => void): () => void
  /** Registers a rider applied to every write (see WriteRider); returns the way to remove it. */
  addRider(rider: WriteRider): () => void
}
