// The app's session, plain Node: which vault is open (the user's or the demo one) and the core
// actions over it (built by composition.ts). The IPC handler table, the tray and the app's other
// surfaces call `core.actions`; main/index.main.ts gives it the real Electron ports. Switching to
// and from demo mode lives here because it swaps the vault every action works on.
import path from 'node:path'
import type { Clock } from '../shared/clock'
import { fail, ok, type Result } from '../shared/result'
import type { AppStatus } from '../shared/ipc/schemas'
import type { SandboxSet } from './sandbox'
import {
  LoginPrompts,
  appActions,
  openVaultServices,
  type Actions,
  type HeaderCopier,
  type HttpClient,
  type SafeStoragePort,
  type StoreFactory,
  type VaultServices,
} from './composition'

export type { HeaderCopier } from './actions'

/**
 * The session as the app's surfaces (IPC, tray, renewal, agent, gateway, shortcut, auto-lock)
 * take it: the actions and the session's state, never the services below them (`current`).
 */
export type AppSession = Omit<AppCore, 'current'>

export interface AppCoreDeps {
  vaultDir: string
  /** A fresh folder for a demo vault (a temp dir). */
  demoDir: () => string
  clock: Clock
  platform: string
  /** null where Electron's safeStorage is not available (tests, CLI). */
  safeStorage: SafeStoragePort | null
  clipboard: HeaderCopier
  storeFactory?: StoreFactory
  http?: HttpClient
  startSandbox?: () => Promise<SandboxSet>
  /** This machine's state folder (seen-vaults.ts); default: the user's own (localStateDir). */
  stateDir?: string
  /** Waits between device-flow polls (the e2e harness passes one that moves its clock). */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>
}

/** Owns the open vault's services, the actions over them, and the demo session. */
export class AppCore {
  readonly actions: Actions
  private services: VaultServices
  private demo: { sandbox: SandboxSet; dir: string } | null = null
  private readonly listeners = new Set<(reason: string) => void>()
  private unbind: () => void = () => {}
  /** One hub for the user's vault and the demo's: the window sees either's browser steps. */
  private readonly prompts = new LoginPrompts()

  constructor(private readonly deps: AppCoreDeps) {
    this.services = this.open(deps.vaultDir, deps.stateDir)
    this.actions = appActions(() => this.services, {
      platform: deps.platform,
      safeStorage: deps.safeStorage,
      clipboard: deps.clipboard,
      isDemo: () => this.demo !== null,
    })
  }

  private open(dir: string, stateDir: string | undefined): VaultServices {
    const s = openVaultServices({
      dir,
      clock: this.deps.clock,
      http: this.deps.http,
      storeFactory: this.deps.storeFactory,
      prompts: this.prompts,
      ...(stateDir ? { stateDir } : {}),
      ...(this.deps.wait ? { wait: this.deps.wait } : {}),
    })
    this.unbind()
    const unlisten = s.vault.onChange(() => this.emit('vault'))
    // The window shows shared counts as other machines change them (within a second).
    const unfollow = s.sharedLedger.follow()
    this.unbind = () => {
      unlisten()
      unfollow()
    }
    return s
  }

  /**
   * The open vault's services, for tests and the e2e seed only (they reach below the actions
   * with it); a surface goes through `actions` (or `userActions`).
   */
  get current(): VaultServices {
    return this.services
  }

  get isDemo(): boolean {
    return this.demo !== null
  }

  /**
   * The actions of the user's own vault while it is unlocked; null while it is locked or the
   * demo vault is open. What the app's agent and gateway serve (never the demo vault).
   */
  userActions(): Actions | null {
    return !this.isDemo && this.actions.protection.isUnlocked() ? this.actions : null
  }

  /** Listens to every change of the open vault (and to switching vaults). */
  onChange(listener: (reason: string) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(reason: string): void {
    for (const l of this.listeners) l(reason)
  }

  status(): AppStatus {
    return this.actions.protection.status()
  }

  /** Locks once logins in flight are recorded (protection.lock); dispose() locks at once. */
  lock(): Promise<AppStatus> {
    return this.actions.protection.lock()
  }

  /**
   * Locks the user's vault, starts the sandbox providers and opens a fresh demo vault with a few
   * accounts on each.
   */
  async startDemo(): Promise<Result<AppStatus>> {
    if (!this.deps.startSandbox)
      return fail('UNSUPPORTED', 'Demo mode is not available in this build.')
    await this.stopDemo()
    // The user's data key leaves memory (zeroed; logins in flight are recorded first) before the
    // demo vault opens; after the demo, the user's vault opens locked and must be unlocked again.
    await this.lock()
    const sandbox = await this.deps.startSandbox()
    const dir = this.deps.demoDir()
    // A throwaway vault: what this machine remembers of it stays with it, and goes with it.
    this.services = this.open(dir, path.join(dir, '.machine-state'))
    this.demo = { sandbox, dir }
    const seeded = await this.actions.demo.seed(sandbox)
    this.emit('demo')
    return seeded.ok ? ok(this.status()) : seeded
  }

  async stopDemo(): Promise<void> {
    if (!this.demo) return
    const { sandbox } = this.demo
    this.demo = null
    this.actions.protection.lockNow()
    this.services = this.open(this.deps.vaultDir, this.deps.stateDir)
    await sandbox.close()
    this.emit('demo')
  }

  /** Auto-lock check; the app calls this on a timer. */
  tick(): boolean {
    return this.actions.protection.lockIfIdle()
  }

  async dispose(): Promise<void> {
    await this.stopDemo()
    this.actions.protection.lockNow()
  }
}
