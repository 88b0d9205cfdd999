// Composition: the one module that builds the vault services and the core actions over them for
// a process. The app (app-core.ts), the CLI (cli/context.ts) and the headless agent (`tokendeck
// agent`, a CLI process) all call it; nothing else constructs services or actions. It is the one
// file outside the core that may import the vault (ESLint's tokendeck/architecture rule names it).
import { systemClock, type Clock } from '../shared/clock'
import { createActions, type Actions, type HeaderCopier } from './actions'
import type { HttpClient } from './providers/http-client'
import type { LoginPrompts } from './providers/login-prompts'
import { createVaultServices, type SafeStoragePort, type VaultServices } from './vault'
import type { StoreFactory } from './vault/vault-file'

export type { Actions, HeaderCopier } from './actions'
export type { SafeStoragePort, VaultServices } from './vault'
export type { StoreFactory } from './vault/vault-file'
export type { HttpClient } from './providers/http-client'
export { LoginPrompts } from './providers/login-prompts'

/** Which vault folder, and the parts a test or the app may replace. */
export interface VaultOptions {
  dir: string
  clock?: Clock
  http?: HttpClient
  storeFactory?: StoreFactory
  /** This machine's state folder (seen-vaults.ts); default: the user's own (localStateDir). */
  stateDir?: string
  /** The process's login prompts, when it has several vaults (the app: the user's and the demo). */
  prompts?: LoginPrompts
  /** Waits between device-flow polls (tests pass one that moves their clock). */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>
}

/** The services over one vault folder (nothing is read until asked). */
export function openVaultServices(o: VaultOptions): VaultServices {
  return createVaultServices({
    dir: o.dir,
    clock: o.clock ?? systemClock,
    http: o.http,
    storeFactory: o.storeFactory,
    ...(o.stateDir ? { stateDir: o.stateDir } : {}),
    ...(o.prompts ? { prompts: o.prompts } : {}),
    ...(o.wait ? { wait: o.wait } : {}),
  })
}

/** What the app has beside the vault: the OS keychain, a clipboard, demo mode. */
export interface AppPorts {
  platform: string
  /** null where Electron's safeStorage is not available (tests). */
  safeStorage: SafeStoragePort | null
  clipboard: HeaderCopier
  /** True while the demo vault is open. */
  isDemo: () => boolean
}

/** The app's actions over whichever vault is open (the user's, or the demo one). */
export function appActions(services: () => VaultServices, ports: AppPorts): Actions {
  return createActions({ services, ...ports })
}

/** The actions as a CLI process (a command, the headless agent) has them: no clipboard, no keychain. */
export function cliActions(services: VaultServices): Actions {
  return createActions({ services: () => services, platform: process.platform, safeStorage: null })
}

/** A CLI process's vault: its folder, whether a vault is there, and the actions over it. */
export interface CliVault {
  dir: string
  exists: boolean
  actions: Actions
  /** The vault's clock (event times, idle timeouts). */
  now: () => number
}

/** Composes a CLI process (a command or the headless agent) over the vault in `dir`. */
export function cliVault(dir: string, o: Omit<VaultOptions, 'dir'> = {}): CliVault {
  const services = openVaultServices({ dir, ...o })
  return {
    dir,
    exists: services.vault.file.exists(),
    actions: cliActions(services),
    now: () => services.vault.clock.now(),
  }
}
