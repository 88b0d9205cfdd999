// What the token and status commands print, in text and JSON, from plain data: the same lines
// whether the answer came from the agent or from opening the vault here. Light on purpose (no
// vault, no actions): the agent path of the CLI loads it.
import { elsewhereText } from '../../shared/ledger-words'
import {
  accountSummary,
  cannotRenewWarnings,
  capUsageText,
  findAccount,
  noAccount,
} from '../../shared/state'
import type { Failure } from '../../shared/result'
import { CHECK_OUTCOME_WORDS, type CheckReport } from '../../shared/health'
import { unverifiedWords } from '../../shared/event-log-words'
import type { AccountView, EventList, OrganizationView, TokenView } from '../../shared/views'
import type { Ctx } from './ctx'
import { columns, formatUtc, quoteArg, validity } from './format'
import { EXIT, note, print, printJson, report, type ReportOptions } from './io'

/**
 * The next step after a login whose answer was lost (the server may have created a token, now
 * counted as uncertain): check the server, then stop counting it.
 */
export function uncertainNextStep(label: string): string {
  return `Check on the server whether a token was created, then run tokendeck revoke ${quoteArg(label)} --uncertain.`
}

/** A failed login that left an uncertain token behind (the core names it in the details). */
function leftUncertain(f: Failure): boolean {
  return f.code === 'OUTCOME_UNKNOWN' || typeof f.details?.uncertainTokenId === 'string'
}

/** How a token command's failure is reported, with the next step that helps for its code. */
export function failureOptions(ctx: Ctx, label: string, f: Failure): ReportOptions {
  return {
    json: ctx.json,
    hint:
      f.code === 'NO_SECRET'
        ? f.details?.oneTime === true
          ? `Type it at a terminal, or pipe the current code: tokendeck login ${quoteArg(label)} --otp-stdin`
          : `Give it once with: tokendeck login ${quoteArg(label)} --secret-stdin`
        : f.code === 'TOKEN_CAP_REACHED'
          ? 'See tokendeck status; free a slot with tokendeck revoke <label>.'
          : f.code === 'EVICTION_NEEDS_CONFIRMATION'
            ? 'Nothing was sent. Run it again with --yes to go ahead.'
            : leftUncertain(f)
              ? uncertainNextStep(label)
              : undefined,
  }
}

export function reportTokenFailure(ctx: Ctx, label: string, f: Failure): number {
  return report(f, failureOptions(ctx, label, f))
}

import { noteEvicted, type Evicted } from './print-token'

export { printHeader, printToken, type Evicted, type HeaderOut } from './print-token'

export function printLogin(
  ctx: Ctx,
  r: { label: string; token: TokenView; reused: boolean; warning?: string } & Evicted,
): number {
  if (ctx.json) printJson(r)
  else {
    const what = r.reused ? 'token reused' : 'logged in'
    print(`${r.label}: ${what} (${validity(r.token.expiresAt)})`)
    if (r.warning) note(`tokendeck: ${r.warning}`)
  }
  noteEvicted(ctx, r)
  return r.warning ? EXIT.provider : EXIT.ok
}

/** The report of a revoke of an account's current token or all of them. */
export function printRevoke(
  ctx: Ctx,
  label: string,
  r: { message: string; failures: unknown[] } & Record<string, unknown>,
): number {
  if (ctx.json) printJson(r)
  else print(`${label}: ${r.message}`)
  return r.failures.length > 0 ? EXIT.provider : EXIT.ok
}

/** The organization-wide revokes (`--oldest`, `--org`) and dismissing uncertain tokens. */
export function printRevokeMode(
  ctx: Ctx,
  mode: 'oldest' | 'org' | 'uncertain',
  r: { message: string; failures?: unknown[]; dismissed?: unknown } & Record<string, unknown>,
): number {
  if (ctx.json) printJson(mode === 'uncertain' ? { dismissed: r.dismissed } : r)
  else print(r.message)
  return (r.failures?.length ?? 0) > 0 ? EXIT.provider : EXIT.ok
}

