// The token service: hands out Authorization headers, reusing a valid token and minting one only
// when needed. Concurrent requests for an account share one login (single flight) within this
// process, and across processes through a per-organization mint lock; a process that waited
// re-reads the ledger before minting. Caps are checked under that same lock. Each login is written
// to the ledger as a pending (uncertain) token before its request leaves (see mint); logins and
// revokes run as the vault's in-flight work (Vault.track), so locking waits for their answers.
import { createHash, randomUUID } from 'node:crypto'
import path from 'node:path'
import { fail, ok, type Failure, type Result } from '../../../shared/result'
import { ownValue } from '../../../shared/json-path'
import {
  isOneTimeField,
  secretFields,
  type ProfileField,
  type ProviderProfile,
} from '../../../shared/providers/profile'
import { LoginPrompts } from '../../providers/login-prompts'
import { needsPerson } from '../../../shared/providers/oauth-login'
import type { Surface, TokenView } from '../../../shared/views'
import type { MintedToken, ProviderEngine } from '../../providers/engine'
import { planMint } from './mint-plan'
import { refreshAccount } from './refresh'
import { evictionNeedsConfirmation, evictionVictim, markEvicted } from './evict'
import { recordFailedLogin, recordMinted, recordPendingMint } from './token-records'
import { loginLimitsFor } from './login-limits'
import { KeyedMutex, withFileLock } from '../storage/locks'
import {
  capUsage,
  isSuspect,
  isUsable,
  replacementAllowed,
  derivedState,
  endToken,
  organizationOf,
  type Organization,
  tokenView,
  tokensOf,
} from './ledger'
import type { AccountRecord, TokenRecord, VaultData } from '../storage/schema'
import { registryFor } from '../../providers/registry'
import type { Ledger } from './ledger-handle'
import { capReached, revokeTokens, type RevokeReport } from './revocation'
import { accountSecretId, tokenSecretId } from '../storage/bindings'
import { sharedCapOf, reserveSlot, type SharedCap } from './shared/shared-cap'

export type { RevokeReport } from './revocation'
export { mayHaveMinted } from './token-records'

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
  /** Set when the new token works but something around it did not (the old one stayed live). */
  warning?: string
  /** The token the server ended because this one went past an evict-oldest cap. */
  evicted?: { label: string; tokenId: string }
  /**
   * Its server refused it once and no replacement may be minted yet (refusalMintIntervalSeconds,
   * or the cap): it is handed out as it is, and a client that sees it refused again is told so.
   */
  suspect?: true
}

export interface ObtainOptions {
  surface: Surface
  /** Secret field values typed in for this login only (accounts that do not remember them). */
  secrets?: Record<string, string>
  /** Mint a new token even if a valid one exists ("log in again"). */
  force?: boolean
  /**
   * With `force`: a new token before the current one expires (keep-ready renewal), refreshed
   * when the account holds a live refresh token, else logged in.
   */
  renew?: boolean
  /**
   * At an evict-oldest cap, the caller confirmed that the server may end the organization's
   * oldest token (else EVICTION_NEEDS_CONFIRMATION, naming it, and nothing is sent).
   */
  confirmEviction?: boolean
}

/** What a login did: the token (never the secret), and any warning or eviction around it. */
export interface LoginOutcome {
  token: TokenView
  reused: boolean
  warning?: string
  evicted?: { label: string; tokenId: string }
}

/** Owns minting, reuse and revocation of tokens. */
export class TokenService {
  private readonly flights = new Map<string, Promise<Result<IssuedHeader>>>()
  private readonly orgMutex = new KeyedMutex()

  constructor(
    readonly ledger: Ledger,
    private readonly engine: ProviderEngine,
    private readonly opts: { mintLockWaitMs?: number } = {},
    /** Where a login that waits for a person (OAuth) shows its step, and is cancelled. */
    readonly prompts: LoginPrompts = new LoginPrompts(),
  ) {
    // What other machines ask of this one through the shared ledger, carried out here.
    ledger.shared.requests = {
      evicted: (tokenId, by) => markEvicted(this.ledger, tokenId, { label: by, surface: 'ledger' }),
      revoke: (accountId, tokenId) => this.revoke(accountId, { surface: 'ledger', tokenId }),
    }
  }

