// Read-only actions: the secret-free views every surface shows (accounts, organizations with
// their cap usage, one account by label or id, the event log).
import { fail, ok, type Result } from '../../shared/result'
import { findAccount, noAccount } from '../../shared/state'
import type { Snapshot } from '../../shared/ipc/schemas'
import type {
  AccountView,
  EventList,
  EventType,
  OrganizationView,
  Surface,
} from '../../shared/views'
import type { ProviderProfile } from '../../shared/providers/profile'
import type { ActionDeps } from './context'

export function viewActions(deps: ActionDeps) {
  const s = deps.services

  function accounts(): Result<AccountView[]> {
    return s().accounts.list()
  }

  function organizations(): Result<OrganizationView[]> {
    return s().accounts.organizations()
  }

  /** One account, by id or by label (labels ignore case). */
  function account(idOrLabel: string): Result<AccountView> {
    return s().accounts.get(idOrLabel)
  }

  /** Accounts and organizations at one moment, with main's clock. */
  function snapshot(): Result<Snapshot> {
    const a = accounts()
    if (!a.ok) return a
    const o = organizations()
    if (!o.ok) return o
    return ok({ accounts: a.value, organizations: o.value, now: s().vault.clock.now() })
  }

  /**
   * What `tokendeck status` shows (directly or through the agent): the snapshot, the kept
   * unreadable copies, and how long before expiry an account that cannot renew is warned about.
   */
  async function status(): Promise<
    Result<Snapshot & { unreadableCopies: string[]; warnBeforeMinutes: number }>
  > {
    // Shared organizations: their counts across machines, read now (no-op without a ledger).
    await s().sharedLedger.refresh()
    const snap = snapshot()
    if (!snap.ok) return snap
    const settings = s().vault.settings()
    if (!settings.ok) return settings
    return ok({
      ...snap.value,
      unreadableCopies: s().vault.status().unreadableCopies,
      warnBeforeMinutes: settings.value.warnBeforeMinutes,
    })
  }

  /**
   * The event log, newest first, with how many lines read for it could not be verified; only
   * the types, surfaces and account asked for, when asked (the newest `limit` of those).
   */
  function events(
    q: {
      limit?: number
      accountId?: string
      types?: readonly EventType[]
      surfaces?: readonly Surface[]
    } = {},
  ): Result<EventList> {
    const { vault } = s()
    if (!vault.unlocked) return fail('VAULT_LOCKED', 'The vault is locked.')
    const events = vault.events.list({
      limit: q.limit ?? 500,
      ...(q.accountId ? { accountId: q.accountId } : {}),
      ...(q.types ? { types: q.types } : {}),
      ...(q.surfaces ? { surfaces: q.surfaces } : {}),
    })
    return ok({ events, unverified: vault.events.unverified })
  }

  /**
   * The profile of an account, found by id or label: the CLI asks for the secrets it needs
   * (accounts are sealed in the vault, so only once it is unlocked).
   */
  function accountProfile(idOrLabel: string): Result<ProviderProfile> {
    const { vault } = s()
    const data = vault.readUnlocked()
    if (!data.ok) return data
    const rec = findAccount(data.value.accounts, idOrLabel)
    if (!rec) return fail('NOT_FOUND', noAccount(idOrLabel, data.value.accounts))
    const registry = vault.registryOf(data.value)
    const profile = registry.get(rec.providerId)
    if (!profile) return registry.missing(rec.providerId)
    return ok(profile)
  }

  return { accounts, organizations, account, accountProfile, snapshot, status, events }
}

export type ViewActions = ReturnType<typeof viewActions>
