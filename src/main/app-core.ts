// The app's core, plain Node: which vault is open (the user's or the demo one), protection
// choices, and every operation the window and the tray can ask for, as Results. The IPC handler
// table and the tray call into it; main/index.ts gives it the real Electron ports.
import type { Clock } from '../shared/clock'
import { fail, ok, type Result } from '../shared/result'
import type { AppStatus, CopyResult, ProviderView } from '../shared/ipc/schemas'
import type { ProviderProfile } from '../shared/providers/profile'
import type { HttpClient } from './providers/http-client'
import type { SandboxSet } from './sandbox'
import {
  createVaultServices,
  passphraseProtector,
  safeStorageProtector,
  safeStorageStatus,
  type SafeStoragePort,
  type VaultServices,
} from './vault'
import type { Surface } from '../shared/views'
import type { StoreFactory } from './vault/vault-file'
import { seedDemoVault } from './demo'

/** Puts a header on the clipboard and clears it later if unchanged (see clipboard.ts). */
export interface HeaderCopier {
  copy(text: string, clearAfterSeconds: number): void
}

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
}

/** Owns the open vault's services and the demo session. */
export class AppCore {
  private services: VaultServices
  private demo: { sandbox: SandboxSet; dir: string } | null = null
  private readonly listeners = new Set<(reason: string) => void>()
  private unbind: () => void = () => {}

  constructor(private readonly deps: AppCoreDeps) {
    this.services = this.open(deps.vaultDir)
  }

  private open(dir: string): VaultServices {
    const s = createVaultServices({
      dir,
      clock: this.deps.clock,
      http: this.deps.http,
      storeFactory: this.deps.storeFactory,
    })
    this.unbind()
    this.unbind = s.vault.onChange(() => this.emit('vault'))
    return s
  }

  get current(): VaultServices {
    return this.services
  }

  get isDemo(): boolean {
    return this.demo !== null
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
    const v = this.services.vault.status()
    const prot = this.deps.safeStorage
      ? safeStorageStatus(this.deps.safeStorage, this.deps.platform)
      : { available: false, backend: 'none', reason: 'The OS keychain is not available here.' }
    return {
      vault: v,
      protection: {
        osAvailable: prot.available,
        backend: prot.backend,
        ...(prot.reason ? { reason: prot.reason } : {}),
      },
      demo: this.isDemo,
      platform: this.deps.platform,
    }
  }

  private osProtector() {
    return this.deps.safeStorage
      ? safeStorageProtector(this.deps.safeStorage, this.deps.platform)
      : null
  }

  async createVault(
    req: { protection: 'os' } | { protection: 'passphrase'; passphrase: string },
  ): Promise<Result<AppStatus>> {
    const protector =
      req.protection === 'os' ? this.osProtector() : passphraseProtector(req.passphrase)
    if (!protector)
      return fail(
        'PROTECTION_UNAVAILABLE',
        'The OS keychain is not available; choose a passphrase.',
      )
    const r = await this.services.vault.create(protector)
    return r.ok ? ok(this.status()) : r
  }

  async unlock(
    req: { method: 'os' } | { method: 'passphrase'; passphrase: string },
  ): Promise<Result<AppStatus>> {
    const protector = req.method === 'os' ? this.osProtector() : passphraseProtector(req.passphrase)
    if (!protector)
      return fail('PROTECTION_UNAVAILABLE', 'The OS keychain is not available; use the passphrase.')
    const r = await this.services.vault.unlock(protector)
    if (r.ok) this.services.vault.log({ type: 'vault', message: 'Unlocked.' })
    return r.ok ? ok(this.status()) : r
  }

  lock(): AppStatus {
    this.services.vault.lock()
    return this.status()
  }

  async addPassphrase(passphrase: string) {
    return this.services.vault.addKeySlot(passphraseProtector(passphrase))
  }

  async addOsProtection() {
    const p = this.osProtector()
    if (!p) return fail('PROTECTION_UNAVAILABLE', 'The OS keychain is not available here.')
    return this.services.vault.addKeySlot(p)
  }

  async removeSlot(slotId: string): Promise<Result<AppStatus>> {
    const r = await this.services.vault.removeKeySlot(slotId)
    return r.ok ? ok(this.status()) : r
  }

  /** Starts the sandbox providers and opens a fresh demo vault with a few accounts on each. */
  async startDemo(): Promise<Result<AppStatus>> {
    if (!this.deps.startSandbox)
      return fail('UNSUPPORTED', 'Demo mode is not available in this build.')
    await this.stopDemo()
    const sandbox = await this.deps.startSandbox()
    const dir = this.deps.demoDir()
    this.services = this.open(dir)
    this.demo = { sandbox, dir }
    const seeded = await seedDemoVault(this.services, sandbox)
    this.emit('demo')
    return seeded.ok ? ok(this.status()) : seeded
  }

  async stopDemo(): Promise<void> {
    if (!this.demo) return
    const { sandbox } = this.demo
    this.demo = null
    this.services.vault.lock()
    this.services = this.open(this.deps.vaultDir)
    await sandbox.close()
    this.emit('demo')
  }

  providers(): ProviderView[] {
    return this.services.vault
      .providers()
      .map((p) => providerView(p, this.services.vault.registry.isBuiltin(p.id)))
  }

  /** Copies "<Header>: <Scheme> <token>" for an account, reusing or minting a token. */
  async copyHeader(
    accountId: string,
    surface: Surface,
    secrets?: Record<string, string>,
  ): Promise<Result<CopyResult>> {
    const { tokens, vault } = this.services
    const settings = vault.settings()
    if (!settings.ok) return settings
    const h = await tokens.header(accountId, { surface, ...(secrets ? { secrets } : {}) })
    if (!h.ok) return h
    const seconds = settings.value.clipboardClearSeconds
    this.deps.clipboard.copy(`${h.value.headerName}: ${h.value.value}`, seconds)
    vault.log({
      type: 'copy',
      accountId,
      label: h.value.label,
      tokenId: h.value.tokenId,
      surface,
      message: `Copied the header of "${h.value.label}"; the clipboard clears in ${seconds} s.`,
    })
    return ok({
      accountId,
      label: h.value.label,
      headerName: h.value.headerName,
      reused: h.value.reused,
      expiresAt: h.value.expiresAt,
      clearsInSeconds: seconds,
    })
  }

  /** Auto-lock check; the app calls this on a timer. */
  tick(): boolean {
    return this.services.vault.checkAutoLock()
  }

  async dispose(): Promise<void> {
    await this.stopDemo()
    this.services.vault.lock()
  }
}

export function providerView(p: ProviderProfile, builtin: boolean): ProviderView {
  return {
    id: p.id,
    name: p.name,
    ...(p.description ? { description: p.description } : {}),
    ...(p.docsUrl ? { docsUrl: p.docsUrl } : {}),
    builtin,
    defaultBaseUrl: p.baseUrl,
    fields: p.fields,
    signupFields: p.signup?.fields ?? null,
    canRevoke: p.revoke !== undefined,
    cap: p.cap ?? null,
    scheme: p.auth.scheme,
    expiry: p.expiry.source,
  }
}
