// The LedgerStore seam: where the token ledger's own state lives, read and written only through
// read / compareAndSet / watch. The first backend is the local vault file (local-ledger-store.ts).
import type { Result } from '../../../shared/result'
import type { LoginLimitRecord, TokenRecord } from '../storage/schema'
import type { EventInput } from '../storage/vault-storage'

/**
 * The ledger's own state: what the token rules decide on and write. Accounts are not in it (they
 * stay in the vault: the rules read them from storage).
 */
export interface LedgerState {
  /** Every token record: live, pending mints (uncertain), suspect, refreshed, ended, evicted. */
  tokens: TokenRecord[]
  /** Login endpoints: a server's cooldown and the recent login times (login-limits.ts). */
  loginLimits: LoginLimitRecord[]
}

/** The state as read, with the version to hand back to compareAndSet. */
export interface LedgerSnapshot {
  /** Opaque: equal strings mean the same version; nothing else may be read into it. */
  version: string
  state: LedgerState
}

/**
 * Where the ledger's state lives. Optimistic: a writer reads a snapshot, decides, and writes with
 * compareAndSet(snapshot.version, next), which writes only if that version is still the current
 * one; otherwise it answers CONFLICT and writes nothing, and the caller reads again and retries
 * (ledger-handle.ts update does). No backend holds a lock across a decision, so a backend may be
 * shared by several processes and machines.
 *
 * Backends:
 * - local (local-ledger-store.ts): the state is part of the vault file; the version is the file's
 *   generation (one higher at every write of the file); compareAndSet runs inside storage's one
 *   write protocol (lock, re-read, compare, write, events); watch follows the file on disk.
 * - shared (OrgLedgerStore below, PostgreSQL in shared/postgres-store.ts): what machines and
 *   teammates share of a capped organization, beside the local state. Token records stay local
 *   (they hold sealed tokens); the shared store holds one document per organization with one slot
 *   per counted token and no secret in it, read, compared-and-set and watched the same way.
 */
export interface LedgerStore {
  /** The state now. VAULT_LOCKED (local) when it cannot be read. */
  read(): Promise<Result<LedgerSnapshot>>
  /**
   * Writes `next` only if the ledger is still at `expected`, with `events` describing the change;
   * answers the new snapshot. CONFLICT, with nothing written and nothing logged, when another
   * writer (this process or another) changed the ledger since `expected` was read.
   */
  compareAndSet(
    expected: string,
    next: LedgerState,
    events?: readonly EventInput[],
  ): Promise<Result<LedgerSnapshot>>
  /**
   * Calls `listener` with the new snapshot after each change (this process's own writes and other
   * writers'), at least once per change, possibly coalesced. Returns the way to stop.
   */
  watch(listener: (snapshot: LedgerSnapshot) => void): () => void
}

/** A shared ledger's connection as its watcher sees it. */
export type LedgerConnectionState = 'connected' | 'offline'

/** One organization's document as read: its version (null: no row yet) and the server's clock. */
export interface OrgRead {
  version: string | null
  /** As stored: the caller validates it (anyone with write access to the database may write it). */
  doc: unknown
  /** The database's clock, epoch ms: every machine counts expiry by this one clock. */
  now: number
}

/**
 * The shared backend: one document per organization, keyed by the organization's key, with the
 * same three verbs as LedgerStore. compareAndSet(orgKey, version, doc) writes only if the row is
 * still at `version` (null: only if there is no row yet), else CONFLICT and nothing written.
 */
export interface OrgLedgerStore {
  read(orgKey: string): Promise<Result<OrgRead>>
  compareAndSet(
    orgKey: string,
    version: string | null,
    doc: unknown,
  ): Promise<Result<{ version: string }>>
  /**
   * Calls `onChange(orgKey)` after another writer's change (`*`: anything may have changed, after
   * a reconnect), and `onState` when the connection is made or lost. Returns the way to stop.
   */
  watch(
    onChange: (orgKey: string) => void,
    onState: (state: LedgerConnectionState) => void,
  ): () => void
  /** Every organization's document (`ledger status`). */
  organizations(): Promise<Result<{ orgKey: string; doc: unknown; now: number }[]>>
  /** Creates or migrates the schema (versioned); answers why not when it cannot. */
  ready(): Promise<Result<void>>
  close(): Promise<void>
}
