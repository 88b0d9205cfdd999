// Token commands: header and token (the only output that holds a secret, on stdout only), login
// (ensures a valid token, never prints it) and revoke (current, --all, the organization's
// --oldest or all of its tokens with --org, or --uncertain dismissal). Each calls one action; a
// login slower than a second shows progress at a terminal (progress.ts).
import { fail, ok, type Result } from '../../shared/result'
import { secretFields, type ProfileField } from '../../shared/providers/profile'
import { accountSummary } from '../../shared/state'
import type { AccountView } from '../../shared/views'
import type { Actions } from '../actions'
import { bool, secretsByField, unlockedVault, type Ctx } from './context'
import { report, stdinIsTerminal } from './io'
import {
  printHeader,
  printLogin,
  printReject,
  printRevoke,
  printRevokeMode,
  printToken,
  reportTokenFailure,
} from './output'
import { loggingIn, withProgress } from './progress'

interface Opened {
  actions: Actions
  account: AccountView
  /** Secrets typed on stdin (--secret-stdin), by profile field name. */
  typed: Record<string, string> | undefined
}

/**
 * Whether a command that may mint should ask for the secret at a terminal: the account does not
 * remember it, and its token is not one a header can reuse (or `--force` wants a new one).
 */
function needsTypedSecret(ctx: Ctx, a: Actions, label: string): boolean {
  const acc = a.views.account(label)
  if (!acc.ok || acc.value.remember) return false
  const state = accountSummary(acc.value, Date.now()).state
  return bool(ctx, 'force') || (state !== 'active' && state !== 'expiring')
}

/**
 * Unlocks, finds the account by label (or id), and reads typed secrets: with --secret-stdin, or
 * (`mints`) at a terminal when the account needs its secret to log in.
 */
async function openAccount(ctx: Ctx, mints = false): Promise<Result<Opened>> {
  const label = ctx.args[0]!
  let fields: ProfileField[] = []
  const v = await unlockedVault(ctx, (actions) => {
    const asks = mints && stdinIsTerminal() && needsTypedSecret(ctx, actions, label)
    if (!bool(ctx, 'secret-stdin') && !asks) return ok([])
    // The vault is open by now: the profile says which secrets to read.
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

/** The account's header, reused or minted; a login slower than a second shows progress. */
function issue(ctx: Ctx, o: Opened) {
  const { account } = o
  return withProgress(loggingIn(account.label, account.providerName), ctx, () =>
    o.actions.tokens.header(account.id, 'cli', o.typed, { confirmEviction: bool(ctx, 'yes') }),
  )
}

/** `tokendeck header L`: prints "Authorization: <Scheme> <token>", reusing or minting. */
export async function header(ctx: Ctx): Promise<number> {
  const o = await openAccount(ctx, true)
  if (!o.ok) return report(o, ctx)
  const h = await issue(ctx, o.value)
  return h.ok ? printHeader(ctx, h.value) : reportTokenFailure(ctx, o.value.account.label, h)
}

/** `tokendeck token L`: prints the bare token. */
export async function token(ctx: Ctx): Promise<number> {
  const o = await openAccount(ctx, true)
  if (!o.ok) return report(o, ctx)
  const h = await issue(ctx, o.value)
  return h.ok ? printToken(ctx, h.value) : reportTokenFailure(ctx, o.value.account.label, h)
}

/** `tokendeck login L [--force] [--yes] [--secret-stdin]`: ensures a valid token; prints its status. */
export async function login(ctx: Ctx): Promise<number> {
  const o = await openAccount(ctx, true)
  if (!o.ok) return report(o, ctx)
  const { actions, account, typed } = o.value
  const r = await withProgress(loggingIn(account.label, account.providerName), ctx, () =>
    actions.tokens.login(
      account.id,
      { force: bool(ctx, 'force'), secrets: typed, confirmEviction: bool(ctx, 'yes') },
      'cli',
    ),
  )
  if (!r.ok) return reportTokenFailure(ctx, account.label, r)
  return printLogin(ctx, { label: account.label, ...r.value })
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
    return r.ok ? printRevokeMode(ctx, mode, { ...r.value }) : report(r, ctx)
  }
  const r =
    mode === 'oldest'
      ? await actions.tokens.revokeOldest(account.orgKey, 'cli')
      : mode === 'org'
        ? await actions.tokens.revokeOrganization(account.orgKey, 'cli')
        : await actions.tokens.revoke(account.id, { all: mode === 'all' }, 'cli')
  if (!r.ok) return report(r, ctx)
  if (mode === 'oldest' || mode === 'org') return printRevokeMode(ctx, mode, { ...r.value })
  return printRevoke(ctx, account.label, { ...r.value })
}

/** `tokendeck reject L`: the server refused L's current token; the next request gets a new one. */
export async function reject(ctx: Ctx): Promise<number> {
  const o = await openAccount(ctx)
  if (!o.ok) return report(o, ctx)
  const r = await o.value.actions.tokens.reject(o.value.account.id, 'cli')
  return r.ok ? printReject(ctx, r.value) : report(r, ctx)
}
