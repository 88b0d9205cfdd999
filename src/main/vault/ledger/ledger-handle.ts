// What the ledger's rules work with: storage (secrets, events, in-flight work, the vault's
// accounts), the ledger's own state behind its LedgerStore, and the ends not yet recorded.
import { fail, type Result } from '../../../shared/result'
import type { VaultData } from '../storage/schema'
import type { ChangeEvents, EventInput, VaultChange, VaultStorage } from '../storage/vault-storage'
import type { LedgerStore } from './ledger-store'
import type { LedgerWrites } from './ledger-writes'
import { PendingEnds } from './pending-ends'
import { SharedLink } from './shared/link'

/** How many times a change is decided again after another writer got there first. */
const MAX_ATTEMPTS = 50

/** One vault's token ledger: every rule in this folder reads and writes through it. */
export class Ledger implements LedgerWrites {
  /** Ends the server confirmed that no write recorded yet (applied to every write). */
  readonly ends = new PendingEnds()

  constructor(
    readonly storage: VaultStorage,
    readonly store: LedgerStore,
    /** The shared ledger (PostgreSQL) where the vault has one: slots kept in step after writes. */
    readonly shared: SharedLink = new SharedLink(async () =>
      fail('UNSUPPORTED', 'No shared ledger backend in this process.'),
    ),
  ) {
    storage.addRider((draft) => this.ends.applyTo(draft))
  }

  /** The vault as it is now: its accounts and the ledger's records. */
  read(): Result<VaultData> {
    return this.storage.read()
  }

  /**
   * Changes the ledger: reads its state from the store (the accounts from storage), lets
   * `change` decide on a private copy, and writes it with compareAndSet. When another writer
   * changed the ledger meanwhile (CONFLICT), decides again on the fresh state; nothing is
   * written or logged for a refused change.
   */
  async update<T>(change: VaultChange<T>, events?: ChangeEvents<T>): Promise<Result<T>> {
    for (let attempt = 1; ; attempt++) {
      const snap = await this.store.read()
      if (!snap.ok) return snap
      const vault = this.storage.read()
      if (!vault.ok) return vault
      const { state, version } = snap.value
      const draft: VaultData = { ...vault.value, tokens: state.tokens }
      if (state.loginLimits.length > 0 || vault.value.loginLimits !== undefined)
        draft.loginLimits = state.loginLimits
      // The records as they were (the change mutates them in place), for the shared ledger.
      const before = vault.value.sharedLedger ? state.tokens.map((t) => ({ ...t })) : []
      // Ends this process knows of are part of what the change decides on.
      void this.ends.applyTo(draft)
      const r = await change(draft, this.storage.clock.now())
      if (!r.ok) return r
      const e = events?.(r.value)
      const list: EventInput[] = Array.isArray(e) ? e : e ? [e] : []
      const next = { tokens: draft.tokens, loginLimits: draft.loginLimits ?? [] }
      const w = await this.store.compareAndSet(version, next, list)
      if (w.ok) {
        // This machine's slots in the shared ledger follow what was just written.
        await this.shared.afterWrite(before, draft, this.storage.clock.now())
        return r
      }
      if (w.code !== 'CONFLICT') return w
      if (attempt >= MAX_ATTEMPTS)
        return fail('VAULT_BUSY', 'The token ledger kept changing under this write; try again.')
    }
  }
}
