// The write side of the ledger handle (ledger-handle.ts), for rules the handle's own imports use
// (login-limits.ts): it names storage types only, so no import circle goes through it.
import type { Result } from '../../../shared/result'
import type { ChangeEvents, VaultChange, VaultStorage } from '../storage/vault-storage'

/** How a ledger rule changes the ledger: one write, with the events that describe it. */
export interface LedgerWrites {
  readonly storage: VaultStorage
  update<T>(change: VaultChange<T>, events?: ChangeEvents<T>): Promise<Result<T>>
}
