// Account commands: add (fields from flags, secrets from stdin only), list, remove and
// keep-ready, each one client operation (through the agent, or the vault opened here), written
// once. `add` logs in at once with the typed secret, as the window does (--no-verify, with
// --remember: not); the add action keeps the account only if that works, or if the login may
// have minted a token (then it counts as uncertain).
import type { ProviderProfile } from '../../shared/providers/profile'
import { ok, type Result } from '../../shared/result'
import {
  addAccount,
  agentSecretPrompts,
  builtinProfile,
  checkAgentProfile,
  flagNamer,
  printRemoved,
  secretPrompts,
} from './account-fields'
import { withConnection, type CliConnection } from './connection'
import { bool, str, type Ctx } from './ctx'
import { EXIT, print, printJson, report, stdinIsTerminal, usage } from './io'
import { printAccounts } from './output'

/**
 * The profile an account of `providerId` is made from, and which secrets to read for it. A
 * built-in's profile is the CLI's own (the vault is only asked that it is there and open); an
 * imported one's is the vault's, and when an agent described it, its secrets are never prompted
 * for in the agent's words (agentSecretPrompts).
 */
async function profileFor(
  ctx: Ctx,
  c: CliConnection,
  providerId: string,
): Promise<Result<{ profile: ProviderProfile; prompts: Result<string[]> }>> {
  const builtin = builtinProfile(providerId)
  if (builtin) {
    // Never asked of the vault (an agent could doctor it): the vault is only reached, and opened.
    const reached = await c.client.providers({})
    return reached.ok ? ok({ profile: builtin, prompts: secretPrompts(ctx, builtin) }) : reached
  }
  const found = await c.client.profile({ providerId })
  if (!found.ok) return found
  if (c.via() !== 'agent')
    return ok({ profile: found.value, prompts: secretPrompts(ctx, found.value) })
  // Checked as an import is: the id asked for, no built-in's id or name.
  const checked = checkAgentProfile(providerId, found.value)
  if (!checked.ok) return checked
  return ok({
    profile: checked.value,
    prompts: agentSecretPrompts(ctx, checked.value, stdinIsTerminal()),
  })
}

/** `tokendeck accounts add ...`: adds an account and logs in; see the file comment. */
export async function accountsAdd(ctx: Ctx): Promise<number> {
  const providerId = str(ctx, 'provider')
  const label = str(ctx, 'label')
  if (!providerId || !label) {
    return report(usage('accounts add needs --provider ID and --label L.'), ctx)
  }
  return withConnection(ctx, 'tokendeck accounts add', async (c) => {
    const p = await profileFor(ctx, c, providerId)
    if (!p.ok) return report(p, ctx)
    const { profile, prompts } = p.value
    if (!prompts.ok) return report(prompts, { json: ctx.json, fieldName: flagNamer(profile) })
    const lines = await c.stdin.read(prompts.value)
    if (!lines.ok) return report(lines, ctx)
    const waiting = () => (c.via() === 'agent' ? `Waiting for the agent (${label})` : undefined)
    return addAccount(ctx, profile, lines.value, (account) => c.client.add({ account }), waiting)
  })
}

/** `tokendeck accounts list`: every account with provider, user, organization and state. */
export function accountsList(ctx: Ctx): Promise<number> {
  return withConnection(ctx, 'tokendeck accounts list', async (c) => {
    const all = await c.client.accounts({})
    return all.ok ? printAccounts(ctx, all.value) : report(all, ctx)
  })
}

/** `tokendeck accounts remove L [--force]`: refuses while live tokens remain, unless forced. */
export function accountsRemove(ctx: Ctx): Promise<number> {
  const label = ctx.args[0]!
  return withConnection(ctx, 'tokendeck accounts remove', async (c) => {
    const r = await c.client.remove({ label, force: bool(ctx, 'force') })
    return printRemoved(ctx, label, r)
  })
}

/** `tokendeck accounts keep-ready L on|off`: renew L's token before it expires, unattended. */
export async function accountsKeepReady(ctx: Ctx): Promise<number> {
  const [label, mode] = ctx.args as [string, string]
  if (mode !== 'on' && mode !== 'off') {
    return report(usage('accounts keep-ready takes on or off after the label.'), ctx)
  }
  return withConnection(ctx, 'tokendeck accounts keep-ready', async (c) => {
    const r = await c.client.keepReady({ label, on: mode === 'on' })
    if (!r.ok) return report(r, ctx)
    if (ctx.json) printJson({ label: r.value.label, keepReady: r.value.keepReady === true })
    else if (mode === 'off') print(`${r.value.label}: no longer keeps a token ready.`)
    else if (r.value.remember)
      print(
        `${r.value.label}: keeps a valid token ready (renewed before it expires while TokenDeck runs).`,
      )
    else
      print(
        `${r.value.label}: keeps a token ready, but its secret is not remembered: it cannot renew unattended and is warned about before its token expires.`,
      )
    return EXIT.ok
  })
}
