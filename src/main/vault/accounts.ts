// Accounts: adding, editing and removing them, with their fields checked against the provider
// profile and their secrets encrypted (only when the user chose to remember them).
import { randomUUID } from 'node:crypto'
import { fail, ok, type Failure, type Result } from '../../shared/result'
import { ownValue } from '../../shared/json-path'
import { normalizeBaseUrl } from '../../shared/url-policy'
import {
  fieldProblem,
  isOneTimeField,
  isSecretField,
  secretFields,
  type ProviderProfile,
} from '../../shared/providers/profile'
import { findAccount, isLive, noAccount } from '../../shared/state'
import type { AccountView, OrganizationView } from '../../shared/views'
import {
  accountView,
  countsTowardCap,
  organizationViews,
  tidy,
  tokensByAccount,
  type SharedCounts,
} from './ledger/ledger'
import type { SharedLink } from './ledger/shared/link'
import type { AccountRecord, VaultData } from './storage/schema'
import { plural } from '../../shared/words'
import { withoutControls } from '../../shared/controls'
import type { Vault } from './vault'
import { accountSecretId } from './storage/bindings'

export interface AccountInput {
  label: string
  providerId: string
  /** Defaults to the profile's base URL. */
  baseUrl?: string
  /** Field values by profile field name, secrets included. */
  fields: Record<string, string>
  /** Store the secret (encrypted) so the vault can log in again unattended. */
  remember: boolean
}

export interface AccountPatch {
  label?: string
  baseUrl?: string
  fields?: Record<string, string>
  remember?: boolean
}

export const LABEL_MAX = 80

/**
 * Splits and checks field values for a profile; VALIDATION_FAILED names each bad field. Values
 * are read as own keys only: a field named "constructor" left empty is empty, not a function.
 */
export function splitFields(
  profile: ProviderProfile,
  values: Record<string, string>,
  requireSecrets: boolean,
): Result<{ plain: Record<string, string>; secrets: Record<string, string> }> {
  // A Map, so an unknown key "__proto__" is reported like any other, not set as a prototype.
  const problems = new Map<string, string[]>()
  const plain: Record<string, string> = {}
  const secrets: Record<string, string> = {}
  const known = new Set(profile.fields.map((f) => f.name))
  for (const key of Object.keys(values)) {
    if (!known.has(key)) problems.set(key, [`${profile.name} has no field "${key}".`])
  }
  for (const f of profile.fields) {
    const raw = ownValue(values, f.name)
    const isSecret = isSecretField(f)
    const v = typeof raw === 'string' ? (isSecret ? raw : raw.trim()) : undefined
    // A one-time code is asked at each login, not with the account, and never kept.
    const oneTime = isOneTimeField(f)
    const problem = fieldProblem(f, v, f.required && !oneTime && (!isSecret || requireSecrets))
    if (problem) problems.set(f.name, [problem])
    else if (v === undefined || v === '' || oneTime) continue
    else if (isSecret) secrets[f.name] = v
    else plain[f.name] = v
  }
  if (problems.size > 0) {
    return fail('VALIDATION_FAILED', 'Some fields need attention.', {
      fields: Object.fromEntries(problems),
    })
  }
  return ok({ plain, secrets })
}

/**
 * A label is 1 to 80 characters after bidi controls are dropped (a right-to-left override would
 * make it read as another label), other control characters become spaces, and it is trimmed.
 */
function cleanLabel(raw: unknown): Result<string> {
  const label = typeof raw === 'string' ? withoutControls(raw, ' ').trim() : ''
  if (label === '' || label.length > LABEL_MAX) {
    return fail('VALIDATION_FAILED', `A label has 1 to ${LABEL_MAX} characters.`, {
      fields: { label: [`1 to ${LABEL_MAX} characters.`] },
    })
  }
  return ok(label)
}

/** Labels are unique, ignoring case; `exceptId` is the account being renamed. */
function labelTaken(
  accounts: AccountRecord[],
  label: string,
  exceptId?: string,
): Failure | undefined {
  const clash = accounts.some(
    (a) => a.id !== exceptId && a.label.toLowerCase() === label.toLowerCase(),
  )
  return clash
    ? fail('CONFLICT', `An account labelled "${label}" already exists.`, {
        fields: { label: ['This label is taken.'] },
      })
    : undefined
}

/**
 * An account moves to another base URL (another origin, or another path on the same host: two
 * APIs under one host are two servers). Secrets and tokens are bound to the base URL they were
 * entered or minted for, so live tokens must be settled first (revoked at the old base URL), the
 * secrets must be entered again, and nothing sealed for the old base URL follows the account:
 * not its secrets, nor any token, refresh token or secret metadata of its ended tokens.
 * `settled`: the caller checks a move before settling (nothing is revoked for a refused move).
 */
