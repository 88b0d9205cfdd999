// The token service: hands out Authorization headers, reusing a valid token and minting one only
// when needed. Concurrent requests for an account share one login (single flight) within this
// process, and across processes through a per-organization mint lock; a process that waited
// re-reads the ledger before minting. Caps are checked under that same lock.
import { createHash, randomUUID } from 'node:crypto'
import path from 'node:path'
import { fail, ok, type Failure, type Result } from '../../shared/result'
import type { ProviderProfile } from '../../shared/providers/profile'
import type { Surface, TokenView } from '../../shared/views'
import type { MintedToken, ProviderEngine } from '../providers/engine'
import { secretRecordId } from './accounts'
import { KeyedMutex, withFileLock } from './locks'
import {
  capUsage,
  currentToken,
  derivedState,
  endToken,
  orgKeyFor,
  tidy,
  tokenView,
  tokensOf,
} from './ledger'
import type { AccountRecord, TokenRecord, VaultData } from './schema'
import type { Vault } from './vault'
import { capReached, revokeTokens, tokenRecordId, type RevokeReport } from './revocation'

export type { RevokeReport } from './revocation'

/** A header ready to use. Holds the token: it never leaves the main process (clipboard, CLI). */
export interface IssuedHeader {
  accountId: string
  label: string
  tokenId: string
  headerName: string
  /** "<Scheme> <token>" */
  value: string
  token: string
  reused: boolean
  expiresAt: number | null
}

export interface ObtainOptions {
  surface: Surface
  /** Secret field values typed in for this login only (accounts that do not remember them). */
  secrets?: Record<string, string>
  /** Mint a new token even if a valid one exists ("log in again"). */
  force?: boolean
}

/** Owns minting, reuse and revocation of tokens. */
export class TokenService {
  private readonly flights = new Map<string, Promise<Result<IssuedHeader>>>()
  private readonly orgMutex = new KeyedMutex()

  constructor(
    private readonly vault: Vault,
    private readonly engine: ProviderEngine,
    private readonly opts: { mintLockWaitMs?: number } = {},
  ) {}

  /** "Authorization: <Scheme> <token>" for an account: reuses a valid token or mints one. */
  async header(accountId: string, o: ObtainOptions): Promise<Result<IssuedHeader>> {
    this.vault.touch()
    if (!o.force) {
      const fast = this.tryReuse(accountId, o.surface)
      if (fast) return fast
      const pending = this.flights.get(accountId)
      if (pending) return pending
    }
    const flight = this.obtain(accountId, o)
    if (o.force) return flight
    this.flights.set(accountId, flight)
    try {
      return await flight
    } finally {
      if (this.flights.get(accountId) === flight) this.flights.delete(accountId)
    }
  }

  /** Ensures the account has a valid token (minting if needed); never returns the token. */
  async login(
    accountId: string,
    o: ObtainOptions,
  ): Promise<Result<{ token: TokenView; reused: boolean }>> {
    const h = await this.header(accountId, o)
    if (!h.ok) return h
    const d = this.vault.readUnlocked()
    if (!d.ok) return d
    const t = d.value.tokens.find((x) => x.id === h.value.tokenId)
    if (!t) return fail('INTERNAL', 'The token just issued is missing from the ledger.')
    return ok({ token: tokenView(t, this.vault.clock.now()), reused: h.value.reused })
  }

  /** Reuse without locks when a usable token exists; undefined means "take the slow path". */
  private tryReuse(accountId: string, surface: Surface): Result<IssuedHeader> | undefined {
    const d = this.vault.readUnlocked()
    if (!d.ok) return d
    const acc = d.value.accounts.find((a) => a.id === accountId)
    if (!acc) return fail('NOT_FOUND', 'No such account.')
    const t = currentToken(d.value, acc.id, this.vault.clock.now(), skewOf(d.value))
    return t ? this.reuse(acc, t, surface) : undefined
  }

