// The token ledger's rules, as pure functions over the vault data: which token is current, what
// counts toward a cap, and the secret-free views the UI, tray and CLI see.
import type { ProviderProfile } from '../../../shared/providers/profile'
import { fieldWithRole } from '../../../shared/providers/profile'
import type {
  AccountView,
  CapUsage,
  OrganizationView,
  SharedOrgView,
  TokenState,
  TokenView,
} from '../../../shared/views'
import * as vocabulary from '../../../shared/state'
import { formerBaseUrlSpellings, normalizeBaseUrl } from '../../../shared/url-policy'
import { ownValue } from '../../../shared/json-path'
import type { ProviderRegistry } from '../../providers/registry'
import type { AccountRecord, TokenRecord, VaultData } from '../storage/schema'
import { loginBlockedUntil } from './login-limits'
import type { SharedUsage } from './shared/slots'

/**
 * An organization: the unit a token cap counts in, as a value. `key` is its identity in the
 * ledger (stored in each token record, in the format vaults already hold); nothing parses it back.
 */
export interface Organization {
  readonly key: string
  readonly providerId: string
  readonly baseUrl: string
  /** The organization id, or null where the cap is per account (no organization field). */
  readonly organizationId: string | null
}

type OrgAccount = Pick<AccountRecord, 'id' | 'providerId' | 'baseUrl' | 'fields'>

/** Provider + base URL + organization id; or the account itself for per-account caps. */
export function organizationOf(
  profile: ProviderProfile | undefined,
  account: OrgAccount,
): Organization {
  const orgField = profile ? fieldWithRole(profile, 'organization') : undefined
  const organizationId = orgField ? (ownValue(account.fields, orgField.name) ?? '') : null
  // The normalised origin, also for accounts stored before normalisation collapsed slashes.
  const base = normalizeBaseUrl(account.baseUrl)
  return {
    key: keyOf(profile, account, organizationId, base.ok ? base.value : account.baseUrl),
    providerId: account.providerId,
    baseUrl: account.baseUrl,
    organizationId,
  }
}

function keyOf(
  profile: ProviderProfile | undefined,
  account: OrgAccount,
  organizationId: string | null,
  baseUrl: string,
): string {
  const shared = organizationId !== null && profile?.cap?.scope !== 'account'
  return `${account.providerId}|${baseUrl}|${shared ? organizationId : `account:${account.id}`}`
}

/**
 * The organization key a stored token counts under now. A token keeps the key its account had
 * when it was minted, in the spelling of the base URL the normaliser of that day made: the
 * stored string itself, or what an earlier normalizeBaseUrl made of it (formerBaseUrlSpellings).
 * Each such key maps to today's (a lookup: nothing is parsed), so two stored spellings of one
 * server count against one cap without rewriting a stored account.
 */
export function countsUnder(
  data: VaultData,
  profile: ProviderProfile | undefined,
): (t: TokenRecord) => string {
  const renamed = new Map<string, string>()
  for (const a of data.accounts) {
    if (a.providerId !== profile?.id) continue
    const org = organizationOf(profile, a)
    for (const spelling of formerBaseUrlSpellings(a.baseUrl)) {
      const former = keyOf(profile, a, org.organizationId, spelling)
      if (former !== org.key) renamed.set(former, org.key)
    }
  }
  return (t) => renamed.get(t.orgKey) ?? t.orgKey
}

export function derivedState(t: TokenRecord, now: number): TokenState {
  return vocabulary.tokenState(t, now)
}

function factsOf(t: TokenRecord) {
  return {
    state: t.state,
    expiresAt: t.expiresAt,
    held: t.secret !== null,
    suspect: suspectFlag(t),
  }
}

/** True for a token its server refused once without a confirmed refusal (schema `suspectAt`). */
function suspectFlag(t: TokenRecord): boolean {
  return t.suspectAt !== undefined && t.suspectAt !== null
}

/** Can be handed out: active, held, not suspect, and not expiring within the skew margin. */
export function isUsable(t: TokenRecord, now: number, skewMs: number): boolean {
  return vocabulary.isCurrent(factsOf(t), now, skewMs)
}

/** Live and held, refused once by its server (not confirmed either way). */
export function isSuspect(t: TokenRecord, now: number): boolean {
  return vocabulary.isSuspect(factsOf(t), now)
}

