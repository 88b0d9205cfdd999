// Token actions: the header (reuse or mint), copying it, logging in again, revoking (the current
// token, all, one organization's oldest or all of it) and dismissing uncertain tokens. The window,
// the tray and the CLI all call these; only these reach the token service.
import { fail, ok, type Result } from '../../shared/result'
import { canRevoke } from '../../shared/providers/profile'
import { isLive } from '../../shared/state'
import type { CopyResult } from '../../shared/ipc/schemas'
import type { Surface, TokenView } from '../../shared/views'
import { plural } from '../../shared/words'
import type { IssuedHeader, RevokeReport } from '../vault'
import type { LoginOutcome } from '../vault/ledger/token-service'
import { confirmAccepted, confirmRefused, markSuspect } from '../vault/ledger/refusals'
import { probeAccount } from '../vault/ledger/token-health'
import type { CheckReport } from '../../shared/health'
import type { ActionDeps } from './context'

/** What `reject` did with a refused token (refusals.ts). */
export interface RejectReport {
  label: string
  tokenId: string
  /**
   * suspect: kept, counted, replaced at the next request (at most once per interval); rejected:
   * the probe confirmed the refusal, the token ended; accepted: the probe accepts it, kept.
   */
  outcome: 'suspect' | 'rejected' | 'accepted'
  message: string
}

/** Secret field values typed in for one login (accounts that do not remember them). */
export type TypedSecrets = Record<string, string> | undefined

/**
 * `confirmEviction`: at an evict-oldest cap, the person agreed that the server may end the
 * organization's oldest token (without it: EVICTION_NEEDS_CONFIRMATION naming that token).
 */
export interface MintConsent {
  confirmEviction?: boolean
}