  /** "Authorization: <Scheme> <token>" for an account: reuses a valid token or mints one. */
  async header(accountId: string, o: ObtainOptions): Promise<Result<IssuedHeader>> {
    this.ledger.storage.touch()
    if (!o.force) {
      const fast = this.tryReuse(accountId, o.surface)
      if (fast) return fast
      const pending = this.flights.get(accountId)
      if (pending) return pending
    }
    // In-flight work of the vault: a lock waits for it (see mint).
    const flight = this.ledger.storage.track(() => this.obtain(accountId, o))
    if (o.force) return flight
    this.flights.set(accountId, flight)
    try {
      return await flight
    } finally {
      if (this.flights.get(accountId) === flight) this.flights.delete(accountId)
    }
  }

  /** Ensures the account has a valid token (minting if needed); never returns the token. */
  async login(accountId: string, o: ObtainOptions): Promise<Result<LoginOutcome>> {
    // Tracked as a whole, so a lock that waits for the login also lets it read back its view.
    return this.ledger.storage.track(() => this.loginTracked(accountId, o))
  }

  private async loginTracked(accountId: string, o: ObtainOptions): Promise<Result<LoginOutcome>> {
    const h = await this.header(accountId, o)
    if (!h.ok) return h
    const d = this.ledger.read()
    if (!d.ok) return d
    const t = d.value.tokens.find((x) => x.id === h.value.tokenId)
    if (!t) return fail('INTERNAL', 'The token just issued is missing from the ledger.')
    const token = tokenView(t, this.ledger.storage.clock.now())
    const { reused, warning, evicted } = h.value
    return ok({ token, reused, ...(warning ? { warning } : {}), ...(evicted ? { evicted } : {}) })
  }

  /** Reuse without locks when a usable token exists; undefined means "take the slow path". */
  private tryReuse(accountId: string, surface: Surface): Result<IssuedHeader> | undefined {
    const d = this.ledger.read()
    if (!d.ok) return d
    const acc = d.value.accounts.find((a) => a.id === accountId)
    if (!acc) return fail('NOT_FOUND', 'No such account.')
    const t = this.current(d.value, acc.id, this.ledger.storage.clock.now())
    return t ? this.reuse(acc, t, surface) : undefined
  }

  private reuse(
    acc: AccountRecord,
    t: TokenRecord,
    surface: Surface,
    suspect = false,
  ): Result<IssuedHeader> {
    // Read back from the file: a hand-edited header name could inject a line into `header`.
    if (!HTTP_TOKEN.test(t.headerName) || !(t.scheme === '' || HTTP_TOKEN.test(t.scheme))) {
      return fail(
        'VAULT_TAMPERED',
        `The header stored for "${acc.label}" is not a valid header name or scheme: the vault file was changed outside TokenDeck. Nothing was sent.`,
      )
    }
    const token = this.ledger.storage.openSecret(tokenSecretId(t.id), acc, t.secret!)
    if (!token.ok) return token
    this.ledger.storage.log({
      type: 'reuse',
      accountId: acc.id,
      label: acc.label,
      tokenId: t.id,
      surface,
      message: suspect
        ? `Reused the suspect token of "${acc.label}": its server refused it once, and no replacement may be minted yet.`
        : `Reused the token of "${acc.label}".`,
    })
    const h = issued(acc, t, token.value, true)
    return ok(suspect ? { ...h, suspect: true } : h)
  }

  /** The account's live token its server refused once (newest first), if it has no current one. */
  private suspect(data: VaultData, accountId: string, now: number): TokenRecord | undefined {
    return tokensOf(data, accountId).find((t) => isSuspect(t, now) && !this.ledger.ends.has(t.id))
  }

  /** The token to hand out, leaving out any the server ended that the file does not say yet. */
  private current(data: VaultData, accountId: string, now: number): TokenRecord | undefined {
    const skew = skewOf(data)
    return tokensOf(data, accountId).find(
      (t) => isUsable(t, now, skew) && !this.ledger.ends.has(t.id),
    )
  }