function moveBaseUrl(
  draft: VaultData,
  acc: AccountRecord,
  profile: ProviderProfile,
  patch: AccountPatch,
  now: number,
  settled: boolean,
): Failure | undefined {
  const live = draft.tokens.filter(
    (t) => t.accountId === acc.id && t.secret !== null && isLive(t, now),
  ).length
  if (live > 0 && !settled) {
    return fail(
      'CONFLICT',
      `"${acc.label}" still has ${plural(live, 'live token')} at ${acc.baseUrl}: revoke ${live === 1 ? 'it' : 'them'} there before moving it to another server.`,
      { details: { liveTokens: live } },
    )
  }
  const typed = (name: string) => {
    const v = patch.fields ? ownValue(patch.fields, name) : undefined
    return typeof v === 'string' && v !== ''
  }
  const remember = patch.remember ?? acc.remember
  const missing = remember
    ? secretFields(profile).filter((f) => f.required && !isOneTimeField(f) && !typed(f.name))
    : []
  if (missing.length > 0) {
    return fail(
      'VALIDATION_FAILED',
      'A new server address needs the secret again: what was stored is never sent to another server.',
      {
        fields: Object.fromEntries(
          missing.map((f) => [f.name, ['Enter it again for the new address.']]),
        ),
      },
    )
  }
  acc.secrets = {}
  for (const t of draft.tokens) {
    if (t.accountId !== acc.id) continue
    t.secret = null
    if (t.secretMetadata) t.secretMetadata = null
    if (t.refresh) t.refresh = null
  }
  return undefined
}

/** `raw` names another base URL than the stored one (both normalised). */
function movesBaseUrl(storedBaseUrl: string, raw: string): boolean {
  const next = normalizeBaseUrl(raw)
  if (!next.ok) return false
  const now = normalizeBaseUrl(storedBaseUrl)
  return (now.ok ? now.value : storedBaseUrl) !== next.value
}

/** Adds, edits, removes and lists accounts. */
export class AccountService {
  constructor(
    private readonly vault: Vault,
    private readonly shared?: SharedLink,
  ) {}

  list(): Result<AccountView[]> {
    const d = this.vault.readUnlocked()
    if (!d.ok) return d
    const now = this.vault.clock.now()
    const skew = d.value.settings.expirySkewSeconds * 1000
    const registry = this.vault.registryOf(d.value)
    const byAccount = tokensByAccount(d.value)
    return ok(d.value.accounts.map((a) => accountView(d.value, a, registry, now, skew, byAccount)))
  }

  organizations(): Result<OrganizationView[]> {
    const d = this.vault.readUnlocked()
    if (!d.ok) return d
    const registry = this.vault.registryOf(d.value)
    const link = this.shared
    const sharedOrgs = link?.sharedOrgs(d.value)
    const counts: SharedCounts | undefined =
      link && sharedOrgs && sharedOrgs.size > 0
        ? (key) => {
            const o = sharedOrgs.get(key)
            if (!o) return undefined
            const ledger = link.connected()
            return { state: ledger?.state ?? 'unknown', usage: ledger?.cached(key, o.max) }
          }
        : undefined
    return ok(organizationViews(d.value, registry, this.vault.clock.now(), counts))
  }

  get(idOrLabel: string): Result<AccountView> {
    const all = this.list()
    if (!all.ok) return all
    const found = findAccount(all.value, idOrLabel)
    return found ? ok(found) : fail('NOT_FOUND', noAccount(idOrLabel, all.value))
  }

  async add(input: AccountInput): Promise<Result<AccountView>> {
    const d = this.vault.readUnlocked()
    if (!d.ok) return d
    const profile = this.vault.registryOf(d.value).get(input.providerId)
    if (!profile)
      return fail(
        'VALIDATION_FAILED',
        `Unknown provider "${String(input.providerId).slice(0, 40)}".`,
      )
    const checkedLabel = cleanLabel(input.label)
    if (!checkedLabel.ok) return checkedLabel
    const label = checkedLabel.value
    const base = normalizeBaseUrl(input.baseUrl || profile.baseUrl)
    if (!base.ok)
      return fail('VALIDATION_FAILED', base.message, { fields: { baseUrl: [base.message] } })
    const split = splitFields(profile, input.fields ?? {}, input.remember)
    if (!split.ok) return split
    const id = randomUUID()
    const secrets: AccountRecord['secrets'] = {}
    if (input.remember) {
      for (const [name, value] of Object.entries(split.value.secrets)) {
        const binding = { id, providerId: profile.id, baseUrl: base.value }
        const sealed = this.vault.storage.sealSecret(accountSecretId(id, name), binding, value)
        if (!sealed.ok) return sealed
        secrets[name] = sealed.value
      }
    }
    return this.vault.mutate(
      (draft, now) => {
        const taken = labelTaken(draft.accounts, label)
        if (taken) return taken
        const record: AccountRecord = {
          id,
          label,
          providerId: profile.id,
          baseUrl: base.value,
          fields: split.value.plain,
          secrets,
          remember: input.remember,
          createdAt: now,
          updatedAt: now,
        }
        draft.accounts.push(record)
        return ok(this.view(draft, record, now))
      },
      () => ({
        type: 'account',
        accountId: id,
        label,
        message: `Added account "${label}" (${profile.name}).`,
      }),
    )
  }

