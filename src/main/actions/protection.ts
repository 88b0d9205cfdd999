// Protection actions: what the vault is (status), creating it, unlocking and locking it, and
// changing the ways to open it (passphrase, OS keychain). Every change proves who asks again
// (the passphrase or a fresh keychain unwrap, checked in main); changing the passphrase and
// removing a slot rotate the data key. The CLI unlocks through the same unlock action.
import { fail, ok, type Result } from '../../shared/result'
import type { AppStatus } from '../../shared/ipc/schemas'
import type { Surface } from '../../shared/views'
import {
  passphraseProtector,
  safeStorageProtector,
  safeStorageStatus,
  type KeyProtector,
} from '../vault'
import { PROTECTION_EVENT, type KeySlotView, type UnlockConsent } from '../vault/vault'
import type { ActionDeps } from './context'

export type CreateRequest = { protection: 'os' } | { protection: 'passphrase'; passphrase: string }
/** Who asks for a protection change, proven again: the passphrase or the OS keychain. */
export type Proof = { method: 'os' } | { method: 'passphrase'; passphrase: string }
/**
 * An unlock, and what the person confirmed after the vault asked: `upgrade` a format 1 vault
 * (VAULT_UPGRADE_NEEDED), or open a copy older than the newest seen here (VAULT_ROLLED_BACK).
 */
export type UnlockRequest = Proof & UnlockConsent

const UNLOCKED = 'Unlocked.'