  /** Runs `task` holding the organization's mint lock, in this process and across processes. */
  private async orgLocked<T>(orgKey: string, task: () => Promise<Result<T>>): Promise<Result<T>> {
    const digest = createHash('sha256').update(orgKey).digest('hex').slice(0, 24)
    const lockPath = path.join(this.ledger.storage.dir, `.mint-${digest}.lock`)
    return this.orgMutex.run(orgKey, async () => {
      const r = await withFileLock(lockPath, { waitMs: this.opts.mintLockWaitMs ?? 60_000 }, task)
      return r.ok ? r.value : r
    })
  }

  private context(
    accountId: string,
  ): Result<{ data: VaultData; acc: AccountRecord; profile: ProviderProfile; org: Organization }> {
    const d = this.ledger.read()
    if (!d.ok) return d
    const acc = d.value.accounts.find((a) => a.id === accountId)
    if (!acc) return fail('NOT_FOUND', 'No such account.')
    const registry = registryFor(d.value.customProfiles)
    const profile = registry.get(acc.providerId)
    if (!profile) return registry.missing(acc.providerId)
    return ok({ data: d.value, acc, profile, org: organizationOf(profile, acc) })
  }

  private async obtain(accountId: string, o: ObtainOptions): Promise<Result<IssuedHeader>> {
    const first = this.context(accountId)
    if (!first.ok) return first
    return this.orgLocked(first.value.org.key, async () => {
      // Re-read under the lock: another process may have minted while we waited.
      const c = this.context(accountId)
      if (!c.ok) return c
      const { acc, profile, org } = c.value
      let data = c.value.data
      const orgKey = org.key
      const now = this.ledger.storage.clock.now()
      const current = this.current(data, acc.id, now)
      // A token its server refused once (refusals.ts): replaced at most once per interval, else
      // handed out as it is; "log in again" replaces it like any current token.
      const suspect = current ? undefined : this.suspect(data, acc.id, now)
      const old = current ?? (o.force ? suspect : undefined)
      const replaces = suspect && !o.force ? suspect : undefined
      const asItIs = () => this.reuse(acc, replaces!, o.surface, true)
      // A shared organization counts its cap across machines (the shared ledger), read before
      // anything is sent: a ledger that cannot be read fails closed here, before a refresh, a
      // revoke or a login, and only a valid local token (a suspect one as it is) is handed out.
      let sharedCap = current && !o.force ? undefined : await this.sharedCap(data, orgKey)
      if (sharedCap && !sharedCap.ok) return replaces ? asItIs() : sharedCap
      if (replaces) {
        const interval = data.settings.refusalMintIntervalSeconds * 1000
        if (!replacementAllowed(data, acc.id, now, interval)) return asItIs()
      }
      if ((!old && !o.force) || o.renew) {
        // Expired, within the renewal margin, refused, or renewed ahead of expiry, with a live
        // refresh token: refresh, no login.
        const r = await refreshAccount(this.ledger, this.engine, {
          ...c.value,
          orgKey,
          surface: o.surface,
          ...(replaces ? { replaces: replaces.id } : {}),
        })
        if (r.kind === 'done') {
          return r.result.ok
            ? ok(issued(acc, r.result.value.record, r.result.value.token, false))
            : r.result
        }
      }
      if (o.surface === 'renewal' && needsPerson(profile.login)) {
        // A browser sign-in needs the person: renewal, which runs on its own, never starts one
        // (a browser page opening out of nowhere). A refresh above is as far as it goes.
        return fail(
          'UNSUPPORTED',
          `"${acc.label}" signs in through a browser, so TokenDeck cannot renew its token unattended: log in before it expires.`,
        )
      }
      if (replaces) {
        // No login may happen now (a cooldown, a used-up login rate limit, a secret not
        // remembered): the suspect token is handed out as it is, it may well still work.
        if (loginLimitsFor(acc, profile).check(data, now)) return asItIs()
        const secrets = this.secretsFor(acc, profile, o.secrets)
        if (!secrets.ok) return secrets.code === 'NO_SECRET' ? asItIs() : secrets
        if (profile.revoke) {
          // Revoked on the server before its replacement is minted: a refusal that was about
          // something else (a permission) leaves no token behind, and one the server had ended
          // already is confirmed by the revoke's answer. Not revoked (the network): it stays
          // suspect and keeps counting toward the cap below.
          const r = await revokeTokens(
            this.ledger,
            this.engine,
            acc,
            profile,
            [replaces],
            o.surface,
          )
          if (!r.ok) return r
          const after = this.context(accountId)
          if (!after.ok) return after
          data = after.value.data
          // The revoke freed its slot in the shared ledger too: count again.
          sharedCap = await this.sharedCap(data, orgKey)
          if (sharedCap && !sharedCap.ok) return sharedCap
        }
      }
      const usage = sharedCap?.ok
        ? sharedCap.value.usage
        : capUsage(data, orgKey, profile, this.ledger.storage.clock.now())
      const plan = planMint({
        hasCurrent: old !== undefined,
        force: o.force === true,
        revokeOnReplace: data.settings.revokeOnReplace ?? Boolean(profile.cap),
        canRevoke: profile.revoke !== undefined,
        cap: usage,
        onExceed: profile.cap?.onExceed ?? 'refuse',
        confirmEviction: o.confirmEviction === true,
      })
      if (plan.kind === 'reuse') return this.reuse(acc, old!, o.surface)
      if (plan.kind === 'refuse') {
        // At the cap with a suspect token still live (no revoke endpoint, or it failed): it is
        // all there is, so it is handed out rather than nothing.
        if (replaces && this.suspect(data, acc.id, this.ledger.storage.clock.now())) return asItIs()
        return capReached(
          data,
          org,
          profile,
          usage!,
          now,
          sharedCap?.ok ? sharedCap.value : undefined,
        )
      }
      // A login cooldown or used-up login rate limit refuses before anything is revoked or sent.
      const limited = loginLimitsFor(acc, profile).check(data, now)
      if (limited) return limited
      // Evict-oldest cap: name the token the server will end, before anything is sent.
      const victim =
        (plan.kind === 'confirm-evict' || plan.kind === 'evict') && !sharedCap
          ? evictionVictim(data, org, profile, now)
          : undefined
      if (plan.kind === 'confirm-evict') {
        return evictionNeedsConfirmation(data, acc.label, victim, usage!, now)
      }

      const secrets = this.secretsFor(acc, profile, o.secrets)
      if (!secrets.ok) return secrets
      if (plan.kind === 'revoke-first') {
        // At the cap, "log in again" frees the slot of the token it replaces, first.
        const r = await revokeTokens(this.ledger, this.engine, acc, profile, [old!], o.surface)
        if (!r.ok) return r
        if (r.value.revoked.length === 0) {
          const f = r.value.failures[0]
          return fail(
            'TOKEN_CAP_REACHED',
            `The cap is reached and the old token could not be revoked: ${f?.message ?? ''}`,
          )
        }
      }

      const message =
        o.surface === 'renewal'
          ? `Renewed the token of "${acc.label}" before it expires (keep a valid token ready).`
          : o.force
            ? `Logged in again as "${acc.label}": new token minted.`
            : tokensOf(data, acc.id).length > 0
              ? `Minted a new token for "${acc.label}": the previous one expired or was revoked.`
              : `Minted a token for "${acc.label}".`
      const fields = { ...acc.fields, ...secrets.value }
      const saved = await this.mint({
        acc,
        orgKey,
        profile,
        fields,
        surface: o.surface,
        message: replaces
          ? `Minted a new token for "${acc.label}": its server refused the previous one.`
          : message,
        ...(replaces ? { replaces: replaces.id } : {}),
        ...(sharedCap?.ok ? { shared: { ...sharedCap.value, evict: plan.kind === 'evict' } } : {}),
      })
      if (!saved.ok) return saved
      const header = issued(acc, saved.value.record, saved.value.token, false)
      const evictedId = victim?.id ?? saved.value.evictedHere
      if (plan.kind === 'evict' && evictedId) {
        const by = { label: acc.label, surface: o.surface }
        const marked = await markEvicted(this.ledger, evictedId, by)
        if (!marked.ok) {
          const warning = `The new token works, but the evicted token of the oldest account could not be marked: ${marked.message}`
          return ok({ ...header, warning })
        }
        if (marked.value) return ok({ ...header, evicted: marked.value })
      }
      if (plan.kind !== 'revoke-after') return ok(header)
      const r = await revokeTokens(this.ledger, this.engine, acc, profile, [old!], o.surface)
      const warning = !r.ok
        ? r.message
        : r.value.failures.length > 0
          ? `The new token works, but the one it replaces is still live: ${r.value.message}`
          : undefined
      return ok(warning ? { ...header, warning } : header)
    })
  }