/**
 * Whether the account may mint (or refresh) a replacement for a token its server refused: not
 * when it already did within `intervalMs`, unless the token it minted then was since seen to work
 * (a client that keeps provoking 401s gets at most one new token a minute, and never fills a cap).
 */
export function replacementAllowed(
  data: VaultData,
  accountId: string,
  now: number,
  intervalMs: number,
): boolean {
  const last = tokensOf(data, accountId).find((t) => t.replaces !== undefined)
  if (!last) return true
  // Seen to work after it was minted: the refusals since were about something else.
  if (last.confirmedAt !== undefined) return true
  return now - last.issuedAt >= intervalMs
}

/** Newest first (by issue time; among equal times, the later record first). */
export function tokensOf(data: VaultData, accountId: string): TokenRecord[] {
  return newestFirst(data.tokens.filter((t) => t.accountId === accountId))
}

function newestFirst(tokens: TokenRecord[]): TokenRecord[] {
  return tokens.reverse().sort((a, b) => b.issuedAt - a.issuedAt)
}

/**
 * Every account's tokens as tokensOf gives them, in one pass (a view of every account: tokensOf
 * per account would read all tokens once per account).
 */
export function tokensByAccount(data: VaultData): Map<string, TokenRecord[]> {
  const by = new Map<string, TokenRecord[]>()
  for (const t of data.tokens) {
    const list = by.get(t.accountId)
    if (list) list.push(t)
    else by.set(t.accountId, [t])
  }
  for (const list of by.values()) newestFirst(list)
  return by
}

/** Tokens that occupy a slot of the cap: live (active, unexpired) and uncertain ones. */
export function countsTowardCap(t: TokenRecord, now: number): boolean {
  return vocabulary.countsTowardCap(t, now)
}

export function capUsage(
  data: VaultData,
  orgKey: string,
  profile: ProviderProfile | undefined,
  now: number,
  /** countsUnder(data, profile), when the caller has it already (a view of every organization). */
  keyOfToken = profile?.cap ? countsUnder(data, profile) : undefined,
): CapUsage | null {
  if (!profile?.cap || !keyOfToken) return null
  let active = 0
  let uncertain = 0
  for (const t of data.tokens) {
    if (keyOfToken(t) !== orgKey || !countsTowardCap(t, now)) continue
    if (t.state === 'uncertain') uncertain++
    else active++
  }
  return { max: profile.cap.max, used: active + uncertain, active, uncertain }
}

/** What anyone may see of a token: never `secret` nor `secretMetadata` (listed field by field). */
export function tokenView(t: TokenRecord, now: number): TokenView {
  return {
    id: t.id,
    accountId: t.accountId,
    state: derivedState(t, now),
    issuedAt: t.issuedAt,
    expiresAt: t.expiresAt,
    headerName: t.headerName,
    scheme: t.scheme,
    metadata: t.metadata,
    surface: t.surface,
    endedAt: t.endedAt,
    note: t.note,
    held: t.secret !== null,
    // Whether it can be refreshed, and until when: never the refresh token itself.
    ...(t.refresh ? refreshFacts(t.refresh.expiresAt, now) : {}),
    ...(suspectFlag(t) && t.state === 'active' ? { suspect: true as const } : {}),
  }
}

function refreshFacts(expiresAt: number | null, now: number) {
  return { refreshable: expiresAt === null || expiresAt > now, refreshExpiresAt: expiresAt }
}

export function accountView(
  data: VaultData,
  account: AccountRecord,
  registry: ProviderRegistry,
  now: number,
  skewMs: number,
  /** tokensByAccount(data), when the caller views every account. */
  byAccount?: Map<string, TokenRecord[]>,
): AccountView {
  const profile = registry.get(account.providerId)
  const usernameField = profile ? fieldWithRole(profile, 'username') : undefined
  const orgField = profile ? fieldWithRole(profile, 'organization') : undefined
  const tokens = byAccount ? (byAccount.get(account.id) ?? []) : tokensOf(data, account.id)
  const current = tokens.find((t) => isUsable(t, now, skewMs))
  return {
    id: account.id,
    label: account.label,
    providerId: account.providerId,
    providerName: profile?.name ?? account.providerId,
    baseUrl: account.baseUrl,
    username: usernameField ? (account.fields[usernameField.name] ?? '') : '',
    fields: { ...account.fields },
    organizationId: orgField ? (account.fields[orgField.name] ?? null) : null,
    orgKey: organizationOf(profile, account).key,
    remember: account.remember,
    keepReady: account.keepReady === true,
    current: current ? tokenView(current, now) : null,
    tokens: tokens.map((t) => tokenView(t, now)),
    loginCooldownUntil: loginBlockedUntil(data, profile, account, now),
    createdAt: account.createdAt,
  }
}