  private reuse(acc: AccountRecord, t: TokenRecord, surface: Surface): Result<IssuedHeader> {
    const token = this.vault.openSecret(tokenRecordId(t.id), t.secret!)
    if (!token.ok) return token
    this.vault.log({
      type: 'reuse',
      accountId: acc.id,
      label: acc.label,
      tokenId: t.id,
      surface,
      message: `Reused the token of "${acc.label}".`,
    })
    return ok(issued(acc, t, token.value, true))
  }

  /** Runs `task` holding the organization's mint lock, in this process and across processes. */
  private async orgLocked<T>(orgKey: string, task: () => Promise<Result<T>>): Promise<Result<T>> {
    const digest = createHash('sha256').update(orgKey).digest('hex').slice(0, 24)
    const lockPath = path.join(this.vault.file.dir, `.mint-${digest}.lock`)
    return this.orgMutex.run(orgKey, async () => {
      const r = await withFileLock(lockPath, { waitMs: this.opts.mintLockWaitMs ?? 60_000 }, task)
      return r.ok ? r.value : r
    })
  }

  private context(
    accountId: string,
  ): Result<{ data: VaultData; acc: AccountRecord; profile: ProviderProfile; orgKey: string }> {
    const d = this.vault.readUnlocked()
    if (!d.ok) return d
    const acc = d.value.accounts.find((a) => a.id === accountId)
    if (!acc) return fail('NOT_FOUND', 'No such account.')
    const profile = this.vault.registry.get(acc.providerId)
    if (!profile) return fail('NOT_FOUND', `Provider "${acc.providerId}" is not installed.`)
    return ok({ data: d.value, acc, profile, orgKey: orgKeyFor(profile, acc) })
  }

  private async obtain(accountId: string, o: ObtainOptions): Promise<Result<IssuedHeader>> {
    const first = this.context(accountId)
    if (!first.ok) return first
    return this.orgLocked(first.value.orgKey, async () => {
      // Re-read under the lock: another process may have minted while we waited.
      const c = this.context(accountId)
      if (!c.ok) return c
      const { data, acc, profile, orgKey } = c.value
      const now = this.vault.clock.now()
      const old = currentToken(data, acc.id, now, skewOf(data))
      if (old && !o.force) return this.reuse(acc, old, o.surface)

      const secrets = this.secretsFor(acc, profile, o.secrets)
      if (!secrets.ok) return secrets
      const replace = old !== undefined && (data.settings.revokeOnReplace ?? Boolean(profile.cap))
      const usage = capUsage(data, orgKey, profile, now)
      let replacedFirst = false
      if (usage && usage.used >= usage.max) {
        // At the cap, "log in again" may free the slot of the token it replaces, first.
        if (!(o.force && replace && profile.revoke && old))
          return capReached(data, orgKey, usage, now)
        const r = await revokeTokens(this.vault, this.engine, acc, profile, [old], o.surface)
        if (r.revoked.length === 0) {
          const f = r.failures[0]
          return fail(
            'TOKEN_CAP_REACHED',
            `The cap is reached and the old token could not be revoked: ${f?.message ?? ''}`,
          )
        }
        replacedFirst = true
      }

      const minted = await this.engine.login({
        profile,
        baseUrl: acc.baseUrl,
        fields: { ...acc.fields, ...secrets.value },
      })
      if (!minted.ok) return this.recordFailure(acc, orgKey, minted, o.surface)

      const saved = await this.record(acc, orgKey, profile, minted.value, o.surface)
      if (!saved.ok) return saved
      const record = saved.value
      const tokenId = record.id
      this.vault.log({
        type: 'mint',
        accountId: acc.id,
        label: acc.label,
        tokenId,
        surface: o.surface,
        message: o.force
          ? `Logged in again as "${acc.label}": new token minted.`
          : old === undefined && tokensOf(data, acc.id).length > 0
            ? `Minted a new token for "${acc.label}": the previous one expired or was revoked.`
            : `Minted a token for "${acc.label}".`,
      })
      if (old && o.force && replace && !replacedFirst && profile.revoke) {
        await revokeTokens(this.vault, this.engine, acc, profile, [old], o.surface)
      }
      this.vault.emit()
      return ok(issued(acc, record, minted.value.token, false))
    })
  }