  /** The shared cap of a shared organization, read now; undefined for a local one. */
  private async sharedCap(data: VaultData, orgKey: string): Promise<Result<SharedCap> | undefined> {
    return sharedCapOf(this.ledger.shared, data, orgKey, this.ledger.storage.clock.now())
  }

  /**
   * One login, recorded around its request (the caller holds the organization's lock): a pending
   * record (uncertain, counted toward the cap) is written before the request leaves, and nothing
   * is sent if that write fails. The answer turns that record into the token, drops it (a clean
   * refusal), or leaves it uncertain with the reason; if the process dies, it stays uncertain.
   * The whole slow path (header) runs as the vault's in-flight work: lockWhenIdle waits for the
   * answer to be recorded, and no login starts once a lock is waiting. The login limits
   * (login-limits.ts) are checked and counted in that same pending write; a 429 answer starts
   * the endpoint's cooldown.
   */
  private async mint(c: {
    acc: AccountRecord
    orgKey: string
    profile: ProviderProfile
    fields: Record<string, string>
    surface: Surface
    message: string
    /** The suspect token this login replaces. */
    replaces?: string
    /** A shared organization: a slot is reserved in the shared ledger before anything else. */
    shared?: SharedCap & { evict: boolean }
  }): Promise<Result<{ record: TokenRecord; token: string; evictedHere?: string }>> {
    const { acc, orgKey, profile, surface } = c
    const limits = loginLimitsFor(acc, profile)
    const tokenId = randomUUID()
    const slot = c.shared
      ? await reserveSlot(this.ledger, c.shared, orgKey, tokenId, c.shared.evict)
      : undefined
    if (slot && !slot.ok) return slot
    const pending = await recordPendingMint(this.ledger, {
      acc,
      orgKey,
      surface,
      tokenId,
      admit: limits.admit,
    })
    if (!pending.ok) {
      // Nothing was sent: the reservation is given back (else it counts until the next sync).
      const released = c.shared ? await c.shared.release(tokenId) : ok(undefined)
      if (!released.ok) this.ledger.shared.resync()
      return pending
    }
    const pendingId = pending.value
    // An OAuth login shows its browser step to whoever listens, and may be cancelled there.
    const step = needsPerson(profile.login)
      ? this.prompts.begin({ accountId: acc.id, label: acc.label, provider: profile.name })
      : undefined
    const minted = await this.engine.login({
      profile,
      baseUrl: acc.baseUrl,
      fields: c.fields,
      ...(step ? { interaction: step.interaction } : {}),
    })
    step?.end(minted.ok ? 'done' : 'failed')
    if (!minted.ok) {
      const failed = await recordFailedLogin(this.ledger, acc, orgKey, minted, surface, pendingId)
      return limits.afterFailure(this.ledger, failed)
    }
    const saved = await recordMinted(this.ledger, {
      acc,
      orgKey,
      profile,
      minted: minted.value,
      surface,
      message: c.message,
      pendingId,
      ...(c.replaces ? { replaces: c.replaces } : {}),
    })
    if (!saved.ok) return saved
    const evictedHere = slot?.ok ? slot.value : undefined
    return ok({
      record: saved.value,
      token: minted.value.token,
      ...(evictedHere ? { evictedHere } : {}),
    })
  }

