// Token commands: header and token (the only output that holds a secret, on stdout only), login
// (ensures a valid token, never prints it) and revoke (current, --all, the organization's
// --oldest or all of its tokens with --org, or --uncertain dismissal). Each calls one action.
import { fail, ok, type Result } from '../../shared/result'
import { secretFields, type ProfileField } from '../../shared/providers/profile'
import type { AccountView } from '../../shared/views'
import type { Actions } from '../actions'
import { bool, secretsByField, unlockedVault, type Ctx } from './context'
import { quoteArg } from './commands-accounts'
import { validity } from './format'
import { EXIT, note, print, printJson, report, type ReportOptions } from './io'

interface Opened {
  actions: Actions
  account: AccountView
  /** Secrets typed on stdin (--secret-stdin), by profile field name. */
  typed: Record<string, string> | undefined
}

/** Unlocks, finds the account by label (or id), and reads typed secrets with --secret-stdin. */
async function openAccount(ctx: Ctx): Promise<Result<Opened>> {
  const label = ctx.args[0]!
  let fields: ProfileField[] = []
  const v = await unlockedVault(ctx, (actions) => {
    if (!bool(ctx, 'secret-stdin')) return ok([])
    // Secrets are read before unlocking, so the profile comes from the plain part of the file.
    const profile = actions.views.accountProfile(label)
    if (!profile.ok) return profile
    fields = secretFields(profile.value)
    return ok(fields.map((f) => `${f.label} for ${label}`))
  })
  if (!v.ok) return v
  const a = v.value.actions.views.account(label)
  if (!a.ok) return a
  const typed = secretsByField(fields, v.value.secrets)
  return ok({
    actions: v.value.actions,
    account: a.value,
    typed: Object.keys(typed).length > 0 ? typed : undefined,
  })
}

function failureOptions(ctx: Ctx, label: string, code: string): ReportOptions {
  return {
    json: ctx.json,
    hint:
      code === 'NO_SECRET'
        ? `Give it once with: tokendeck login ${quoteArg(label)} --secret-stdin`
        : code === 'TOKEN_CAP_REACHED'
          ? 'See tokendeck status; free a slot with tokendeck revoke <label>.'
          : undefined,
  }
}

/** `tokendeck header L`: prints "Authorization: <Scheme> <token>", reusing or minting. */
export async function header(ctx: Ctx): Promise<number> {
  const o = await openAccount(ctx)
  if (!o.ok) return report(o, ctx)
  const h = await o.value.actions.tokens.header(o.value.account.id, 'cli', o.value.typed)
  if (!h.ok) return report(h, failureOptions(ctx, o.value.account.label, h.code))
  const line = `${h.value.headerName}: ${h.value.value}`
  if (ctx.json) {
    printJson({
      header: line,
      name: h.value.headerName,
      value: h.value.value,
      reused: h.value.reused,
      expiresAt: h.value.expiresAt,
    })
  } else print(line)
  return EXIT.ok
}

/** `tokendeck token L`: prints the bare token. */
export async function token(ctx: Ctx): Promise<number> {
  const o = await openAccount(ctx)
  if (!o.ok) return report(o, ctx)
  const h = await o.value.actions.tokens.header(o.value.account.id, 'cli', o.value.typed)
  if (!h.ok) return report(h, failureOptions(ctx, o.value.account.label, h.code))
  if (ctx.json) {
    printJson({ token: h.value.token, reused: h.value.reused, expiresAt: h.value.expiresAt })
  } else print(h.value.token)
  return EXIT.ok
}

/** `tokendeck login L [--force] [--secret-stdin]`: ensures a valid token; prints its status. */
export async function login(ctx: Ctx): Promise<number> {
  const o = await openAccount(ctx)
  if (!o.ok) return report(o, ctx)
  const { actions, account, typed } = o.value
  const r = await actions.tokens.login(
    account.id,
    { force: bool(ctx, 'force'), secrets: typed },
    'cli',
  )
  if (!r.ok) return report(r, failureOptions(ctx, account.label, r.code))
  if (ctx.json) printJson({ label: account.label, ...r.value })
  else {
    const what = r.value.reused ? 'token reused' : 'logged in'
    print(`${account.label}: ${what} (${validity(r.value.token.expiresAt)})`)
    if (r.value.warning) note(`tokendeck: ${r.value.warning}`)
  }
  return r.value.warning ? EXIT.provider : EXIT.ok
}

const REVOKE_MODES = ['all', 'uncertain', 'oldest', 'org'] as const

/** `tokendeck revoke L [--all | --uncertain | --oldest | --org]`. */
export async function revoke(ctx: Ctx): Promise<number> {
  const modes = REVOKE_MODES.filter((m) => bool(ctx, m))
  if (modes.length > 1) {
    const given = modes.map((m) => `--${m}`).join(', ')
    return report(fail('VALIDATION_FAILED', `Use one of ${given}, not several.`), ctx)
  }
  const o = await openAccount(ctx)
  if (!o.ok) return report(o, ctx)
  const { actions, account } = o.value
  const mode = modes[0]
  if (mode === 'uncertain') {
    const r = await actions.tokens.dismissUncertainOf(account.id, 'cli')
    if (!r.ok) return report(r, ctx)
    if (ctx.json) printJson({ dismissed: r.value.dismissed })
    else print(r.value.message)
    return EXIT.ok
  }
  const r =
    mode === 'oldest'
      ? await actions.tokens.revokeOldest(account.orgKey, 'cli')
      : mode === 'org'
        ? await actions.tokens.revokeOrganization(account.orgKey, 'cli')
        : await actions.tokens.revoke(account.id, { all: mode === 'all' }, 'cli')
  if (!r.ok) return report(r, ctx)
  if (ctx.json) printJson(r.value)
  else
    print(
      mode === 'oldest' || mode === 'org'
        ? r.value.message
        : `${account.label}: ${r.value.message}`,
    )
  return r.value.failures.length > 0 ? EXIT.provider : EXIT.ok
}
