// Account commands: add (fields from flags, secrets from stdin only), list and remove. `add` logs
// in at once with the typed secret, as the window does (--no-verify, with --remember: not); the
// add action keeps the account only if that works, or if the login may have minted a token (then
// it counts as uncertain).
import type { ProviderProfile } from '../../shared/providers/profile'
import { addAccount, flagNamer, printRemoved, secretPrompts } from './account-fields'
import { bool, str, unlockedVault, type Ctx } from './context'
import { EXIT, print, printJson, report, usage } from './io'
import { printAccounts } from './output'

/** `tokendeck accounts add ...`: adds an account and logs in; see the file comment. */
export async function accountsAdd(ctx: Ctx): Promise<number> {
  const providerId = str(ctx, 'provider')
  if (!providerId || !str(ctx, 'label')) {
    return report(usage('accounts add needs --provider ID and --label L.'), ctx)
  }
  let profile: ProviderProfile | undefined
  // Asked once the vault is unlocked (imported profiles live in the vault): which secrets to read.
  const v = await unlockedVault(ctx, (actions) => {
    const found = actions.providers.profile(providerId)
    if (!found.ok) return found
    profile = found.value
    return secretPrompts(ctx, found.value)
  })
  if (!v.ok) return report(v, { json: ctx.json, fieldName: flagNamer(profile) })
  const { actions, secrets } = v.value
  return addAccount(ctx, profile!, secrets, (input) => actions.accounts.add(input, 'cli'))
}

/** `tokendeck accounts list`: every account with provider, user, organization and state. */
export async function accountsList(ctx: Ctx): Promise<number> {
  const v = await unlockedVault(ctx)
  if (!v.ok) return report(v, ctx)
  const all = v.value.actions.views.accounts()
  return all.ok ? printAccounts(ctx, all.value) : report(all, ctx)
}

/** `tokendeck accounts remove L [--force]`: refuses while live tokens remain, unless forced. */
export async function accountsRemove(ctx: Ctx): Promise<number> {
  const label = ctx.args[0]!
  const v = await unlockedVault(ctx)
  if (!v.ok) return report(v, ctx)
  const { actions } = v.value
  const acc = actions.views.account(label)
  if (!acc.ok) return report(acc, ctx)
  const r = await actions.accounts.remove(acc.value.id, { force: bool(ctx, 'force') }, 'cli')
  return printRemoved(ctx, acc.value.label, r)
}

/** `tokendeck accounts keep-ready L on|off`: renew L's token before it expires, unattended. */
export async function accountsKeepReady(ctx: Ctx): Promise<number> {
  const [label, mode] = ctx.args as [string, string]
  if (mode !== 'on' && mode !== 'off') {
    return report(usage('accounts keep-ready takes on or off after the label.'), ctx)
  }
  const v = await unlockedVault(ctx)
  if (!v.ok) return report(v, ctx)
  const { actions } = v.value
  const acc = actions.views.account(label)
  if (!acc.ok) return report(acc, ctx)
  const r = await actions.renewal.setKeepReady(acc.value.id, mode === 'on', 'cli')
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
}