  /**
   * Records a token minted outside a login (a signup that returns one) so it is reused and
   * counted toward the cap like any other. A signup has no pending record: there is no account
   * to hang it on until the server has created one. A signup cut off after its request left
   * (the process killed, the vault locked at once) can leave a server account, and the token it
   * returned, that the vault does not know about; adding that account later starts with no token.
   */
  async adopt(
    accountId: string,
    minted: MintedToken,
    surface: Surface,
  ): Promise<Result<TokenView>> {
    const first = this.context(accountId)
    if (!first.ok) return first
    return this.orgLocked(first.value.org.key, async () => {
      const c = this.context(accountId)
      if (!c.ok) return c
      const { acc, org, profile } = c.value
      const orgKey = org.key
      const message = `Signed up as "${acc.label}"; the signup returned a token.`
      const r = await recordMinted(this.ledger, { acc, orgKey, profile, minted, surface, message })
      return r.ok ? ok(tokenView(r.value, this.ledger.storage.clock.now())) : r
    })
  }

  private secretsFor(
    acc: AccountRecord,
    profile: ProviderProfile,
    given: Record<string, string> | undefined,
  ): Result<Record<string, string>> {
    const out: Record<string, string> = {}
    const missing: ProfileField[] = []
    for (const f of secretFields(profile)) {
      const typed = given ? ownValue(given, f.name) : undefined
      if (typeof typed === 'string' && typed !== '') {
        out[f.name] = typed
        continue
      }
      // A one-time code is never stored: it is typed for each login, or the login waits for it.
      const stored = isOneTimeField(f) ? undefined : ownValue(acc.secrets, f.name)
      if (stored) {
        const s = this.ledger.storage.openSecret(accountSecretId(acc.id, f.name), acc, stored)
        if (!s.ok) return s
        out[f.name] = s.value
      } else if (f.required) missing.push(f)
    }
    if (missing.length === 0) return ok(out)
    const first = missing[0]!
    const onlyCodes = missing.every(isOneTimeField)
    return fail(
      'NO_SECRET',
      onlyCodes
        ? `"${acc.label}" has no valid token, and a new one needs the current ${first.label.toLowerCase()}: type it to log in.`
        : `"${acc.label}" has no valid token and does not remember its ${first.label.toLowerCase()}: log in with it to get a new token.`,
      // `fields`: every secret the login still needs, for the prompts that ask for them.
      { details: { field: first.name, fields: missing.map((f) => f.name), oneTime: onlyCodes } },
    )
  }

