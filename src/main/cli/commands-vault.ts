// Vault-wide commands: init (create a passphrase-protected vault), status (accounts and cap
// usage by organization) and log (the event log, newest first).
import { fail, ok, type Result } from '../../shared/result'
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
import { EXIT, print, printJson, report, usage } from './io'
import { printLog, printStatus } from './output'
import type { CheckReport } from '../../shared/health'

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

/**
 * `tokendeck status [L] [--probe]`: accounts grouped by organization, with cap usage and time
 * left; `--probe` first checks the live tokens (of L, or of every account) with tokens.checkAll.
 */
export async function status(ctx: Ctx): Promise<number> {
  const v = await unlockedVault(ctx)
  if (!v.ok) return report(v, ctx)
  const { views, tokens } = v.value.actions
  let probes: CheckReport[] | undefined
  if (bool(ctx, 'probe')) {
    const checked = await tokens.checkAll(ctx.args[0], 'cli')
    if (!checked.ok) return report(checked, ctx)
    probes = checked.value
  }
  const data = views.status()
  if (!data.ok) return report(data, ctx)
  return printStatus(ctx, data.value, ctx.args[0], probes)
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
  return printLog(ctx, listed.value)
}