  /** Stores a freshly minted token in the ledger (encrypted). Caller holds the org lock. */
  private async record(
    acc: AccountRecord,
    orgKey: string,
    profile: ProviderProfile,
    minted: MintedToken,
    surface: Surface,
  ): Promise<Result<TokenRecord>> {
    const tokenId = randomUUID()
    const sealed = this.vault.sealSecret(tokenRecordId(tokenId), minted.token)
    if (!sealed.ok) return sealed
    const record: TokenRecord = {
      id: tokenId,
      accountId: acc.id,
      providerId: profile.id,
      orgKey,
      state: 'active',
      issuedAt: minted.issuedAt,
      expiresAt: minted.expiresAt,
      headerName: minted.headerName,
      scheme: minted.scheme,
      metadata: minted.metadata,
      surface,
      secret: sealed.value,
      endedAt: null,
      note: null,
    }
    const now = this.vault.clock.now()
    const saved = await this.vault.file.update((draft) => {
      draft.tokens.push(record)
      tidy(draft, now)
      return ok(undefined)
    })
    return saved.ok ? ok(record) : saved
  }

  /**
   * Records a token minted outside a login (a signup that returns one) so it is reused and
   * counted toward the cap like any other.
   */
  async adopt(
    accountId: string,
    minted: MintedToken,
    surface: Surface,
  ): Promise<Result<TokenView>> {
    const first = this.context(accountId)
    if (!first.ok) return first
    return this.orgLocked(first.value.orgKey, async () => {
      const c = this.context(accountId)
      if (!c.ok) return c
      const r = await this.record(c.value.acc, c.value.orgKey, c.value.profile, minted, surface)
      if (!r.ok) return r
      this.vault.log({
        type: 'mint',
        accountId,
        label: c.value.acc.label,
        tokenId: r.value.id,
        surface,
        message: `Signed up as "${c.value.acc.label}"; the signup returned a token.`,
      })
      this.vault.emit()
      return ok(tokenView(r.value, this.vault.clock.now()))
    })
  }

  private secretsFor(
    acc: AccountRecord,
    profile: ProviderProfile,
    given: Record<string, string> | undefined,
  ): Result<Record<string, string>> {
    const out: Record<string, string> = {}
    for (const f of profile.fields.filter((x) => x.role === 'secret')) {
      const typed = given?.[f.name]
      if (typeof typed === 'string' && typed !== '') {
        out[f.name] = typed
        continue
      }
      const stored = acc.secrets[f.name]
      if (stored) {
        const s = this.vault.openSecret(secretRecordId(acc.id, f.name), stored)
        if (!s.ok) return s
        out[f.name] = s.value
      } else if (f.required) {
        return fail(
          'NO_SECRET',
          `"${acc.label}" has no valid token and does not remember its ${f.label.toLowerCase()}: log in with it to get a new token.`,
          { details: { field: f.name } },
        )
      }
    }
    return ok(out)
  }

