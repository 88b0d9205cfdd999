// Account actions: add (with its first login), sign up, edit and remove (optionally revoking
// first). Every surface adds and removes accounts through these, so they all keep an account
// whose first login may have minted a token, and all refuse the same things.
import { fail, ok, type Failure, type Result } from '../../shared/result'
import { ownValue } from '../../shared/json-path'
import { secretFields } from '../../shared/providers/profile'
import type { Surface, TokenView } from '../../shared/views'
import type { AccountView } from '../../shared/views'
import type { AccountPatch } from '../vault/accounts'
import { mayHaveMinted } from '../vault/ledger/token-service'
import type { ActionDeps } from './context'

export interface AddAccountInput {
  label: string
  providerId: string
  baseUrl?: string
  /** Field values by profile field name, secrets included. */
  fields: Record<string, string>
  /** Store the secret (encrypted) so tokens can be minted again unattended. */
  remember: boolean
  /** Log in right away (default: when the secret is not remembered, which requires it). */
  login?: boolean
}

/** The account as added, and the token its first login got (null when it did not log in). */
export interface AddedAccount {
  account: AccountView
  token: TokenView | null
}

export interface RemoveOptions {
  /** Revoke every live token first; the account stays if any revoke fails. */
  revokeFirst?: boolean
  /** Remove even though live or uncertain tokens remain (they stay valid on the server). */
  force?: boolean
}

/** Adds, signs up, edits and removes accounts. */
export function accountActions(deps: ActionDeps) {
  const s = deps.services

  /**
   * Adds an account and, when asked (always when the secret is not remembered), logs in with
   * the typed secret. A login that is refused removes the account again: a wrong password never
   * leaves a useless account behind. A login that may have minted (OUTCOME_UNKNOWN) keeps the
   * account and its uncertain token, so the cap stays honest: the failure says
   * `details.accountKept` and names the account.
   */
  async function add(input: AddAccountInput, surface: Surface): Promise<Result<AddedAccount>> {
    const login = input.login ?? !input.remember
    if (!input.remember && !login) {
      return fail(
        'VALIDATION_FAILED',
        'An account that does not remember its secret must log in now.',
      )
    }
    const { accounts, tokens, vault } = s()
    const added = await accounts.add(input)
    if (!added.ok) return added
    const account = added.value
    if (!login) return ok({ account, token: null })
    const providers = vault.providers()
    if (!providers.ok) return providers
    const profile = providers.value.get(account.providerId)
    const secrets: Record<string, string> = {}
    for (const f of profile ? secretFields(profile) : []) {
      const v = ownValue(input.fields, f.name)
      if (v) secrets[f.name] = v
    }
    const first = await tokens.login(account.id, { surface, secrets })
    if (first.ok) {
      const after = accounts.get(account.id)
      return after.ok ? ok({ account: after.value, token: first.value.token }) : after
    }
    return firstLoginFailed(account, first)
  }

  async function firstLoginFailed(account: AccountView, failure: Failure): Promise<Failure> {
    const kept = { ...failure.details, accountKept: true, accountId: account.id }
    if (mayHaveMinted(failure)) {
      return fail(
        failure.code,
        `${failure.message} "${account.label}" was kept: the server may have created a token, counted as uncertain until you check and dismiss it.`,
        { ...(failure.fields ? { fields: failure.fields } : {}), details: kept },
      )
    }
    const removed = await s().accounts.remove(account.id, { force: true })
    if (!removed.ok) {
      return fail(
        failure.code,
        `${failure.message} "${account.label}" could not be removed again (${removed.message}).`,
        { details: kept },
      )
    }
    return { ...failure, details: { ...failure.details, accountKept: false } }
  }

  /** Creates the account on the provider's server, then adds it (and any token it returned). */
  async function signup(
    input: Omit<AddAccountInput, 'login'>,
    surface: Surface,
  ): Promise<Result<AccountView>> {
    const { vault, accounts, tokens, engine } = s()
    if (!vault.unlocked) return fail('VAULT_LOCKED', 'The vault is locked.')
    const providers = vault.providers()
    if (!providers.ok) return providers
    const profile = providers.value.get(input.providerId)
    if (!profile?.signup) return fail('UNSUPPORTED', 'This provider has no signup.')
    const signed = await engine.signup({
      profile,
      ...(input.baseUrl ? { baseUrl: input.baseUrl } : {}),
      fields: input.fields,
    })
    if (!signed.ok) return signed
    const added = await accounts.add({ ...input, fields: signed.value.accountFields })
    if (!added.ok) return added
    if (signed.value.minted) {
      const adopted = await tokens.adopt(added.value.id, signed.value.minted, surface)
      if (!adopted.ok) return adopted
    }
    return accounts.get(added.value.id)
  }

  /**
   * Edits an account. Moving it to another base URL (another server, or another path on the same
   * host) is checked first as if its live tokens were settled, so a move that would be refused
   * (no secret typed again, a bad field) revokes nothing; then its live tokens are settled where
   * they were minted (revoked there, or forgotten with the honest message), and the vault takes
   * the new base URL with the secret typed again. Nothing sealed for the old one follows it.
   */
  async function edit(
    accountId: string,
    patch: AccountPatch,
    surface: Surface,
  ): Promise<Result<AccountView>> {
    const { accounts, tokens } = s()
    const a = accounts.get(accountId)
    if (!a.ok) return a
    const checked = accounts.checkUpdate(accountId, patch)
    if (!checked.ok) return checked
    if (checked.value.moves && a.value.tokens.some((t) => t.held && t.state === 'active')) {
      const settled = await tokens.revoke(accountId, { surface, all: true })
      if (!settled.ok && settled.code !== 'NOT_FOUND') {
        return fail(settled.code, `Not changed: ${settled.message}`)
      }
      if (settled.ok && settled.value.failures.length > 0) {
        return fail('PROVIDER_REJECTED', `Not changed: ${settled.value.message}`)
      }
    }
    return accounts.update(accountId, patch)
  }

  /** Removes an account; with `revokeFirst`, only once every live token is revoked. */
  async function remove(
    accountId: string,
    o: RemoveOptions,
    surface: Surface,
  ): Promise<Result<{ label: string; liveTokensLeft: number }>> {
    const { accounts, tokens } = s()
    if (o.revokeFirst) {
      const r = await tokens.revoke(accountId, { surface, all: true })
      if (!r.ok && r.code !== 'NOT_FOUND') return r
      if (r.ok && r.value.failures.length > 0) {
        return fail('PROVIDER_REJECTED', `Not removed: ${r.value.message}`)
      }
    }
    return accounts.remove(accountId, { force: o.force === true })
  }

  return { add, signup, edit, remove }
}

export type AccountActions = ReturnType<typeof accountActions>
