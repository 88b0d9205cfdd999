// Refreshing an access token with the refresh token sealed beside it (profile `refresh`), run by
// the token service under the organization's mint lock. A refresh is a new ledger record that
// takes the refresh token (rotated, or the same one re-sealed) from the token it replaces, which
// ends. A refused refresh token is dropped and the caller logs in; a lost answer keeps it (see
// `refreshAccount` for why); no refresh token, refusal message or error ever holds it.
import { randomUUID } from 'node:crypto'
import { ownValue } from '../../../shared/json-path'
import { fail, ok, type Failure, type Result } from '../../../shared/result'
import { secretFields, type ProviderProfile } from '../../../shared/providers/profile'
import type { Surface } from '../../../shared/views'
import { refreshRefused, type MintedToken, type ProviderEngine } from '../../providers/engine'
import { accountSecretId, tokenRefreshId } from '../storage/bindings'
import { derivedState, endToken, tidy, tokensOf } from './ledger'
import type { AccountRecord, TokenRecord, VaultData } from '../storage/schema'
import { mayHaveMinted, sealTokenRecord } from './token-records'
import type { Ledger } from './ledger-handle'

/** What a refresh attempt came to. */
export type RefreshOutcome =
  /** No refresh token to use (none, expired, or refused just now): log in instead. */
  | { kind: 'login'; reason: 'none' | 'expired' | 'refused' }
  /** Refreshed (the new token and its record), or failed in a way a login would not cure. */
  | { kind: 'done'; result: Result<{ record: TokenRecord; token: string }> }

/**
 * The token whose refresh token the account would use: the newest one that holds a refresh token
 * (revoked, forgotten and evicted tokens hold none: ending them drops it; a token its server
 * refused keeps it, so a rejection is followed by a refresh).
 */
export function refreshHolder(data: VaultData, accountId: string): TokenRecord | undefined {
  return tokensOf(data, accountId).find((t) => t.refresh)
}

/** The account's remembered secret values, for a refresh body that names a field. */
function rememberedSecrets(
  ledger: Ledger,
  acc: AccountRecord,
  profile: ProviderProfile,
): Result<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const f of secretFields(profile)) {
    const stored = ownValue(acc.secrets, f.name)
    if (!stored) continue
    const s = ledger.storage.openSecret(accountSecretId(acc.id, f.name), acc, stored)
    if (!s.ok) return s
    out[f.name] = s.value
  }
  return ok(out)
}

/**
 * Refreshes the account's access token if it holds a live refresh token; the caller holds the
 * organization's lock and has re-read the vault (`data`) under it, so another process's refresh
 * shows as a current token there and this is not called.
 *
 * A lost answer (OUTCOME_UNKNOWN, or a garbled success) keeps the refresh token: the server may
 * have rotated it (then the next refresh is refused as reused, and that request logs in), or may
 * never have seen the request (then it still works). Dropping it would force a login that may not
 * be needed; keeping it costs at most one refused request. The lost access token, if any, counts
 * toward no cap: a refresh continues a session, it does not open one.
 */
export async function refreshAccount(
  ledger: Ledger,
  engine: ProviderEngine,
  c: {
    data: VaultData
    acc: AccountRecord
    orgKey: string
    profile: ProviderProfile
    surface: Surface
    /** The suspect token the refreshed one replaces (its server refused it once). */
    replaces?: string
  },
): Promise<RefreshOutcome> {
  const { data, acc, orgKey, profile, surface } = c
  const holder = profile.refresh ? refreshHolder(data, acc.id) : undefined
  if (!holder?.refresh) return { kind: 'login', reason: 'none' }
  const now = ledger.storage.clock.now()
  if (holder.refresh.expiresAt !== null && holder.refresh.expiresAt <= now) {
    return { kind: 'login', reason: 'expired' }
  }
  const done = (result: Result<{ record: TokenRecord; token: string }>): RefreshOutcome => ({
    kind: 'done',
    result,
  })
  const refreshToken = ledger.storage.openSecret(
    tokenRefreshId(holder.id),
    acc,
    holder.refresh.secret,
  )
  if (!refreshToken.ok) return done(refreshToken)
  const secrets = rememberedSecrets(ledger, acc, profile)
  if (!secrets.ok) return done(secrets)
  const answer = await engine.refresh({
    profile,
    baseUrl: acc.baseUrl,
    fields: { ...acc.fields, ...secrets.value },
    refreshToken: refreshToken.value,
  })
  if (!answer.ok) return failed(ledger, acc, holder.id, answer, surface)
  const saved = await recordRefreshed(ledger, {
    acc,
    orgKey,
    holderId: holder.id,
    previous: { token: refreshToken.value, expiresAt: holder.refresh.expiresAt },
    minted: answer.value,
    surface,
    ...(c.replaces ? { replaces: c.replaces } : {}),
  })
  return done(saved)
}