export function tokenActions(deps: ActionDeps) {
  const s = deps.services

  /** The header (and the token inside it) for an account: reuses a valid token or mints one. */
  function header(
    accountId: string,
    surface: Surface,
    secrets?: TypedSecrets,
    o: MintConsent = {},
  ): Promise<Result<IssuedHeader>> {
    return s().tokens.header(accountId, {
      surface,
      ...(secrets ? { secrets } : {}),
      ...(o.confirmEviction ? { confirmEviction: true } : {}),
    })
  }

  /**
   * The server refused the account's token (every surface that learns so calls this: the
   * gateway, a helper's `erase`, `tokendeck reject`, the agent): the token becomes suspect, not
   * ended (refusals.ts). Where the profile declares a probe, it is checked at once: a 401/403
   * confirms the refusal (the token ends, the next header mints or refreshes within the cap), a
   * success clears the suspicion (the refusal was about something else). Otherwise the next
   * header replaces it, revoking it on the server first where the provider can, at most once per
   * refusalMintIntervalSeconds. With `tokenId`, only that token: callers that raced on one
   * refusal mark it once.
   */
  async function reject(
    accountId: string,
    surface: Surface,
    tokenId?: string,
  ): Promise<Result<RejectReport>> {
    const { vault, engine, tokens } = s()
    vault.touch()
    const marked = await markSuspect(tokens.ledger, accountId, surface, tokenId)
    if (!marked.ok) return marked
    const { label, tokenId: id, already } = marked.value
    // Already suspect (another client saw the same refusal): checked then, not again now.
    const p = already
      ? ok({ verdict: 'inconclusive' as const })
      : await vault.track(() => probeAccount(tokens.ledger, engine, accountId, id))
    const verdict = p.ok ? p.value.verdict : 'inconclusive'
    if (verdict === 'refused') {
      const ended = await confirmRefused(
        tokens.ledger,
        accountId,
        id,
        surface,
        'its probe was refused',
      )
      if (!ended.ok && ended.code !== 'NOT_FOUND') return ended
      return ok({
        label,
        tokenId: id,
        outcome: 'rejected',
        message: `${label}: the server refused the token, and its probe confirmed it; the next request gets a new one.`,
      })
    }
    if (verdict === 'good') {
      const cleared = await confirmAccepted(tokens.ledger, [id], surface)
      if (!cleared.ok) return cleared
      return ok({
        label,
        tokenId: id,
        outcome: 'accepted',
        message: `${label}: the server refused a request, but its probe accepts the token: it is kept (the refusal was about something else, such as a permission).`,
      })
    }
    return ok({
      label,
      tokenId: id,
      outcome: 'suspect',
      message: `${label}: the token is suspect and still counted toward the cap; the next request replaces it${revokes(accountId) ? ', revoking it on the server first,' : ''} at most once every ${intervalWords()}.`,
    })
  }

  /** The account's provider can revoke tokens (for the words of `reject`). */
  function revokes(accountId: string): boolean {
    const a = s().accounts.get(accountId)
    const providers = s().vault.providers()
    const profile = a.ok && providers.ok ? providers.value.get(a.value.providerId) : undefined
    return profile !== undefined && canRevoke(profile)
  }

  function intervalWords(): string {
    const st = s().vault.settings()
    const secs = st.ok ? st.value.refusalMintIntervalSeconds : 60
    return secs === 60 ? 'minute' : `${secs} seconds`
  }

  /**
   * The server was seen to accept these tokens (the gateway's 2xx answers): suspicion is cleared
   * and a replacement counts as working. Writes only when something changes.
   */
  function accepted(tokenIds: readonly string[], surface: Surface): Promise<Result<number>> {
    return confirmAccepted(s().tokens.ledger, tokenIds, surface)
  }

  /**
   * Checks the account's live token with its profile's probe (nothing is minted for a check).
   * A 401 or 403 confirms the refusal: the token ends, and the next header mints or refreshes
   * within the cap; a success clears any suspicion; anything else (network, 5xx) is
   * inconclusive and marks nothing.
   */
  async function check(accountId: string, surface: Surface): Promise<Result<CheckReport>> {
    const { vault, engine, tokens } = s()
    vault.touch()
    const p = await vault.track(() => probeAccount(tokens.ledger, engine, accountId))
    if (!p.ok) return p
    const o = p.value
    const base = { accountId, label: o.label, tokenId: o.tokenId, status: null, code: null }
    switch (o.verdict) {
      case 'unsupported':
        return ok({
          ...base,
          outcome: 'unsupported',
          message: `${o.label}: its provider declares no probe.`,
        })
      case 'no-token':
        return ok({ ...base, outcome: 'no-token', message: `${o.label}: no live token to check.` })
      case 'good': {
        const cleared = await confirmAccepted(tokens.ledger, [o.tokenId], surface)
        if (!cleared.ok) return cleared
        return ok({
          ...base,
          status: o.status,
          outcome: 'good',
          message: `${o.label}: the server accepts the token (HTTP ${o.status}).`,
        })
      }
      case 'inconclusive':
        return ok({
          ...base,
          status: o.status,
          code: o.code,
          outcome: 'inconclusive',
          message: `${o.label}: no verdict (${o.code}): ${o.message} The token was not marked.`,
        })
      case 'refused': {
        const why = `its probe answered HTTP ${o.status}`
        const r = await confirmRefused(tokens.ledger, accountId, o.tokenId, surface, why)
        // NOT_FOUND: it ended meanwhile (another surface rejected or revoked it): still refused.
        if (!r.ok && r.code !== 'NOT_FOUND') return r
        return ok({
          ...base,
          status: o.status,
          outcome: 'refused',
          message: `${o.label}: the server refused the token (HTTP ${o.status}); it is marked rejected and the next request gets a new one.`,
        })
      }
    }
  }

  /** Checks one account by label (or id), or every account, one after the other (`status --probe`). */
  async function checkAll(
    label: string | undefined,
    surface: Surface,
  ): Promise<Result<CheckReport[]>> {
    let ids: string[]
    if (label !== undefined) {
      const acc = s().accounts.get(label)
      if (!acc.ok) return acc
      ids = [acc.value.id]
    } else {
      const all = s().accounts.list()
      if (!all.ok) return all
      ids = all.value.map((a) => a.id)
    }
    const out: CheckReport[] = []
    for (const id of ids) {
      const r = await check(id, surface)
      if (r.ok) out.push(r.value)
      else {
        const a = s().accounts.get(id)
        out.push({
          accountId: id,
          label: a.ok ? a.value.label : id,
          outcome: 'inconclusive',
          tokenId: null,
          status: null,
          code: r.code,
          message: `${a.ok ? a.value.label : id}: not checked (${r.code}): ${r.message}`,
        })
      }
    }
    return ok(out)
  }

  /** Copies "<Header>: <Scheme> <token>"; the clipboard clears after the configured delay. */
  async function copyHeader(
    accountId: string,
    surface: Surface,
    secrets?: TypedSecrets,
    o: MintConsent = {},
  ): Promise<Result<CopyResult>> {
    const clipboard = deps.clipboard
    if (!clipboard) return fail('UNSUPPORTED', 'There is no clipboard to copy to here.')
    const { vault } = s()
    const settings = vault.settings()
    if (!settings.ok) return settings
    const h = await header(accountId, surface, secrets, o)
    if (!h.ok) return h
    const seconds = settings.value.clipboardClearSeconds
    clipboard.copy(`${h.value.headerName}: ${h.value.value}`, seconds)
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
      ...(h.value.evicted ? { evicted: h.value.evicted } : {}),
    })
  }

  /** Ensures a valid token (`force`: a new one, "log in again"); never returns the token. */
  function login(
    accountId: string,
    o: { force?: boolean; renew?: boolean; secrets?: TypedSecrets } & MintConsent,
    surface: Surface,
  ): Promise<Result<LoginOutcome>> {
    return s().tokens.login(accountId, {
      surface,
      force: o.force === true,
      ...(o.renew ? { renew: true } : {}),
      ...(o.secrets ? { secrets: o.secrets } : {}),
      ...(o.confirmEviction ? { confirmEviction: true } : {}),
    })
  }

  /** Revokes the account's current token, one token by id, or (`all`) every live one. */
  function revoke(
    accountId: string,
    o: { tokenId?: string; all?: boolean },
    surface: Surface,
  ): Promise<Result<RevokeReport>> {
    return s().tokens.revoke(accountId, {
      surface,
      ...(o.tokenId ? { tokenId: o.tokenId } : {}),
      all: o.all === true,
    })
  }

  /** Revokes the oldest live token of an organization, whichever account holds it. */
  async function revokeOldest(orgKey: string, surface: Surface): Promise<Result<RevokeReport>> {
    const list = s().accounts.list()
    if (!list.ok) return list
    const now = s().vault.clock.now()
    const oldest = list.value
      .filter((a) => a.orgKey === orgKey)
      .flatMap((a) => a.tokens.filter((t) => isLive(t, now) && t.held))
      .sort((a, b) => a.issuedAt - b.issuedAt)[0]
    if (!oldest) return fail('NOT_FOUND', 'This organization has no live token to revoke.')
    return revoke(oldest.accountId, { tokenId: oldest.id }, surface)
  }

  /** Revokes every live token of an organization, account by account; reports each outcome. */
  async function revokeOrganization(
    orgKey: string,
    surface: Surface,
  ): Promise<Result<RevokeReport>> {
    const list = s().accounts.list()
    if (!list.ok) return list
    const now = s().vault.clock.now()
    const merged: RevokeReport = { revoked: [], forgotten: [], failures: [], message: '' }
    const messages: string[] = []
    for (const a of list.value.filter((x) => x.orgKey === orgKey)) {
      if (!a.tokens.some((t) => isLive(t, now) && t.held)) continue
      const r = await revoke(a.id, { all: true }, surface)
      if (!r.ok) {
        merged.failures.push({ tokenId: '', code: r.code, message: `${a.label}: ${r.message}` })
        continue
      }
      merged.revoked.push(...r.value.revoked)
      merged.forgotten.push(...r.value.forgotten)
      merged.failures.push(...r.value.failures)
      messages.push(`${a.label}: ${r.value.message}`)
    }
    if (messages.length === 0 && merged.failures.length === 0) {
      return fail('NOT_FOUND', 'This organization has no live token to revoke.')
    }
    merged.message = [...messages, ...merged.failures.map((f) => f.message)].join(' ')
    return ok(merged)
  }

  /** The user checked the server: one uncertain token stops counting toward the cap. */
  function dismissUncertain(tokenId: string, surface: Surface): Promise<Result<TokenView>> {
    return s().tokens.dismissUncertain(tokenId, surface)
  }

  /** Dismisses every uncertain token of an account. */
  async function dismissUncertainOf(
    accountId: string,
    surface: Surface,
  ): Promise<Result<{ dismissed: string[]; message: string }>> {
    const a = s().accounts.get(accountId)
    if (!a.ok) return a
    const uncertain = a.value.tokens.filter((t) => t.state === 'uncertain')
    if (uncertain.length === 0) {
      return fail('NOT_FOUND', `"${a.value.label}" has no uncertain tokens.`)
    }
    const dismissed: string[] = []
    for (const t of uncertain) {
      const r = await dismissUncertain(t.id, surface)
      if (!r.ok) return r
      dismissed.push(t.id)
    }
    return ok({
      dismissed,
      message:
        `${a.value.label}: dismissed ${plural(dismissed.length, 'uncertain token')}; ` +
        'they no longer count toward the cap.',
    })
  }

  return {
    header,
    copyHeader,
    login,
    revoke,
    revokeOldest,
    revokeOrganization,
    dismissUncertain,
    dismissUncertainOf,
    reject,
    accepted,
    check,
    checkAll,
  }
}

export type TokenActions = ReturnType<typeof tokenActions>
