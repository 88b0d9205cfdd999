// Vault-wide commands: init (create a passphrase-protected vault), status (accounts and cap
// usage by organization) and log (the event log, newest first).
import { fail, ok, type Result } from '../../shared/result'
import { accountSummary, capUsageText } from '../../shared/state'
import type { AccountView, OrganizationView } from '../../shared/views'
import { createVaultServices } from '../vault'
import {
  bool,
  cliActions,
  existingVault,
  readPassphraseAndSecrets,
  str,
  unlockedVault,
  vaultDir,
  type Ctx,
} from './context'
import { columns, formatUtc } from './format'
import { EXIT, print, printJson, report, usage } from './io'

/** `tokendeck init`: creates a vault protected by a passphrase at the production scrypt cost. */
export async function init(ctx: Ctx): Promise<number> {
  const dir = vaultDir(ctx)
  if (existingVault(ctx).ok) {
    return report(fail('VAULT_EXISTS', `A vault already exists at ${dir}.`), ctx)
  }
  const prompts = process.stdin.isTTY && bool(ctx, 'passphrase-stdin') ? ['Passphrase (again)'] : []
  const read = await readPassphraseAndSecrets(ctx, prompts, 'New passphrase')
  if (!read.ok) return report(read, ctx)
  if (prompts.length > 0 && read.value.secrets[0] !== read.value.passphrase) {
    return report(usage('The two passphrases differ; nothing was created.'), ctx)
  }
  const actions = cliActions(createVaultServices({ dir }))
  const created = await actions.protection.create({
    protection: 'passphrase',
    passphrase: read.value.passphrase,
  })
  if (!created.ok) return report(created, ctx)
  const where = created.value.vault.dir
  if (ctx.json) printJson({ created: true, dir: where })
  else print(`Created a vault at ${where}, protected by a passphrase.`)
  return EXIT.ok
}

/** `tokendeck passphrase change`: a new passphrase and a new data key (see commands.ts). */
export async function changePassphrase(ctx: Ctx): Promise<number> {
  const prompts = process.stdin.isTTY
    ? ['New passphrase', 'New passphrase (again)']
    : ['New passphrase']
  const v = await unlockedVault(ctx, () => ok(prompts))
  if (!v.ok) return report(v, ctx)
  const [next, again] = v.value.secrets
  if (!next) return report(usage('No new passphrase was given; nothing was changed.'), ctx)
  if (prompts.length > 1 && again !== next) {
    return report(usage('The two new passphrases differ; nothing was changed.'), ctx)
  }
  const current = v.value.passphrase
  const r = await v.value.actions.protection.changePassphrase(
    { method: 'passphrase', passphrase: current },
    next,
  )
  if (!r.ok) return report(r, ctx)
  if (ctx.json) printJson({ changed: true, keyRotated: true })
  else print('Changed the passphrase; the vault key was rotated.')
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
  return org.cap && org.organizationId !== null ? capUsageText(org.cap) : ''
}

/** One row of the status table: label, user, state word, time left, notes. */
export function accountRow(a: AccountView, now: number): string[] {
  const s = accountSummary(a, now)
  return [a.label, a.username, s.word, s.timeLeft ?? '', s.notes.join(', ')]
}

/** `tokendeck status [L]`: accounts grouped by organization, with cap usage and time left. */
export async function status(ctx: Ctx): Promise<number> {
  const v = await unlockedVault(ctx)
  if (!v.ok) return report(v, ctx)
  const { views } = v.value.actions
  const snap = views.snapshot()
  if (!snap.ok) return report(snap, ctx)
  const { now } = snap.value
  let shown = snap.value.accounts
  let shownOrgs = snap.value.organizations
  const label = ctx.args[0]
  if (label !== undefined) {
    const one = views.account(label)
    if (!one.ok) return report(one, ctx)
    shown = [one.value]
    shownOrgs = shownOrgs.filter((o) => o.accountIds.includes(one.value.id))
  }
  const copies = v.value.actions.protection.status().vault.unreadableCopies
  if (ctx.json) {
    printJson({ accounts: shown, organizations: shownOrgs, unreadableCopies: copies })
    return EXIT.ok
  }
  if (shown.length === 0) {
    print('No accounts yet. Add one with tokendeck accounts add.')
    return EXIT.ok
  }
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
  if (copies.length > 0) {
    lines.push(
      `Kept copies of unreadable vault files (delete them in Settings, or with rm, once not needed):`,
      ...copies.map((c) => `  ${c}`),
    )
  }
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
    const a = v.value.actions.views.account(label)
    if (!a.ok) return report(a, ctx)
    accountId = a.value.id
  }
  const listed = v.value.actions.views.events({
    limit: limit.value,
    ...(accountId ? { accountId } : {}),
  })
  if (!listed.ok) return report(listed, ctx)
  const events = listed.value
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