/** A shared organization's counts as last read from the shared ledger (link.ts). */
export type SharedCounts = (
  orgKey: string,
) => { state: SharedOrgView['state']; usage: SharedUsage | undefined } | undefined

export function organizationViews(
  data: VaultData,
  registry: ProviderRegistry,
  now: number,
  shared?: SharedCounts,
): OrganizationView[] {
  const byKey = new Map<string, OrganizationView>()
  // countsUnder once per provider, not once per organization (it reads every account).
  const keyFns = new Map<string, (t: TokenRecord) => string>()
  const keyFnOf = (profile: ProviderProfile) => {
    let f = keyFns.get(profile.id)
    if (!f) keyFns.set(profile.id, (f = countsUnder(data, profile)))
    return f
  }
  for (const a of data.accounts) {
    const profile = registry.get(a.providerId)
    const o = organizationOf(profile, a)
    let org = byKey.get(o.key)
    if (!org) {
      const across = shared?.(o.key)
      const u = across?.usage
      org = {
        ...o,
        providerName: profile?.name ?? a.providerId,
        cap: u
          ? { max: u.max, used: u.used, active: u.active, uncertain: u.uncertain }
          : capUsage(data, o.key, profile, now, profile?.cap ? keyFnOf(profile) : undefined),
        accountIds: [],
        ...(across
          ? {
              shared: {
                state: across.state,
                here: u?.here ?? null,
                elsewhere: u?.elsewhere ?? null,
                holders: (u?.holders ?? []).map((h) => ({
                  name: h.name,
                  live: h.live,
                  uncertain: h.uncertain,
                  thisMachine: h.machine === u?.self,
                })),
              },
            }
          : {}),
      }
      byKey.set(o.key, org)
    }
    org.accountIds.push(a.id)
  }
  return [...byKey.values()]
}

/** Ends a token: keeps the record for the ledger, drops the secret and its secret metadata. */
export function endToken(
  t: TokenRecord,
  state: 'revoked' | 'forgotten' | 'expired' | 'evicted',
  now: number,
  note: string,
): void {
  t.state = state
  t.secret = null
  if (t.secretMetadata !== undefined) t.secretMetadata = null
  // An expired access token keeps its refresh token (that is what it is for); any other end drops
  // it, but for a token its server refused (refusals.ts confirmRefused puts it back).
  if (t.refresh && state !== 'expired') t.refresh = null
  t.endedAt = now
  t.note = note
}

/**
 * Housekeeping on every write: expired tokens lose their secret (it is useless), and ended
 * tokens beyond the newest 50 per account are dropped so the ledger stays bounded.
 */
export function tidy(data: VaultData, now: number): void {
  for (const t of data.tokens) {
    if (derivedState(t, now) === 'expired' && t.state === 'active') {
      endToken(t, 'expired', t.expiresAt ?? now, 'Expired.')
    }
    if (t.refresh && t.refresh.expiresAt !== null && t.refresh.expiresAt <= now) t.refresh = null
  }
  // Records are appended in time order and never reordered; count ended ones from the newest.
  const endedCount = new Map<string, number>()
  const keep = new Array<boolean>(data.tokens.length)
  for (let i = data.tokens.length - 1; i >= 0; i--) {
    const t = data.tokens[i]!
    if (t.state === 'active' || t.state === 'uncertain') {
      keep[i] = true
      continue
    }
    const n = (endedCount.get(t.accountId) ?? 0) + 1
    endedCount.set(t.accountId, n)
    keep[i] = n <= 50
  }
  data.tokens = data.tokens.filter((_, i) => keep[i])
}
