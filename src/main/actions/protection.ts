// Protection actions: what the vault is (status), creating it, unlocking and locking it, and
// adding or removing the ways to open it (passphrase, OS keychain). The CLI unlocks through the
// same unlock action as the window.
import { fail, ok, type Result } from '../../shared/result'
import type { AppStatus } from '../../shared/ipc/schemas'
import type { Surface } from '../../shared/views'
import {
  passphraseProtector,
  safeStorageProtector,
  safeStorageStatus,
  type KeyProtector,
} from '../vault'
import type { KeySlotView } from '../vault/vault'
import type { ActionDeps } from './context'

export type CreateRequest = { protection: 'os' } | { protection: 'passphrase'; passphrase: string }
export type UnlockRequest = { method: 'os' } | { method: 'passphrase'; passphrase: string }

export function protectionActions(deps: ActionDeps) {
  const s = deps.services

  function status(): AppStatus {
    const v = s().vault.status()
    const prot = deps.safeStorage
      ? safeStorageStatus(deps.safeStorage, deps.platform)
      : { available: false, backend: 'none', reason: 'The OS keychain is not available here.' }
    return {
      vault: v,
      protection: {
        osAvailable: prot.available,
        backend: prot.backend,
        ...(prot.reason ? { reason: prot.reason } : {}),
      },
      demo: deps.isDemo?.() ?? false,
      platform: deps.platform,
    }
  }

  function osProtector(): KeyProtector | null {
    return deps.safeStorage ? safeStorageProtector(deps.safeStorage, deps.platform) : null
  }

  async function create(req: CreateRequest): Promise<Result<AppStatus>> {
    const protector = req.protection === 'os' ? osProtector() : passphraseProtector(req.passphrase)
    if (!protector) {
      return fail(
        'PROTECTION_UNAVAILABLE',
        'The OS keychain is not available; choose a passphrase.',
      )
    }
    const r = await s().vault.create(protector)
    return r.ok ? ok(status()) : r
  }

  /**
   * Unlocks with the OS keychain or the passphrase. The window's unlock is logged; the CLI
   * unlocks for every command, and each command's own event says what it did.
   */
  async function unlock(req: UnlockRequest, surface: Surface = 'ui'): Promise<Result<AppStatus>> {
    const protector = req.method === 'os' ? osProtector() : passphraseProtector(req.passphrase)
    if (!protector)
      return fail('PROTECTION_UNAVAILABLE', 'The OS keychain is not available; use the passphrase.')
    const { vault } = s()
    const r = await vault.unlock(protector)
    if (!r.ok) return r
    if (surface !== 'cli') vault.log({ type: 'vault', surface, message: 'Unlocked.' })
    return ok(status())
  }

  function lock(): AppStatus {
    s().vault.lock()
    return status()
  }

  function addPassphrase(passphrase: string): Promise<Result<KeySlotView>> {
    return s().vault.addKeySlot(passphraseProtector(passphrase))
  }

  async function addOsProtection(): Promise<Result<KeySlotView>> {
    const p = osProtector()
    if (!p) return fail('PROTECTION_UNAVAILABLE', 'The OS keychain is not available here.')
    return s().vault.addKeySlot(p)
  }

  async function removeSlot(slotId: string): Promise<Result<AppStatus>> {
    const r = await s().vault.removeKeySlot(slotId)
    return r.ok ? ok(status()) : r
  }

  return { status, create, unlock, lock, addPassphrase, addOsProtection, removeSlot }
}

export type ProtectionActions = ReturnType<typeof protectionActions>
