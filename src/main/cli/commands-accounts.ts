// Account commands: add (fields from flags, secrets from stdin only), list and remove. Without
// --remember, `add` logs in at once with the typed secret; the add action keeps the account only
// if that works, or if the login may have minted a token (then it counts as uncertain).
import { fail, ok, type Result } from '../../shared/result'
import {
  fieldWithRole,
  isSecretField,
  secretFields,
  type ProviderProfile,
} from '../../shared/providers/profile'
import { bool, list, secretsByField, str, unlockedVault, type Ctx } from './context'
import { quoteArg, validity } from './format'
import { EXIT, print, printJson, report, usage } from './io'
import { printAccounts } from './output'

/** How each profile field is typed on the command line, for error messages. */
function flagNamer(profile: ProviderProfile | undefined): (field: string) => string {
  return (field) => {
    if (field.startsWith('--')) return field
    if (field === 'label') return '--label'
    if (field === 'baseUrl') return '--base-url'
    const f = profile?.fields.find((x) => x.name === field)
    if (f?.role === 'username') return '--username'
    if (f?.role === 'organization') return '--org'
    if (f && isSecretField(f)) return `--secret-stdin (${f.label.toLowerCase()})`
    return `--field ${field}`
  }
}

/** Builds the non-secret field values from --username, --org and --field name=value. */
function plainFields(ctx: Ctx, profile: ProviderProfile): Result<Record<string, string>> {
  const fields: Record<string, string> = {}
  const problems: Record<string, string[]> = {}
  const byRole = (flag: string, role: 'username' | 'organization') => {
    const value = str(ctx, flag)
    if (value === undefined) return
    const f = fieldWithRole(profile, role)
    if (f) fields[f.name] = value
    else problems[`--${flag}`] = [`${profile.name} has no ${role} field.`]
  }
  byRole('username', 'username')
  byRole('org', 'organization')
  for (const pair of list(ctx, 'field')) {
    const eq = pair.indexOf('=')
    const name = eq > 0 ? pair.slice(0, eq) : ''
    const f = profile.fields.find((x) => x.name === name)
    if (!f) {
      problems[name || pair] = [
        `${profile.name} has no field "${(name || pair).slice(0, 40)}" (use --field name=value).`,
      ]
    } else if (isSecretField(f)) {
      // Never take a secret from argv: it would land in shell history and `ps`.
      return fail(
        'VALIDATION_FAILED',
        `--field ${name}: secrets are read from stdin (--secret-stdin), never from arguments.`,
      )
    } else fields[name] = pair.slice(eq + 1)
  }
  if (Object.keys(problems).length > 0) {
    return fail('VALIDATION_FAILED', 'Some fields need attention.', { fields: problems })
  }
  return ok(fields)
}

/** `tokendeck accounts add ...`: adds an account; see the file comment for --remember. */
export async function accountsAdd(ctx: Ctx): Promise<number> {
  const providerId = str(ctx, 'provider')
  const label = str(ctx, 'label')
  if (!providerId || !label) {
    return report(usage('accounts add needs --provider ID and --label L.'), ctx)
  }
  let profile: ProviderProfile | undefined
  const secretList = () => (profile ? secretFields(profile) : [])
  // Asked once the vault is unlocked (imported profiles live in the vault): which secrets to read.
  const v = await unlockedVault(ctx, (actions) => {
    const found = actions.providers.profile(providerId)
    if (!found.ok) return found
    profile = found.value
    const needed = secretList()
    if (!bool(ctx, 'secret-stdin')) {
      if (needed.some((f) => f.required)) {
        return fail('VALIDATION_FAILED', 'The secret is read from stdin: pass --secret-stdin.', {
          fields: { [needed.find((f) => f.required)!.name]: ['This field is required.'] },
        })
      }
      return ok([])
    }
    return ok(needed.map((f) => f.label))
  })
  const named = { json: ctx.json, fieldName: flagNamer(profile) }
  if (!v.ok) return report(v, named)
  const { actions, secrets } = v.value
  const p = profile!
  const fields = plainFields(ctx, p)
  if (!fields.ok) return report(fields, named)
  const typed = secretsByField(secretList(), secrets)
  const remember = bool(ctx, 'remember')
  const added = await actions.accounts.add(
    {
      label,
      providerId: p.id,
      ...(str(ctx, 'base-url') !== undefined ? { baseUrl: str(ctx, 'base-url') } : {}),
      fields: { ...fields.value, ...typed },
      remember,
    },
    'cli',
  )
  if (!added.ok) {
    const kept = added.details?.accountKept === true
    const hint = kept
      ? `Check the server, then run tokendeck revoke ${quoteArg(label)} --uncertain.`
      : added.details?.accountKept === false
        ? 'The account was not added.'
        : undefined
    return report(added, { ...named, hint })
  }
  const { account: acc, token } = added.value
  if (ctx.json) {
    printJson({ account: acc, loggedIn: token !== null, ...(token ? { token } : {}) })
  } else if (!token) {
    print(`Added account "${acc.label}" (${acc.providerName}); its secret is stored encrypted.`)
  } else {
    print(
      `Added account "${acc.label}" (${acc.providerName}): logged in; the secret was not stored ` +
        `(${validity(token.expiresAt)}).`,
    )
  }
  return EXIT.ok
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
  if (!r.ok) {
    const hint =
      r.code === 'CONFLICT'
        ? `Run tokendeck revoke ${quoteArg(acc.value.label)} --all first, or add --force.`
        : undefined
    return report(r, { json: ctx.json, hint })
  }
  if (ctx.json) printJson({ removed: r.value.label, liveTokensLeft: r.value.liveTokensLeft })
  else {
    const left = r.value.liveTokensLeft
    print(
      `Removed account "${r.value.label}".` +
        (left ? ` ${left} live token(s) stay valid on the server.` : ''),
    )
  }
  return EXIT.ok
}