export function printReject(
  ctx: Ctx,
  r: { label: string; tokenId: string; outcome?: string; message?: string },
): number {
  const outcome = r.outcome ?? 'suspect'
  if (ctx.json) printJson({ label: r.label, tokenId: r.tokenId, outcome })
  else print(r.message ?? `${r.label}: the token is suspect; the next request replaces it.`)
  return EXIT.ok
}

/** One group of the status table: an organization, or a provider's accounts without one. */
interface Group {
  title: string
  org: OrganizationView
  accounts: AccountView[]
}

function groupsOf(accounts: AccountView[], orgs: OrganizationView[]): Group[] {
  const groups = new Map<string, Group>()
  for (const org of orgs) {
    const key = org.organizationId === null ? `${org.providerId}|${org.baseUrl}` : org.key
    const title =
      org.organizationId === null ? org.providerName : `${org.organizationId} (${org.providerName})`
    const g = groups.get(key) ?? { title, org, accounts: [] }
    g.accounts.push(...accounts.filter((a) => org.accountIds.includes(a.id)))
    groups.set(key, g)
  }
  const all = [...groups.values()]
  // Same title twice (one organization id on two servers): tell them apart by base URL.
  for (const g of all) {
    if (all.filter((x) => x.title === g.title).length > 1) g.title += ` at ${g.org.baseUrl}`
  }
  return all.filter((g) => g.accounts.length > 0)
}

function capText(org: OrganizationView): string {
  if (!org.cap || org.organizationId === null) return ''
  const sh = org.shared
  if (!sh) return capUsageText(org.cap)
  if (sh.state === 'offline' || sh.elsewhere === null)
    return `${capUsageText(org.cap)} (shared ledger offline: this machine's count)`
  return `${capUsageText(org.cap)} · ${elsewhereText(sh.elsewhere)}`
}

/** One row of the status table: label, user, state word, time left, notes. */
export function accountRow(a: AccountView, now: number): string[] {
  const s = accountSummary(a, now)
  return [a.label, a.username, s.word, s.timeLeft ?? '', s.notes.join(', ')]
}

function tokenLines(a: AccountView): string[] {
  if (a.tokens.length === 0) return []
  const rows = a.tokens
    .slice(0, 10)
    .map((t) => [
      t.id.slice(0, 8),
      t.state,
      `issued ${formatUtc(t.issuedAt)}`,
      t.expiresAt === null ? 'no expiry' : `expires ${formatUtc(t.expiresAt)}`,
      t.note ?? '',
    ])
  return ['Tokens (newest first):', ...columns(rows, '  ')]
}

/** What `tokendeck status` shows: every account, or one (`label`) with its tokens. */
export interface StatusData {
  accounts: AccountView[]
  organizations: OrganizationView[]
  now: number
  unreadableCopies: string[]
  /** The vault's warnBeforeMinutes (absent from an older agent: the default, 15). */
  warnBeforeMinutes?: number
}

/**
 * `tokendeck status [L]`: accounts grouped by organization, with cap usage and time left; with
 * `probes` (`--probe`), what each check found first. Exit 1 when a check was inconclusive.
 */
