// What the ledger's rules work with: storage (secrets, events, in-flight work, the vault's
// accounts), the ledger's own state behind its LedgerStore, and the ends not yet recorded.
import type { Result } from '../../../shared/result'
import type { ChangeEvents, VaultChange, VaultStorage } from '../storage/vault-storage'
import type { VaultData } from '../storage/schema'
import { PendingEnds } from './pending-ends'
import type { LedgerWrites } from './ledger-writes'

/** One vault's token ledger: every rule in this folder reads and writes through it. */
export class Ledger implements LedgerWrites {
  /** Ends the server confirmed that no write recorded yet (applied to every write). */
  readonly ends = new PendingEnds()

  constructor(readonly storage: VaultStorage) {
    storage.addRider((draft) => this.ends.applyTo(draft))
  }

  /** The vault as it is now: its accounts and the ledger's records. */
  read(): Result<VaultData> {
    return this.storage.read()
  }

  /** Changes the ledger (and reads the accounts it needs) in one write. */
  update<T>(change: VaultChange<T>, events?: ChangeEvents<T>): Promise<Result<T>> {
    return this.storage.write(change, events)
  }
}
