// Token commands: header and token (the only output that holds a secret, on stdout only), login
// (ensures a valid token, never prints it), revoke (current, --all, the organization's --oldest
// or all of its tokens with --org, or --uncertain dismissal) and reject. Each is one operation of
// the client (through the agent, or the vault opened here: connection.ts), written once; a wait
// slower than a second shows progress at a terminal (progress.ts).
import { fail, ok, type Result } from '../../shared/result'
import { REVOKE_MODES } from '../client/operations'
import { bool, type Ctx } from './ctx'
import { accountNamed, withConnection, type CliConnection } from './connection'
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

type Secrets = Record<string, string> | undefined

/**
 * Reads the secrets of account `label` from stdin: its profile says which, in order. At a
 * terminal (asked only when the account needs them), hidden prompts; with --secret-stdin, lines.
 */
async function readSecrets(
  c: CliConnection,
  label: string,
  /** Only these fields (what a NO_SECRET named), or only the one-time codes (--otp-stdin). */
  only?: readonly string[] | 'one-time',
): Promise<Result<Secrets>> {
  const found = await accountNamed(c.client, label)
  if (!found.ok) return found
  const account = found.value
  const profile = await c.client.profile({ providerId: account.providerId })
  if (!profile.ok) return profile
  const { isOneTimeField, secretFields } = await import('../../shared/providers/profile')
  const fields = secretFields(profile.value).filter((f) =>
    only === undefined ? true : only === 'one-time' ? isOneTimeField(f) : only.includes(f.name),
  )
  if (only === 'one-time' && fields.length === 0) {
    return fail('VALIDATION_FAILED', `${account.label} has no one-time code to read (--otp-stdin).`)
  }
  const lines = await c.stdin.read(fields.map((f) => `${f.label} for ${account.label}`))
  if (!lines.ok) return lines
  const { secretsByField } = await import('./account-fields')
  const secrets = secretsByField(fields, lines.value)
  return ok(Object.keys(secrets).length > 0 ? secrets : undefined)
}

/** The words of a wait: the agent's, or this run's own login (with the provider's name). */
const waitWords = (c: CliConnection, label: string) => () => {
  if (c.via() === 'agent') return `Waiting for the agent (${label})`
  const acc = c.opened()?.views.account(label)
  return acc?.ok ? loggingIn(acc.value.label, acc.value.providerName) : loggingIn(label)
}

/**
 * Runs one op that may mint for the account `ctx.args[0]`. With --secret-stdin, the secrets are
 * read first and sent with it. At a terminal, when the account turns out to need its secret (it
 * does not remember it, and no token can be reused), the person is asked and the op runs again.
 */
async function minting<T>(
  ctx: Ctx,
  command: string,
  run: (c: CliConnection, label: string, secrets: Secrets) => Promise<Result<T>>,
  print: (value: T) => number,
): Promise<number> {
  const label = ctx.args[0]!
  return withConnection(ctx, command, async (c) => {
    let secrets: Secrets
    if (bool(ctx, 'secret-stdin') || bool(ctx, 'otp-stdin')) {
      const read = await readSecrets(c, label, bool(ctx, 'secret-stdin') ? undefined : 'one-time')
      if (!read.ok) return report(read, ctx)
      secrets = read.value
    }
    const attempt = () => withProgress(waitWords(c, label), ctx, () => run(c, label, secrets))
    let r = await attempt()
    if (!r.ok && r.code === 'NO_SECRET' && secrets === undefined && stdinIsTerminal()) {
      // Asked for only what the login still needs: a remembered password is not asked again.
      const needed = r.details?.fields
      const read = await readSecrets(c, label, Array.isArray(needed) ? needed : undefined)
      if (!read.ok) return report(read, ctx)
      secrets = read.value
      r = await attempt()
    }
    return r.ok ? print(r.value) : reportTokenFailure(ctx, label, r)
  })
}

const mintOptions = (ctx: Ctx, secrets: Secrets) => ({
  confirmEviction: bool(ctx, 'yes'),
  ...(secrets ? { secrets } : {}),
})

/** `tokendeck header L`: prints "Authorization: <Scheme> <token>", reusing or minting. */
export function header(ctx: Ctx): Promise<number> {
  return minting(
    ctx,
    'tokendeck header',
    (c, label, secrets) => c.client.header({ label, ...mintOptions(ctx, secrets) }),
    (h) => printHeader(ctx, h),
  )
}

/** `tokendeck token L`: prints the bare token. */
export function token(ctx: Ctx): Promise<number> {
  return minting(
    ctx,
    'tokendeck token',
    (c, label, secrets) => c.client.token({ label, ...mintOptions(ctx, secrets) }),
    (h) => printToken(ctx, h),
  )
}

/** `tokendeck login L [--force] [--yes] [--secret-stdin]`: ensures a valid token; prints its status. */
export function login(ctx: Ctx): Promise<number> {
  return minting(
    ctx,
    'tokendeck login',
    (c, label, secrets) =>
      c.client.login({ label, force: bool(ctx, 'force'), ...mintOptions(ctx, secrets) }),
    (r) => printLogin(ctx, r),
  )
}

/** `tokendeck revoke L [--all | --uncertain | --oldest | --org]`. */
export async function revoke(ctx: Ctx): Promise<number> {
  const modes = REVOKE_MODES.filter((m) => m !== 'current' && bool(ctx, m))
  if (modes.length > 1) {
    const given = modes.map((m) => `--${m}`).join(', ')
    return report(fail('VALIDATION_FAILED', `Use one of ${given}, not several.`), ctx)
  }
  const mode = modes[0] ?? 'current'
  return withConnection(ctx, 'tokendeck revoke', async (c) => {
    const r = await c.client.revoke({ label: ctx.args[0]!, mode })
    if (!r.ok) return report(r, ctx)
    const { label, ...rest } = r.value
    return mode === 'current' || mode === 'all'
      ? printRevoke(ctx, label, { ...rest, failures: rest.failures ?? [] })
      : printRevokeMode(ctx, mode, rest)
  })
}

/** `tokendeck reject L`: the server refused L's current token; the next request gets a new one. */
export function reject(ctx: Ctx): Promise<number> {
  return withConnection(ctx, 'tokendeck reject', async (c) => {
    const r = await c.client.reject({ label: ctx.args[0]! })
    return r.ok ? printReject(ctx, r.value) : report(r, ctx)
  })
}