  /**
   * Revokes an account's current token, one token by id, or all of its live tokens. Providers
   * without a revoke endpoint forget the token locally and say it stays valid on the server.
   */
  async revoke(
    accountId: string,
    o: { surface: Surface; tokenId?: string; all?: boolean },
  ): Promise<Result<RevokeReport>> {
    this.ledger.storage.touch()
    // In-flight work too: a lock waits for the server's answers to be recorded.
    return this.ledger.storage.track(() => this.revokeTracked(accountId, o))
  }

  private async revokeTracked(
    accountId: string,
    o: { surface: Surface; tokenId?: string; all?: boolean },
  ): Promise<Result<RevokeReport>> {
    const first = this.context(accountId)
    if (!first.ok) return first
    return this.orgLocked(first.value.org.key, async () => {
      const c = this.context(accountId)
      if (!c.ok) return c
      const { data, acc, profile } = c.value
      const now = this.ledger.storage.clock.now()
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
      const report = await revokeTokens(this.ledger, this.engine, acc, profile, targets, o.surface)
      if (!report.ok) return report
      const { revoked, forgotten, failures } = report.value
      if (revoked.length === 0 && forgotten.length === 0 && failures[0]) {
        return fail(failures[0].code as Failure['code'], failures[0].message)
      }
      return report
    })
  }

  /** The user has checked the server: an uncertain token no longer counts toward the cap. */
  async dismissUncertain(tokenId: string, surface: Surface): Promise<Result<TokenView>> {
    return this.ledger
      .update(
        (draft, now) => {
          const t = draft.tokens.find((x) => x.id === tokenId)
          if (!t || t.state !== 'uncertain') return fail('NOT_FOUND', 'No such uncertain token.')
          const label = draft.accounts.find((a) => a.id === t.accountId)?.label
          endToken(
            t,
            'forgotten',
            now,
            'Dismissed: the user checked that no token is left on the server.',
          )
          return ok({ view: tokenView(t, now), label })
        },
        ({ view, label }) => ({
          type: 'forget',
          accountId: view.accountId,
          ...(label ? { label } : {}),
          tokenId,
          surface,
          message: `Dismissed an uncertain token${label ? ` of "${label}"` : ''}: the user checked the server.`,
        }),
      )
      .then((r) => (r.ok ? ok(r.value.view) : r))
  }
}

/** An HTTP token (RFC 9110): what a header name and an auth scheme may consist of. */
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/

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
