// Vault-wide commands: init (create a passphrase-protected vault), status (accounts and cap
// usage by organization) and log (the event log, newest first).
import { fail, ok, type Result } from '../../shared/result'
import type { AccountView, OrganizationView } from '../../shared/views'
import { createVaultServices, passphraseProtector } from '../vault'
import { bool, readPassphraseAndSecrets, str, unlockedVault, vaultDir, type Ctx } from './context'
import { columns, formatUtc, stateWord, timeLeft } from './format'
import { EXIT, print, printJson, report, usage } from './io'

/** `tokendeck init`: creates a vault protected by a passphrase at the production scrypt cost. */
export async function init(ctx: Ctx): Promise<number> {
  const dir = vaultDir(ctx)
  const s = createVaultServices({ dir })
  if (s.vault.file.exists()) {
    return report(fail('VAULT_EXISTS', `A vault already exists at ${dir}.`), ctx)
  }
  const prompts = process.stdin.isTTY && bool(ctx, 'passphrase-stdin') ? ['Passphrase (again)'] : []
  const read = await readPassphraseAndSecrets(ctx, prompts, 'New passphrase')
  if (!read.ok) return report(read, ctx)
  if (prompts.length > 0 && read.value.secrets[0] !== read.value.passphrase) {
    return report(usage('The two passphrases differ; nothing was created.'), ctx)
  }
  const created = await s.vault.create(passphraseProtector(read.value.passphrase))
  if (!created.ok) return report(created, ctx)
  if (ctx.json) printJson({ created: true, dir: s.vault.file.dir })
  else print(`Created a vault at ${s.vault.file.dir}, protected by a passphrase.`)
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
  const { used, max, uncertain } = org.cap
  return `${used}/${max} tokens` + (uncertain ? ` (${uncertain} uncertain)` : '')
}

function accountRow(a: AccountView, now: number): string[] {
  const t = a.current ?? a.tokens[0]
  const uncertain = a.tokens.filter((x) => x.state === 'uncertain').length
  const notes = [
    a.remember ? '' : 'secret not stored',
    uncertain ? `${uncertain} uncertain` : '',
  ].filter(Boolean)
  return [a.label, a.username, stateWord(t, now), timeLeft(t, now), notes.join(', ')]
}

/** `tokendeck status [L]`: accounts grouped by organization, with cap usage and time left. */
export async function status(ctx: Ctx): Promise<number> {
  const v = await unlockedVault(ctx)
  if (!v.ok) return report(v, ctx)
  const { accounts } = v.value.s
  const all = accounts.list()
  const orgs = accounts.organizations()
  if (!all.ok) return report(all, ctx)
  if (!orgs.ok) return report(orgs, ctx)
  let shown = all.value
  let shownOrgs = orgs.value
  const label = ctx.args[0]
  if (label !== undefined) {
    const one = accounts.get(label)
    if (!one.ok) return report(one, ctx)
    shown = [one.value]
    shownOrgs = orgs.value.filter((o) => o.accountIds.includes(one.value.id))
  }
  if (ctx.json) {
    printJson({ accounts: shown, organizations: shownOrgs })
    return EXIT.ok
  }
  if (shown.length === 0) {
    print('No accounts yet. Add one with tokendeck accounts add.')
    return EXIT.ok
  }
  const now = v.value.s.vault.clock.now()
  const lines: string[] = []
  for (const g of groupsOf(shown, shownOrgs)) {
    lines.push([g.title, capText(g.org)].filter(Boolean).join('  '))
    lines.push(
      ...columns(
        g.accounts.map((a) => accountRow(a, now)),
        '  ',
      ),
    )
  }
  if (label !== undefined) lines.push(...tokenLines(shown[0]!))
  print(lines.join('\n'))
  return EXIT.ok
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

function parseLimit(raw: string | undefined): Result<number> {
  if (raw === undefined) return ok(50)
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n < 1 || n > 5000)
    return usage('--limit takes a number from 1 to 5000.')
  return ok(n)
}

/** `tokendeck log [--limit N] [--account L]`: the event log, newest first, one line each. */
export async function log(ctx: Ctx): Promise<number> {
  const limit = parseLimit(str(ctx, 'limit'))
  if (!limit.ok) return report(limit, ctx)
  const v = await unlockedVault(ctx)
  if (!v.ok) return report(v, ctx)
  let accountId: string | undefined
  const label = str(ctx, 'account')
  if (label !== undefined) {
    const a = v.value.s.accounts.get(label)
    if (!a.ok) return report(a, ctx)
    accountId = a.value.id
  }
  const events = v.value.s.vault.events.list({ limit: limit.value, accountId })
  if (ctx.json) {
    printJson(events)
    return EXIT.ok
  }
  if (events.length === 0) print('The event log is empty.')
  else {
    const rows = events.map((e) => [
      new Date(e.at).toISOString(),
      e.type,
      e.surface ?? '-',
      e.message,
    ])
    print(columns(rows).join('\n'))
  }
  return EXIT.ok
}
