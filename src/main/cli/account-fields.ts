// `accounts add` and `accounts remove` for both of their paths (opening the vault, or asking the
// agent): plain field values from --username, --org and --field, the secrets to read from stdin,
// flag names in error messages, and what is printed. No vault code.
import { fail, ok, type Result } from '../../shared/result'
import {
  fieldWithRole,
  isSecretField,
  isOneTimeField,
  secretFields,
  type ProviderProfile,
} from '../../shared/providers/profile'
import type { AccountView, TokenView } from '../../shared/views'
import { builtinProfile as shipped, parseUserProfile } from '../actions/catalog'
import type { OpRequest } from '../client/operations'
import { bool, list, str, type Ctx } from './ctx'
import { quoteArg, validity } from './format'
import { EXIT, print, printJson, report, stdinIsTerminal } from './io'
import { uncertainNextStep } from './output'
import { loggingIn, withProgress } from './progress'

/** How each profile field is typed on the command line, for error messages. */
export function flagNamer(profile: ProviderProfile | undefined): (field: string) => string {
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
export function plainFields(ctx: Ctx, profile: ProviderProfile): Result<Record<string, string>> {
  const fields: Record<string, string> = {}
  const problems: Record<string, string[]> = {}
  const byRole = (flag: 'username' | 'org', role: 'username' | 'organization') => {
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

/** The secret lines read from stdin, by the field each answers (in the profile's order). */
export function secretsByField(
  fields: readonly { name: string }[],
  lines: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {}
  fields.forEach((f, i) => {
    if (lines[i]) out[f.name] = lines[i]
  })
  return out
}

/**
 * The secrets to read for `profile`, by their labels: with --secret-stdin, or at a terminal
 * (hidden prompts); in a pipe without the flag, a required secret is a usage error.
 */
export function secretPrompts(ctx: Ctx, profile: ProviderProfile): Result<string[]> {
  const needed = secretFields(profile)
  if (!bool(ctx, 'secret-stdin') && !stdinIsTerminal()) {
    const required = needed.find((f) => f.required)
    if (required) {
      return fail('VALIDATION_FAILED', 'The secret is read from stdin: pass --secret-stdin.', {
        fields: { [required.name]: ['This field is required.'] },
      })
    }
    return ok([])
  }
  return ok(needed.map((f) => f.label))
}

/**
 * An imported provider's profile as an agent answered it (only the vault knows it), checked as
 * an import is: the schema, the id asked for, no built-in id or name. A built-in's profile is
 * never asked of an agent: the CLI uses its own copy (builtinProfile).
 */
export function checkAgentProfile(providerId: string, raw: unknown): Result<ProviderProfile> {
  const parsed = parseUserProfile(JSON.stringify(raw ?? null))
  if (!parsed.ok || parsed.value.id !== providerId) {
    return fail(
      'AGENT_PROTOCOL',
      `The agent answered a profile for "${providerId.slice(0, 40)}" that is not a valid import.`,
    )
  }
  return parsed
}

/** A built-in provider's profile, as this CLI ships it. */
export function builtinProfile(providerId: string): ProviderProfile | undefined {
  return shipped(providerId)
}

/**
 * The prompts for the secrets of a profile an agent described: none at a terminal (the CLI never
 * asks for a secret in words an agent chose); read from a pipe or file with --secret-stdin, one
 * line per secret field, in the profile's order.
 */
export function agentSecretPrompts(
  ctx: Ctx,
  profile: ProviderProfile,
  atTerminal: boolean,
): Result<string[]> {
  const prompts = secretPrompts(ctx, profile)
  if (!prompts.ok || prompts.value.length === 0 || !atTerminal) return prompts
  return fail(
    'VALIDATION_FAILED',
    `"${profile.id}" is an imported provider whose fields come from the agent, and the CLI does ` +
      'not prompt for a secret an agent describes. Pipe its secrets on stdin (one line each, as ' +
      'tokendeck providers list shows them), or run with TOKENDECK_AGENT=off to add the account ' +
      'from the vault itself.',
  )
}

/** What `accounts add` gives the client's `add` (client/operations.ts). */
export type NewAccountInput = OpRequest<'add'>['account']

export type AddAccount = (
  input: NewAccountInput,
) => Promise<Result<{ account: AccountView; token: TokenView | null }>>

/**
 * Whether `accounts add` logs in now: always, as the window does, so a wrong secret is refused
 * before anything is kept; `--no-verify` adds a remembered secret without a login. A secret that
 * is not remembered is used once, for that login, so it cannot go with --no-verify.
 */
export function loginOnAdd(ctx: Ctx): Result<{ remember: boolean; login?: boolean }> {
  const remember = bool(ctx, 'remember')
  const verify = !bool(ctx, 'no-verify')
  if (!remember) {
    return verify
      ? ok({ remember })
      : fail(
          'VALIDATION_FAILED',
          '--no-verify needs --remember: a secret that is not stored is used once, to log in now.',
        )
  }
  // Sent only when it differs from the default (login only without --remember).
  return ok(verify ? { remember, login: true } : { remember })
}

/**
 * Builds the account from the flags and the secret lines, adds it, and prints the outcome. A
 * first login slower than a second shows `waiting` (default: "Logging in to L (Provider)").
 */
export async function addAccount(
  ctx: Ctx,
  profile: ProviderProfile,
  secretLines: readonly string[],
  add: AddAccount,
  /** The words while waiting, when not this run's own login ("Waiting for the agent (L)"). */
  waiting?: () => string | undefined,
): Promise<number> {
  const label = str(ctx, 'label')!
  const named = { json: ctx.json, fieldName: flagNamer(profile) }
  const fields = plainFields(ctx, profile)
  if (!fields.ok) return report(fields, named)
  const how = loginOnAdd(ctx)
  if (!how.ok) return report(how, ctx)
  const typed = secretsByField(secretFields(profile), secretLines)
  const baseUrl = str(ctx, 'base-url')
  const words = () => waiting?.() ?? loggingIn(label, profile.name)
  const added = await withProgress(words, ctx, () =>
    add({
      label,
      providerId: profile.id,
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      fields: { ...fields.value, ...typed },
      ...how.value,
    }),
  )
  if (!added.ok) {
    const kept = added.details?.accountKept === true
    const hint = kept
      ? uncertainNextStep(label)
      : added.details?.accountKept === false
        ? 'The account was not added.'
        : undefined
    return report(added, { ...named, hint })
  }
  const { account: acc, token } = added.value
  const name = `"${acc.label}" (${acc.providerName})`
  // A browser sign-in, or a profile whose only secret is a one-time code: nothing to store.
  const storable = secretFields(profile).some((f) => !isOneTimeField(f))
  if (ctx.json) {
    printJson({ account: acc, loggedIn: token !== null, ...(token ? { token } : {}) })
  } else if (token && !storable) {
    print(`Added account ${name}: logged in (${validity(token.expiresAt)}).`)
  } else if (!token) {
    print(`Added account ${name} without logging in; its secret is stored encrypted.`)
  } else if (acc.remember) {
    print(
      `Added account ${name}: logged in, the secret works; it is stored encrypted ` +
        `(${validity(token.expiresAt)}).`,
    )
  } else {
    print(
      `Added account ${name}: logged in; the secret was not stored (${validity(token.expiresAt)}).`,
    )
  }
  return EXIT.ok
}

/** What `accounts remove` prints. */
export function printRemoved(
  ctx: Ctx,
  label: string,
  r: Result<{ label: string; liveTokensLeft: number }>,
): number {
  if (!r.ok) {
    const hint =
      r.code === 'CONFLICT'
        ? `Run tokendeck revoke ${quoteArg(label)} --all first, or add --force.`
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