/** Records a failed refresh: a refusal drops the refresh token (log in), the rest keep it. */
async function failed(
  ledger: Ledger,
  acc: AccountRecord,
  holderId: string,
  f: Failure,
  surface: Surface,
): Promise<RefreshOutcome> {
  const event = { type: 'failure' as const, accountId: acc.id, label: acc.label, surface }
  if (refreshRefused(f)) {
    const message = `The refresh token of "${acc.label}" was refused (${f.message}); logging in instead.`
    const dropped = await ledger.update(
      (draft) => {
        const t = draft.tokens.find((x) => x.id === holderId)
        if (t) t.refresh = null
        return ok(undefined)
      },
      () => ({ ...event, tokenId: holderId, code: f.code, message }),
    )
    // Not dropped (the write failed): the login's newer token holds its own refresh token, and
    // if it is tried again it is refused again (one wasted request, then a login).
    if (!dropped.ok) ledger.storage.log({ ...event, tokenId: holderId, code: f.code, message })
    return { kind: 'login', reason: 'refused' }
  }
  const lost = mayHaveMinted(f)
  const message = lost
    ? `Refresh for "${acc.label}" failed: ${f.message} The server may have rotated its refresh token; the next request tries it again and logs in if it is refused.`
    : `Refresh for "${acc.label}" failed: ${f.message}`
  ledger.storage.log({ ...event, tokenId: holderId, code: f.code, message })
  return { kind: 'done', result: { ...f, message: lost ? message : f.message } }
}

/**
 * Writes the refreshed token as a new record holding the refresh token (the rotated one, or the
 * same one re-sealed under the new record's id), and ends the token it replaces.
 */
async function recordRefreshed(
  ledger: Ledger,
  o: {
    acc: AccountRecord
    orgKey: string
    holderId: string
    previous: { token: string; expiresAt: number | null }
    minted: MintedToken
    surface: Surface
    replaces?: string
  },
): Promise<Result<{ record: TokenRecord; token: string }>> {
  const { acc, holderId, minted, surface } = o
  const id = randomUUID()
  const notSaved = (f: Failure): Failure =>
    fail(f.code, `A token was refreshed for "${acc.label}" but could not be saved: ${f.message}`)
  const built = sealTokenRecord(ledger, acc, {
    id,
    providerId: acc.providerId,
    orgKey: o.orgKey,
    minted,
    surface,
    // The rotated refresh token, or the same one re-sealed under the new record's id.
    refresh: minted.refresh ?? o.previous,
    ...(o.replaces ? { replaces: o.replaces } : {}),
  })
  if (!built.ok) return notSaved(built)
  const record = built.value
  const rotated = minted.refresh ? ' (the server rotated its refresh token)' : ''
  const saved = await ledger.update(
    (draft, now) => {
      const old = draft.tokens.find((t) => t.id === holderId)
      if (old && derivedState(old, now) === 'active') {
        endToken(old, 'forgotten', now, 'Replaced by a refreshed token.')
      }
      if (old) old.refresh = null
      draft.tokens.push(record)
      tidy(draft, now)
      return ok(record)
    },
    () => ({
      type: 'refresh',
      accountId: acc.id,
      label: acc.label,
      tokenId: id,
      surface,
      message: `Refreshed the token of "${acc.label}" with its refresh token, no login sent${rotated}.`,
    }),
  )
  return saved.ok ? ok({ record: saved.value, token: minted.token }) : notSaved(saved)
}
