// Builds the vault services for one vault folder. Plain Node: the CLI, the tests and the app's
// composition root all use this; the app passes electron-store and the OS keychain on top.
import { systemClock, type Clock } from '../../shared/clock'
import { createProviderEngine, type ProviderEngine } from '../providers/engine'
import { createHttpClient, type HttpClient } from '../providers/http-client'
import { AccountService } from './accounts'
import { Ledger } from './ledger/ledger-handle'
import { LocalLedgerStore } from './ledger/local-ledger-store'
import { TokenService } from './ledger/token-service'
import { Vault } from './vault'
import type { StoreFactory } from './storage/vault-file'

export interface VaultServices {
  vault: Vault
  accounts: AccountService
  tokens: TokenService
  engine: ProviderEngine
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
}

export function createVaultServices(o: VaultServiceOptions): VaultServices {
  const clock = o.clock ?? systemClock
  const engine = createProviderEngine({ http: o.http ?? createHttpClient(), clock })
  const vault = new Vault({
    dir: o.dir,
    clock,
    storeFactory: o.storeFactory,
    lockWaitMs: o.lockWaitMs,
    ...(o.stateDir ? { stateDir: o.stateDir } : {}),
  })
  return {
    vault,
    accounts: new AccountService(vault),
    tokens: new TokenService(
      new Ledger(vault.storage, new LocalLedgerStore(vault.storage)),
      engine,
      {
        mintLockWaitMs: o.mintLockWaitMs,
      },
    ),
    engine,
  }
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