export function printStatus(
  ctx: Ctx,
  data: StatusData,
  label: string | undefined,
  probes?: CheckReport[],
): number {
  const exit = probes?.some((p) => p.outcome === 'inconclusive') ? EXIT.provider : EXIT.ok
  let shown = data.accounts
  let shownOrgs = data.organizations
  if (label !== undefined) {
    const one = findAccount(data.accounts, label)
    if (!one)
      return report({ ok: false, code: 'NOT_FOUND', message: noAccount(label, data.accounts) }, ctx)
    shown = [one]
    shownOrgs = shownOrgs.filter((o) => o.accountIds.includes(one.id))
  }
  const copies = data.unreadableCopies
  // Accounts whose token expires soon and cannot renew unattended (state.ts, once).
  const warnMs = (data.warnBeforeMinutes ?? 15) * 60_000
  const warnings = cannotRenewWarnings(shown, data.now, warnMs)
  if (ctx.json) {
    printJson({
      accounts: shown,
      organizations: shownOrgs,
      unreadableCopies: copies,
      ...(probes ? { probes } : {}),
      cannotRenew: warnings.map((w) => ({
        label: w.account.label,
        tokenId: w.token.id,
        expiresAt: w.token.expiresAt,
        message: w.text,
      })),
    })
    return exit
  }
  if (shown.length === 0) {
    print('No accounts yet. Add one with tokendeck accounts add.')
    return EXIT.ok
  }
  const lines: string[] = []
  if (probes) {
    lines.push(
      'Probe:',
      ...columns(
        probes.map((p) => [p.label, CHECK_OUTCOME_WORDS[p.outcome], probeDetail(p)]),
        '  ',
      ),
      '',
    )
  }
  for (const g of groupsOf(shown, shownOrgs)) {
    lines.push([g.title, capText(g.org)].filter(Boolean).join('  '))
    lines.push(
      ...columns(
        g.accounts.map((a) => accountRow(a, data.now)),
        '  ',
      ),
    )
  }
  if (label !== undefined) lines.push(...tokenLines(shown[0]!))
  if (warnings.length > 0) {
    lines.push('Expires soon and cannot renew unattended (log in with the secret):')
    lines.push(...warnings.map((w) => `  ! ${w.text}`))
  }
  if (copies.length > 0) {
    lines.push(
      `Kept copies of unreadable vault files (delete them in Settings, or with rm, once not needed):`,
      ...copies.map((c) => `  ${c}`),
    )
  }
  print(lines.join('\n'))
  return exit
}

/** What a probe row adds after its outcome word: the status, or the code and reason. */
function probeDetail(p: CheckReport): string {
  if (p.outcome === 'good' || p.outcome === 'refused') return `HTTP ${p.status ?? '?'}`
  if (p.outcome === 'inconclusive') return p.message.replace(/^[^:]*: /, '')
  return ''
}

/** `tokendeck log`: one line per event, newest first. */
/**
 * The event log, newest first. Lines that did not open are said on stderr with their number (a
 * script reading --json gets the same list as before, and the person sees the count).
 */
export function printLog(ctx: Ctx, list: EventList): number {
  const { events, unverified } = list
  if (ctx.json) printJson(events)
  else if (events.length === 0)
    print(unverified > 0 ? 'No entry to show.' : 'The event log is empty.')
  else {
    const rows = events.map((e) => [
      new Date(e.at).toISOString(),
      e.type,
      e.surface ?? '-',
      e.message,
    ])
    print(columns(rows).join('\n'))
  }
  if (unverified > 0) note(`tokendeck: ${unverifiedWords(unverified)}`)
  return EXIT.ok
}

/** `tokendeck accounts list`: every account with provider, user, organization and state. */
export function printAccounts(ctx: Ctx, accounts: AccountView[]): number {
  if (ctx.json) {
    printJson(accounts)
    return EXIT.ok
  }
  if (accounts.length === 0) {
    print('No accounts yet. Add one with tokendeck accounts add.')
    return EXIT.ok
  }
  const now = Date.now()
  const rows = [
    ['LABEL', 'PROVIDER', 'USER', 'ORGANIZATION', 'SECRET', 'TOKEN'],
    ...accounts.map((a) => [
      a.label,
      a.providerId,
      a.username || '-',
      a.organizationId ?? '-',
      a.remember ? 'stored' : 'not stored',
      accountSummary(a, now).text,
    ]),
  ]
  print(columns(rows).join('\n'))
  return EXIT.ok
}
