// Token commands: header and token (the only output that holds a secret, on stdout only), login
// (ensures a valid token, never prints it) and revoke (current, --all, the organization's
// --oldest or all of its tokens with --org, or --uncertain dismissal). Each calls one action.
import { fail, ok, type Result } from '../../shared/result'
import { secretFields, type ProfileField } from '../../shared/providers/profile'
import type { AccountView } from '../../shared/views'
import type { Actions } from '../actions'
import { bool, secretsByField, unlockedVault, type Ctx } from './context'
import { report } from './io'
import {
  printHeader,
  printLogin,
  printReject,
  printRevoke,
  printRevokeMode,
  printToken,
  reportTokenFailure,
} from './output'

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

/** `tokendeck header L`: prints "Authorization: <Scheme> <token>", reusing or minting. */
export async function header(ctx: Ctx): Promise<number> {
  const o = await openAccount(ctx)
  if (!o.ok) return report(o, ctx)
  const h = await o.value.actions.tokens.header(o.value.account.id, 'cli', o.value.typed, {
    confirmEviction: bool(ctx, 'yes'),
  })
  return h.ok ? printHeader(ctx, h.value) : reportTokenFailure(ctx, o.value.account.label, h)
}

/** `tokendeck token L`: prints the bare token. */
export async function token(ctx: Ctx): Promise<number> {
  const o = await openAccount(ctx)
  if (!o.ok) return report(o, ctx)
  const h = await o.value.actions.tokens.header(o.value.account.id, 'cli', o.value.typed, {
    confirmEviction: bool(ctx, 'yes'),
  })
  return h.ok ? printToken(ctx, h.value) : reportTokenFailure(ctx, o.value.account.label, h)
}

/** `tokendeck login L [--force] [--yes] [--secret-stdin]`: ensures a valid token; prints its status. */
export async function login(ctx: Ctx): Promise<number> {
  const o = await openAccount(ctx)
  if (!o.ok) return report(o, ctx)
  const { actions, account, typed } = o.value
  const r = await actions.tokens.login(
    account.id,
    { force: bool(ctx, 'force'), secrets: typed, confirmEviction: bool(ctx, 'yes') },
    'cli',
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