  private view(data: VaultData, acc: AccountRecord, now: number): AccountView {
    const skew = data.settings.expirySkewSeconds * 1000
    return accountView(data, acc, this.vault.registryOf(data), now, skew)
  }

  /** Edits label, base URL, fields or "remember"; turning remember off erases stored secrets. */
  async update(accountId: string, patch: AccountPatch): Promise<Result<AccountView>> {
    return this.vault.mutate((draft, now) => {
      const r = this.applyPatch(draft, accountId, patch, now, false)
      return r.ok ? ok(r.value.view) : r
    })
  }

  /**
   * Whether `update` would accept `patch` once the account's live tokens are settled (a move to
   * another base URL revokes them first): the same checks on a copy, nothing written. The
   * edit action asks this before revoking anything, so a refused move revokes nothing.
   */
  checkUpdate(accountId: string, patch: AccountPatch): Result<{ moves: boolean }> {
    const d = this.vault.readUnlocked()
    if (!d.ok) return d
    const draft = structuredClone(d.value)
    const r = this.applyPatch(draft, accountId, patch, this.vault.clock.now(), true)
    return r.ok ? ok({ moves: r.value.moves }) : r
  }

  private applyPatch(
    draft: VaultData,
    accountId: string,
    patch: AccountPatch,
    now: number,
    settled: boolean,
  ): Result<{ view: AccountView; moves: boolean }> {
    const acc = draft.accounts.find((a) => a.id === accountId)
    if (!acc) return fail('NOT_FOUND', 'No such account.')
    const registry = this.vault.registryOf(draft)
    const profile = registry.get(acc.providerId)
    if (!profile) return registry.missing(acc.providerId)
    let moves = false
    if (patch.label !== undefined) {
      const label = cleanLabel(patch.label)
      if (!label.ok) return label
      const taken = labelTaken(draft.accounts, label.value, acc.id)
      if (taken) return taken
      acc.label = label.value
    }
    if (patch.baseUrl !== undefined) {
      const base = normalizeBaseUrl(patch.baseUrl || profile.baseUrl)
      if (!base.ok)
        return fail('VALIDATION_FAILED', base.message, { fields: { baseUrl: [base.message] } })
      if (movesBaseUrl(acc.baseUrl, base.value)) {
        const refused = moveBaseUrl(draft, acc, profile, patch, now, settled)
        if (refused) return refused
        acc.baseUrl = base.value
        moves = true
      }
    }
    const remember = patch.remember ?? acc.remember
    if (patch.fields !== undefined) {
      // Secrets left empty keep their stored value.
      const merged = { ...acc.fields, ...patch.fields }
      const split = splitFields(profile, merged, false)
      if (!split.ok) return split
      acc.fields = split.value.plain
      for (const [name, value] of Object.entries(split.value.secrets)) {
        if (!remember) continue
        const sealed = this.vault.storage.sealSecret(accountSecretId(acc.id, name), acc, value)
        if (!sealed.ok) return sealed
        acc.secrets[name] = sealed.value
      }
    }
    if (!remember) acc.secrets = {}
    acc.remember = remember
    acc.updatedAt = now
    tidy(draft, now)
    return ok({ view: this.view(draft, acc, now), moves })
  }

  /**
   * Removes an account and its ledger entries. An account whose tokens are still live (or
   * uncertain) is removed only with `force`: those tokens stay valid on the server and would
   * vanish from the cap count. The UI and CLI offer "revoke all, then remove" instead.
   */
  async remove(
    accountId: string,
    opts: { force?: boolean } = {},
  ): Promise<Result<{ label: string; liveTokensLeft: number }>> {
    return this.vault.mutate(
      (draft, now) => {
        const acc = draft.accounts.find((a) => a.id === accountId)
        if (!acc) return fail('NOT_FOUND', 'No such account.')
        const live = draft.tokens.filter(
          (t) => t.accountId === acc.id && countsTowardCap(t, now),
        ).length
        if (live > 0 && !opts.force) {
          return fail(
            'CONFLICT',
            `"${acc.label}" still has ${plural(live, 'live or uncertain token')}. Revoke them first, or remove it anyway (they stay valid on the server).`,
            { details: { liveTokens: live } },
          )
        }
        draft.accounts = draft.accounts.filter((a) => a.id !== acc.id)
        draft.tokens = draft.tokens.filter((t) => t.accountId !== acc.id)
        if (draft.gateway) {
          draft.gateway.policies = draft.gateway.policies.filter((p) => p.accountId !== acc.id)
        }
        return ok({ label: acc.label, liveTokensLeft: live })
      },
      (r) => ({
        type: 'account',
        accountId,
        label: r.label,
        message: `Removed account "${r.label}".`,
      }),
    )
  }
}
