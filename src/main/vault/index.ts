// Builds the vault services for one vault folder. Plain Node: the CLI, the tests and the app's
// composition root all use this; the app passes electron-store and the OS keychain on top.
import { systemClock, type Clock } from '../../shared/clock'
import { createProviderEngine, type ProviderEngine } from '../providers/engine'
import { createHttpClient, type HttpClient } from '../providers/http-client'
import { LoginPrompts } from '../providers/login-prompts'
import { AccountService } from './accounts'
import { Ledger } from './ledger/ledger-handle'
import { LocalLedgerStore } from './ledger/local-ledger-store'
import { TokenService } from './ledger/token-service'
import { Vault } from './vault'
import type { StoreFactory } from './storage/vault-file'
import { ok, type Result } from '../../shared/result'
import type { OrgLedgerStore } from './ledger/ledger-store'
import { SharedLink, type StoreOpener } from './ledger/shared/link'
import { parseLedgerUrl } from './ledger/shared/postgres-url'
import { SharedLedgerService } from './shared-ledger'

export interface VaultServices {
  vault: Vault
  accounts: AccountService
  tokens: TokenService
  engine: ProviderEngine
  /** The shared ledger's settings: connect, status, disconnect (docs/team.md). */
  sharedLedger: SharedLedgerService
  /** Logins waiting for a person in a browser (OAuth): what to show, and their cancel. */
  prompts: LoginPrompts
}

export interface VaultServiceOptions {
  dir: string
  clock?: Clock
  http?: HttpClient
  storeFactory?: StoreFactory
  lockWaitMs?: number
  mintLockWaitMs?: number
  /** This machine's state folder (default: localStateDir of this user and platform). */
  stateDir?: string
  /** The shared ledger's backend for a URL (default: PostgreSQL); tests may wrap it. */
  openSharedStore?: StoreOpener
  /** The process's login prompts (the app shares one between its vault and the demo's). */
  prompts?: LoginPrompts
  /** Waits between device-flow polls (tests pass one that moves their clock). */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>
}

export function createVaultServices(o: VaultServiceOptions): VaultServices {
  const clock = o.clock ?? systemClock
  const engine = createProviderEngine({
    http: o.http ?? createHttpClient(),
    clock,
    ...(o.wait ? { wait: o.wait } : {}),
  })
  const prompts = o.prompts ?? new LoginPrompts()
  const vault = new Vault({
    dir: o.dir,
    clock,
    storeFactory: o.storeFactory,
    lockWaitMs: o.lockWaitMs,
    ...(o.stateDir ? { stateDir: o.stateDir } : {}),
  })
  const openStore = o.openSharedStore ?? openPostgresStore
  const shared = new SharedLink(openStore)
  // Counts or the connection changed on the shared ledger: views are read again.
  shared.onChange = () => vault.storage.emit()
  const ledger = new Ledger(vault.storage, new LocalLedgerStore(vault.storage), shared)
  return {
    vault,
    accounts: new AccountService(vault, shared),
    tokens: new TokenService(ledger, engine, { mintLockWaitMs: o.mintLockWaitMs }, prompts),
    engine,
    prompts,
    sharedLedger: new SharedLedgerService(vault, ledger, openStore),
  }
}

/** The PostgreSQL store for a ledger URL; pg is loaded only when a vault has a shared ledger. */
async function openPostgresStore(url: string): Promise<Result<OrgLedgerStore>> {
  const address = parseLedgerUrl(url)
  if (!address.ok) return address
  const { PostgresLedgerStore } = await import('./ledger/shared/postgres-store')
  return ok(new PostgresLedgerStore(address.value))
}

export { Vault } from './vault'
export { AccountService } from './accounts'
export { TokenService, type IssuedHeader, type RevokeReport } from './ledger/token-service'
export {
  passphraseProtector,
  safeStorageProtector,
  safeStorageStatus,
  DEFAULT_SCRYPT,
  type KeyProtector,
  type SafeStoragePort,
} from './storage/key-slots'