function osNeeded() {
  return fail(
    'PROTECTION_UNAVAILABLE',
    'The vault is also protected by the OS keychain, which is not available here to protect the new key; make the change in the TokenDeck app.',
  )
}

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
    const protector = protectorOf(req)
    if (!protector)
      return fail('PROTECTION_UNAVAILABLE', 'The OS keychain is not available; use the passphrase.')
    const { vault } = s()
    const r = await vault.unlock(protector, {
      ...(req.upgrade ? { upgrade: true } : {}),
      ...(req.acceptOlder ? { acceptOlder: true } : {}),
    })
    if (!r.ok) return r
    if (surface === 'cli') return ok(status())
    const changes = protectionChangesSinceLastUnlock()
    vault.log({ type: 'vault', surface, message: UNLOCKED })
    return ok(changes.length > 0 ? { ...status(), protectionChanges: changes } : status())
  }

  /** Key-slot changes logged since the window was last unlocked (by any surface), oldest first. */
  function protectionChangesSinceLastUnlock(): { at: number; message: string }[] {
    const out: { at: number; message: string }[] = []
    for (const e of s().vault.events.list({ limit: 1000 })) {
      if (e.type === 'vault' && e.message === UNLOCKED && e.surface !== 'cli') break
      if (e.code === PROTECTION_EVENT) out.push({ at: e.at, message: e.message })
    }
    return out.reverse()
  }

  /**
   * Locks once the logins in flight have finished (at most their deadline), so the tokens they
   * mint are recorded; no new login starts meanwhile. Quit and demo switching lock at once
   * (vault.lock()), leaving a cut-off login's pending record uncertain in the file.
   */
  async function lock(): Promise<AppStatus> {
    await s().vault.lockWhenIdle()
    return status()
  }

  /** The keychain or a passphrase, as an unlock or a proof names it (null: no keychain here). */
  function protectorOf(req: Proof): KeyProtector | null {
    return req.method === 'os' ? osProtector() : passphraseProtector(req.passphrase)
  }

  /** Proves who asks (passphrase, or a fresh OS keychain unwrap) before a protection change. */
  async function confirm(proof: Proof): Promise<Result<{ slotId: string }>> {
    const p = protectorOf(proof)
    if (!p) return fail('PROTECTION_UNAVAILABLE', 'The OS keychain is not available here.')
    return s().vault.verify(p)
  }

  function slots(): KeySlotView[] {
    return s().vault.status().slots
  }

  /** Adds a passphrase to a vault that has none (the OS keychain confirms who asks). */
  async function addPassphrase(proof: Proof, passphrase: string): Promise<Result<KeySlotView>> {
    if (slots().some((x) => x.kind === 'passphrase')) {
      return fail('CONFLICT', 'This vault has a passphrase already: change it instead.')
    }
    const who = await confirm(proof)
    if (!who.ok) return who
    return s().vault.addKeySlot(passphraseProtector(passphrase))
  }

  async function addOsProtection(proof: Proof): Promise<Result<KeySlotView>> {
    if (slots().some((x) => x.kind === 'safe-storage')) {
      return fail('CONFLICT', 'This vault is protected by the OS keychain already.')
    }
    const p = osProtector()
    if (!p) return fail('PROTECTION_UNAVAILABLE', 'The OS keychain is not available here.')
    const who = await confirm(proof)
    if (!who.ok) return who
    return s().vault.addKeySlot(p)
  }

  /**
   * Sets a new passphrase (replacing every passphrase slot) and rotates the data key: an old
   * copy of the file and the old passphrase open nothing written from now on.
   */
  async function changePassphrase(proof: Proof, passphrase: string): Promise<Result<AppStatus>> {
    const who = await confirm(proof)
    if (!who.ok) return who
    const keep: KeyProtector[] = [passphraseProtector(passphrase)]
    if (slots().some((x) => x.kind === 'safe-storage')) {
      const os = osProtector()
      if (!os) return osNeeded()
      keep.push(os)
    }
    const r = await s().vault.rekey(keep, 'Changed the passphrase; the data key was rotated.')
    return r.ok ? ok(status()) : r
  }

  /**
   * Removes a way to open the vault and rotates the data key, so the removed passphrase or
   * keychain entry opens no later copy. The slots that stay are wrapped again: a passphrase that
   * stays must be the one that confirmed.
   */
  async function removeSlot(slotId: string, proof: Proof): Promise<Result<AppStatus>> {
    const all = slots()
    const removed = all.find((x) => x.id === slotId)
    if (!removed) return fail('NOT_FOUND', 'No such key slot.')
    const rest = all.filter((x) => x.id !== slotId)
    if (rest.length === 0) {
      return fail('CONFLICT', 'The last way to open the vault cannot be removed.')
    }
    const who = await confirm(proof)
    if (!who.ok) return who
    const keep: KeyProtector[] = []
    for (const slot of rest) {
      if (slot.kind === 'safe-storage') {
        const os = osProtector()
        if (!os) return osNeeded()
        keep.push(os)
      } else if (proof.method === 'passphrase' && slot.id === who.value.slotId) {
        keep.push(passphraseProtector(proof.passphrase))
      } else {
        return fail(
          'CONFLICT',
          'Confirm with the passphrase that stays: the vault needs it to protect its new key.',
        )
      }
    }
    const what = removed.kind === 'passphrase' ? 'a passphrase' : 'the OS keychain protection'
    const r = await s().vault.rekey(keep, `Removed ${what}; the data key was rotated.`)
    return r.ok ? ok(status()) : r
  }

  /** Whether the open vault is unlocked: cheap (no file read), for checks on every request. */
  function isUnlocked(): boolean {
    return s().vault.unlocked
  }

  /** The person did something in the app: the auto-lock timer starts again. */
  function touch(): void {
    if (s().vault.unlocked) s().vault.touch()
  }

  /** Locks when idle longer than the auto-lock setting; true if it locked now. */
  function lockIfIdle(): boolean {
    return s().vault.checkAutoLock()
  }

  /**
   * Locks at once, without waiting for logins in flight (quit, switching to or from the demo
   * vault): a cut-off login's pending record stays uncertain in the file.
   */
  function lockNow(): void {
    s().vault.lock()
  }

  /** Deletes a kept copy of an unreadable vault file, by name. */
  function deleteUnreadableCopy(name: string): Result<AppStatus> {
    const r = s().vault.file.deleteUnreadableCopy(name)
    return r.ok ? ok(status()) : r
  }

  return {
    status,
    isUnlocked,
    create,
    unlock,
    lock,
    lockNow,
    lockIfIdle,
    touch,
    addPassphrase,
    addOsProtection,
    changePassphrase,
    removeSlot,
    deleteUnreadableCopy,
  }
}

export type ProtectionActions = ReturnType<typeof protectionActions>
