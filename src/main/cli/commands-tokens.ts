// Token commands: header and token (the only output that holds a secret, on stdout only), login
// (ensures a valid token, never prints it) and revoke (current, --all, or --uncertain dismissal).
import { fail, ok, type Result } from '../../shared/result'
import type { AccountView } from '../../shared/views'
import type { VaultServices } from '../vault'
import { bool, unlockedVault, type Ctx } from './context'
import { quoteArg } from './commands-accounts'
import { plural, validity } from './format'
import { EXIT, print, printJson, report, type ReportOptions } from './io'

interface Opened {
  s: VaultServices
  account: AccountView
  secrets: string[]
}

/** Unlocks, finds the account by label (or id), and reads typed secrets with --secret-stdin. */
async function openAccount(ctx: Ctx): Promise<Result<Opened>> {
  const label = ctx.args[0]!
  const v = await unlockedVault(ctx, (s) => {
    if (!bool(ctx, 'secret-stdin')) return ok([])
    // Secrets are read before unlocking, so find the account's profile from the plain file.
    const data = s.vault.file.read()
    if (!data.ok) return data
    const rec =
      data.value.accounts.find((a) => a.id === label) ??
      data.value.accounts.find((a) => a.label.toLowerCase() === label.toLowerCase())
    if (!rec) return fail('NOT_FOUND', `No account "${label.slice(0, 80)}".`)
    const profile = s.vault.providers().find((p) => p.id === rec.providerId)
    const fields = profile?.fields.filter((f) => f.role === 'secret') ?? []
    return ok(fields.map((f) => `${f.label} for ${rec.label}`))
  })
  if (!v.ok) return v
  const a = v.value.s.accounts.get(label)
  if (!a.ok) return a
  return ok({ s: v.value.s, account: a.value, secrets: v.value.secrets })
}

/** Typed secrets by field name; stdin gave them in the profile's field order. */
function typedSecrets(o: Opened): Record<string, string> | undefined {
  const profile = o.s.vault.registry.get(o.account.providerId)
  const names = profile?.fields.filter((f) => f.role === 'secret').map((f) => f.name) ?? []
  const out: Record<string, string> = {}
  names.forEach((n, i) => {
    if (o.secrets[i]) out[n] = o.secrets[i]
  })
  return Object.keys(out).length > 0 ? out : undefined
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
  const h = await o.value.s.tokens.header(o.value.account.id, { surface: 'cli' })
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
  const h = await o.value.s.tokens.header(o.value.account.id, { surface: 'cli' })
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
  const { s, account } = o.value
  const r = await s.tokens.login(account.id, {
    surface: 'cli',
    force: bool(ctx, 'force'),
    secrets: typedSecrets(o.value),
  })
  if (!r.ok) return report(r, failureOptions(ctx, account.label, r.code))
  if (ctx.json) printJson({ label: account.label, reused: r.value.reused, token: r.value.token })
  else {
    const what = r.value.reused ? 'token reused' : 'logged in'
    print(`${account.label}: ${what} (${validity(r.value.token.expiresAt)})`)
  }
  return EXIT.ok
}

/** `tokendeck revoke L [--all | --uncertain]`. */
export async function revoke(ctx: Ctx): Promise<number> {
  if (bool(ctx, 'all') && bool(ctx, 'uncertain')) {
    return report(fail('VALIDATION_FAILED', 'Use either --all or --uncertain, not both.'), ctx)
  }
  const o = await openAccount(ctx)
  if (!o.ok) return report(o, ctx)
  const { s, account } = o.value
  if (bool(ctx, 'uncertain')) return dismissUncertain(ctx, s, account)
  const r = await s.tokens.revoke(account.id, { surface: 'cli', all: bool(ctx, 'all') })
  if (!r.ok) return report(r, ctx)
  if (ctx.json) printJson(r.value)
  else print(`${account.label}: ${r.value.message}`)
  return r.value.failures.length > 0 ? EXIT.provider : EXIT.ok
}

/** The user checked the server: uncertain tokens of the account stop counting toward the cap. */
async function dismissUncertain(ctx: Ctx, s: VaultServices, account: AccountView) {
  const uncertain = account.tokens.filter((t) => t.state === 'uncertain')
  if (uncertain.length === 0) {
    return report(fail('NOT_FOUND', `"${account.label}" has no uncertain tokens.`), ctx)
  }
  const dismissed: string[] = []
  for (const t of uncertain) {
    const r = await s.tokens.dismissUncertain(t.id, 'cli')
    if (!r.ok) return report(r, ctx)
    dismissed.push(t.id)
  }
  if (ctx.json) printJson({ dismissed })
  else {
    print(
      `${account.label}: dismissed ${plural(dismissed.length, 'uncertain token')}; ` +
        'they no longer count toward the cap.',
    )
  }
  return EXIT.ok
}
