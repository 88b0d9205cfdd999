// The ledger's first backend: its state is part of the local vault file, written through
// storage's one write protocol; the version is the file's generation.
import { fail, ok, type Result } from '../../../shared/result'
import type { VaultData } from '../storage/schema'
import type { EventInput, VaultStorage } from '../storage/vault-storage'
import type { LedgerSnapshot, LedgerState, LedgerStore } from './ledger-store'

const versionOf = (d: VaultData): string => String(d.generation ?? 0)

/** A private copy of the ledger's part of the vault, with its version. */
export function snapshotOf(d: VaultData): LedgerSnapshot {
  return {
    version: versionOf(d),
    state: structuredClone({ tokens: d.tokens, loginLimits: d.loginLimits ?? [] }),
  }
}

/** Sets the ledger's part of a draft of the vault to `next`. */
export function applyState(draft: VaultData, next: LedgerState): void {
  draft.tokens = next.tokens
  // A file that never had login limits keeps not having them (its bytes stay the same shape).
  if (next.loginLimits.length > 0 || draft.loginLimits !== undefined)
    draft.loginLimits = next.loginLimits
}

/** The LedgerStore over the vault file (see ledger-store.ts for the contract). */
export class LocalLedgerStore implements LedgerStore {
  constructor(private readonly storage: VaultStorage) {}

  async read(): Promise<Result<LedgerSnapshot>> {
    const d = this.storage.read()
    return d.ok ? ok(snapshotOf(d.value)) : d
  }

  async compareAndSet(
    expected: string,
    next: LedgerState,
    events: readonly EventInput[] = [],
  ): Promise<Result<LedgerSnapshot>> {
    const next2 = structuredClone(next)
    const w = await this.storage.write(
      (draft) => {
        if (versionOf(draft) !== expected)
          return fail(
            'CONFLICT',
            'The token ledger changed since it was read (another window, terminal or process ' +
              'wrote it); nothing was written. Read it again and retry.',
          )
        applyState(draft, next2)
        return ok(undefined)
      },
      () => [...events],
    )
    if (!w.ok) return w
    return this.read()
  }

  watch(listener: (snapshot: LedgerSnapshot) => void): () => void {
    let last: string | undefined
    const check = () => {
      const d = this.storage.read()
      if (!d.ok || versionOf(d.value) === last) return
      last = versionOf(d.value)
      listener(snapshotOf(d.value))
    }
    const d = this.storage.read()
    if (d.ok) last = versionOf(d.value)
    return this.storage.watchDisk(check)
  }
}