  /** A login that may have minted (timeout after sending, garbled success) is counted as uncertain. */
  private async recordFailure(
    acc: AccountRecord,
    orgKey: string,
    failure: Failure,
    surface: Surface,
  ): Promise<Failure> {
    const mayHaveMinted =
      failure.code === 'OUTCOME_UNKNOWN' || failure.details?.mayHaveMinted === true
    const now = this.vault.clock.now()
    let tokenId: string | undefined
    if (mayHaveMinted) {
      tokenId = randomUUID()
      const id = tokenId
      await this.vault.file.update((draft) => {
        draft.tokens.push({
          id,
          accountId: acc.id,
          providerId: acc.providerId,
          orgKey,
          state: 'uncertain',
          issuedAt: now,
          expiresAt: null,
          headerName: '',
          scheme: '',
          metadata: {},
          surface,
          secret: null,
          endedAt: null,
          note: `The login's answer was lost (${failure.code}); the server may have created a token. It counts toward the cap until dismissed.`,
        })
        return ok(undefined)
      })
      this.vault.emit()
    }
    this.vault.log({
      type: 'failure',
      accountId: acc.id,
      label: acc.label,
      surface,
      code: failure.code,
      ...(tokenId ? { tokenId } : {}),
      message: `Login for "${acc.label}" failed: ${failure.message}${mayHaveMinted ? ' (counted as an uncertain token)' : ''}`,
    })
    return failure
  }

  /**
   * Revokes an account's current token, one token by id, or all of its live tokens. Providers
   * without a revoke endpoint forget the token locally and say it stays valid on the server.
   */
  async revoke(
    accountId: string,
    o: { surface: Surface; tokenId?: string; all?: boolean },
  ): Promise<Result<RevokeReport>> {
    this.vault.touch()
    const first = this.context(accountId)
    if (!first.ok) return first
    return this.orgLocked(first.value.orgKey, async () => {
      const c = this.context(accountId)
      if (!c.ok) return c
      const { data, acc, profile } = c.value
      const now = this.vault.clock.now()
      const live = tokensOf(data, acc.id).filter(
        (t) => derivedState(t, now) === 'active' && t.secret,
      )
      const targets = o.tokenId
        ? live.filter((t) => t.id === o.tokenId)
        : o.all
          ? live
          : live.slice(0, 1)
      if (targets.length === 0) {
        return fail(
          'NOT_FOUND',
          o.tokenId ? 'That token is not live.' : `"${acc.label}" has no live token to revoke.`,
        )
      }
      const report = await revokeTokens(this.vault, this.engine, acc, profile, targets, o.surface)
      if (report.revoked.length === 0 && report.forgotten.length === 0 && report.failures[0]) {
        const f = report.failures[0]
        return fail(f.code as Failure['code'], f.message)
      }
      return ok(report)
    })
  }

  /** The user has checked the server: an uncertain token no longer counts toward the cap. */
  async dismissUncertain(tokenId: string, surface: Surface = 'ui'): Promise<Result<TokenView>> {
    const d = this.vault.readUnlocked()
    if (!d.ok) return d
    const now = this.vault.clock.now()
    let label: string | undefined
    const r = await this.vault.file.update((draft) => {
      const t = draft.tokens.find((x) => x.id === tokenId)
      if (!t || t.state !== 'uncertain') return fail('NOT_FOUND', 'No such uncertain token.')
      label = draft.accounts.find((a) => a.id === t.accountId)?.label
      endToken(
        t,
        'forgotten',
        now,
        'Dismissed: the user checked that no token is left on the server.',
      )
      return ok(tokenView(t, now))
    })
    if (r.ok) {
      this.vault.log({
        type: 'forget',
        accountId: r.value.accountId,
        ...(label ? { label } : {}),
        tokenId,
        surface,
        message: `Dismissed an uncertain token${label ? ` of "${label}"` : ''}: the user checked the server.`,
      })
      this.vault.emit()
    }
    return r
  }
}

function skewOf(d: VaultData): number {
  return d.settings.expirySkewSeconds * 1000
}

function issued(acc: AccountRecord, t: TokenRecord, token: string, reused: boolean): IssuedHeader {
  return {
    accountId: acc.id,
    label: acc.label,
    tokenId: t.id,
    headerName: t.headerName,
    value: `${t.scheme} ${token}`,
    token,
    reused,
    expiresAt: t.expiresAt,
  }
}
