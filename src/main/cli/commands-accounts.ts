// Account commands: add (fields from flags, secrets from stdin only), list and remove. Without
// --remember, `add` logs in at once with the typed secret and keeps the account only if that works.
import { fail, ok, type Failure, type Result } from '../../shared/result'
import { fieldWithRole, type ProviderProfile } from '../../shared/providers/profile'
import type { VaultServices } from '../vault'
import { bool, list, str, unlockedVault, type Ctx } from './context'
import { columns, stateWord, validity } from './format'
import { EXIT, print, printJson, report, usage } from './io'

/** How each profile field is typed on the command line, for error messages. */
function flagNamer(profile: ProviderProfile | undefined): (field: string) => string {
  return (field) => {
    if (field.startsWith('--')) return field
    if (field === 'label') return '--label'
    if (field === 'baseUrl') return '--base-url'
    const f = profile?.fields.find((x) => x.name === field)
    if (f?.role === 'username') return '--username'
    if (f?.role === 'organization') return '--org'
    if (f?.role === 'secret') return `--secret-stdin (${f.label.toLowerCase()})`
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
    } else if (f.role === 'secret') {
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
  const secretFields = () => profile?.fields.filter((f) => f.role === 'secret') ?? []
  const v = await unlockedVault(ctx, (s) => {
    profile = s.vault.providers().find((p) => p.id === providerId)
    if (!profile) {
      return fail(
        'VALIDATION_FAILED',
        `Unknown provider "${providerId.slice(0, 40)}". See tokendeck providers list.`,
      )
    }
    const needed = secretFields()
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
  const { s, secrets } = v.value
  const p = profile!
  const fields = plainFields(ctx, p)
  if (!fields.ok) return report(fields, named)
  const typed: Record<string, string> = {}
  secretFields().forEach((f, i) => {
    if (secrets[i]) typed[f.name] = secrets[i]
  })
  const remember = bool(ctx, 'remember')
  const added = await s.accounts.add({
    label,
    providerId: p.id,
    baseUrl: str(ctx, 'base-url'),
    fields: { ...fields.value, ...typed },
    remember,
  })
  if (!added.ok) return report(added, named)
  const acc = added.value
  if (remember) {
    if (ctx.json) printJson({ account: acc, loggedIn: false })
    else
      print(`Added account "${acc.label}" (${acc.providerName}); its secret is stored encrypted.`)
    return EXIT.ok
  }
  const login = await s.tokens.login(acc.id, { surface: 'cli', secrets: typed })
  if (!login.ok) return reportFailedFirstLogin(s, acc, login, named)
  const after = s.accounts.get(acc.id)
  if (ctx.json) {
    printJson({ account: after.ok ? after.value : acc, loggedIn: true, token: login.value.token })
  } else {
    print(
      `Added account "${acc.label}" (${acc.providerName}): logged in; the secret was not stored ` +
        `(${validity(login.value.token.expiresAt)}).`,
    )
  }
  return EXIT.ok
}

/**
 * The first login of an account that does not remember its secret failed: remove the account
 * again, so a wrong password never leaves a useless account behind. Exception: when the login
 * may have minted (OUTCOME_UNKNOWN), the account keeps its uncertain token so the cap stays honest.
 */
async function reportFailedFirstLogin(
  s: VaultServices,
  acc: { id: string; label: string },
  failure: Failure,
  named: { json: boolean; fieldName: (f: string) => string },
): Promise<number> {
  const mayHaveMinted =
    failure.code === 'OUTCOME_UNKNOWN' || failure.details?.mayHaveMinted === true
  if (mayHaveMinted) {
    return report(failure, {
      ...named,
      hint:
        'The account was kept: the server may have created a token (counted as uncertain). ' +
        `Check the server, then run tokendeck revoke ${quoteArg(acc.label)} --uncertain.`,
    })
  }
  await s.accounts.remove(acc.id, { force: true })
  return report(failure, { ...named, hint: 'The account was not added.' })
}

/** `tokendeck accounts list`: every account with provider, user, organization and state. */
export async function accountsList(ctx: Ctx): Promise<number> {
  const v = await unlockedVault(ctx)
  if (!v.ok) return report(v, ctx)
  const all = v.value.s.accounts.list()
  if (!all.ok) return report(all, ctx)
  if (ctx.json) {
    printJson(all.value)
    return EXIT.ok
  }
  if (all.value.length === 0) {
    print('No accounts yet. Add one with tokendeck accounts add.')
    return EXIT.ok
  }
  const now = v.value.s.vault.clock.now()
  const rows = [
    ['LABEL', 'PROVIDER', 'USER', 'ORGANIZATION', 'SECRET', 'TOKEN'],
    ...all.value.map((a) => [
      a.label,
      a.providerId,
      a.username || '-',
      a.organizationId ?? '-',
      a.remember ? 'stored' : 'not stored',
      stateWord(a.current ?? a.tokens[0], now),
    ]),
  ]
  print(columns(rows).join('\n'))
  return EXIT.ok
}

/** `tokendeck accounts remove L [--force]`: refuses while live tokens remain, unless forced. */
export async function accountsRemove(ctx: Ctx): Promise<number> {
  const label = ctx.args[0]!
  const v = await unlockedVault(ctx)
  if (!v.ok) return report(v, ctx)
  const { accounts } = v.value.s
  const acc = accounts.get(label)
  if (!acc.ok) return report(acc, ctx)
  const r = await accounts.remove(acc.value.id, { force: bool(ctx, 'force') })
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

/** A label as it would be typed in a shell. */
export function quoteArg(s: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}
