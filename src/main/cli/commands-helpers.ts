// Routes (which account serves which URLs) and the credential helpers that start from a URL:
// `tokendeck git-credential get|store|erase` speaks git's credential protocol,
// `tokendeck credential-helper get` the EngFlow/Bazel credential-helper spec. Tokens and routes
// come through the client (the agent when one serves the vault, else the vault opened here). `tokendeck setup-git` is in commands-setup-git.ts.
import * as z from 'zod/mini'
import { fail, ok, type Result } from '../../shared/result'
import type { Ctx } from './ctx'
import { columns } from './format'
import { EXIT, print, printJson, report } from './io'
import { cliConnection, withConnection } from './connection'

/** `tokendeck route add URL_PREFIX LABEL` */
export function routeAdd(ctx: Ctx): Promise<number> {
  const [prefix, label] = ctx.args as [string, string]
  return withConnection(ctx, 'tokendeck route add', async (c) => {
    const r = await c.client.route({ prefix, label })
    if (!r.ok) return report(r, ctx)
    if (ctx.json) printJson(r.value)
    else print(`${r.value.prefix} -> ${r.value.label}`)
    return EXIT.ok
  })
}

/** `tokendeck route list` */
export function routeList(ctx: Ctx): Promise<number> {
  return withConnection(ctx, 'tokendeck route list', async (c) => {
    const r = await c.client.routes({})
    if (!r.ok) return report(r, ctx)
    if (ctx.json) printJson(r.value)
    else if (r.value.length === 0)
      print('No routes. Add one with tokendeck route add URL_PREFIX LABEL.')
    else
      print(columns([['PREFIX', 'ACCOUNT'], ...r.value.map((x) => [x.prefix, x.label])]).join('\n'))
    return EXIT.ok
  })
}

/** `tokendeck route remove URL_PREFIX` */
export function routeRemove(ctx: Ctx): Promise<number> {
  return withConnection(ctx, 'tokendeck route remove', async (c) => {
    const r = await c.client.unroute({ prefix: ctx.args[0]! })
    if (!r.ok) return report(r, ctx)
    if (ctx.json) printJson(r.value)
    else print(`Removed the route ${r.value.prefix}.`)
    return EXIT.ok
  })
}

/** git's credential description: key=value lines; `key[]` keys collect into lists. */
export function parseCredential(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const line of text.split('\n')) {
    const l = line.replace(/\r$/, '')
    if (l === '') break
    const eq = l.indexOf('=')
    if (eq <= 0) continue
    const key = l.slice(0, eq).replace(/\[\]$/, '')
    out.set(key, [...(out.get(key) ?? []), l.slice(eq + 1)])
  }
  return out
}

function readAllStdin(limit = 64 * 1024): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    process.stdin.setEncoding('utf8')
    process.stdin.on('data', (d: string) => {
      text += d
      if (text.length > limit || text.includes('\n\n')) process.stdin.destroy()
    })
    process.stdin.on('close', () => resolve(text.slice(0, limit)))
    process.stdin.on('end', () => resolve(text.slice(0, limit)))
  })
}

/** A header value "<Scheme> <token>" in its parts; a schemeless value is all token. */
export function splitHeader(value: string): { scheme: string; token: string } {
  const space = value.indexOf(' ')
  return space >= 0
    ? { scheme: value.slice(0, space), token: value.slice(space + 1) }
    : { scheme: '', token: value }
}

/** An expiry (epoch ms) as RFC 3339 in UTC, whole seconds: "2026-11-24T14:43:10Z". */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** A value git puts on one line: no newline or NUL may reach its output. */
const safe = (v: string) => !/[\n\r\0]/.test(v)

/**
 * `tokendeck git-credential get|store|erase` (git's credential helper protocol). `get` answers
 * with the account's token: as `authtype`/`credential` when git offers `capability[]=authtype`
 * (git 2.46+), else as the documented username/password fallback; `ephemeral=true` and
 * `password_expiry_utc` tell git not to keep it. `erase` means the server refused the token.
 * A URL no account serves gets no answer (git tries its next helper).
 */
export async function gitCredential(ctx: Ctx): Promise<number> {
  const action = ctx.args[0]
  if (action !== 'get' && action !== 'store' && action !== 'erase') {
    return report(fail('VALIDATION_FAILED', 'git-credential takes get, store or erase.'), ctx)
  }
  const input = parseCredential(await readAllStdin())
  if (action === 'store') return EXIT.ok // the tokens live in TokenDeck; nothing to store
  const protocol = input.get('protocol')?.[0]
  const host = input.get('host')?.[0]
  if (!protocol || !host) {
    process.stderr.write('tokendeck: git gave no protocol and host; nothing to answer.\n')
    return EXIT.ok
  }
  const path = input.get('path')?.[0]
  const url = `${protocol}://${host}/${path ?? ''}`
  const { client } = cliConnection(ctx, `git credential ${action}`)
  const account = await client.match({ url })
  if (!account.ok) {
    process.stderr.write(`tokendeck: ${account.message}\n`)
    return EXIT.ok
  }
  if (action === 'erase') {
    const r = await client.reject({ label: account.value.label })
    if (!r.ok && r.code !== 'NOT_FOUND') return report(r, ctx)
    return EXIT.ok
  }
  const h = await client.header({ label: account.value.label })
  if (!h.ok) return report(h, ctx)
  const { scheme, token } = splitHeader(h.value.value)
  if (!safe(token) || !safe(scheme)) return report(fail('BAD_RESPONSE', 'Unusable token.'), ctx)
  const lines: string[] = []
  if ((input.get('capability') ?? []).includes('authtype') && scheme) {
    lines.push(
      'capability[]=authtype',
      `authtype=${scheme}`,
      `credential=${token}`,
      'ephemeral=true',
    )
  } else {
    lines.push(`username=${input.get('username')?.[0] ?? 'tokendeck'}`, `password=${token}`)
  }
  if (h.value.expiresAt !== null) {
    lines.push(`password_expiry_utc=${Math.floor(h.value.expiresAt / 1000)}`)
  }
  process.stdout.write(`${lines.join('\n')}\n`)
  return EXIT.ok
}

/** The spec's GetCredentialsRequest: `uri` required, other properties allowed (and ignored). */
const getCredentialsRequest = z.looseObject({ uri: z.string().check(z.maxLength(8192)) })

/** Reads stdin to its end (at most `limit` bytes; more is an error, not a cut). */
function readStdinToEnd(limit = 64 * 1024): Promise<Result<string>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    process.stdin.on('data', (d: Buffer) => {
      size += d.length
      if (size > limit) {
        process.stdin.destroy()
        resolve(fail('VALIDATION_FAILED', 'The request on stdin is too long (64 KiB at most).'))
      } else chunks.push(d)
    })
    process.stdin.on('end', () => resolve(ok(Buffer.concat(chunks).toString('utf8'))))
    process.stdin.on('error', () => resolve(fail('VALIDATION_FAILED', 'Could not read stdin.')))
  })
}

/**
 * The URI as routes see it: gRPC URIs (Bazel's remote cache and execution) match as the https
 * and http URLs of the same host and port; the query (signed URLs carry secrets) is dropped.
 */
export function routableUri(uri: string): Result<string> {
  let u: URL
  try {
    u = new URL(uri.replace(/^grpcs:/i, 'https:').replace(/^grpc:/i, 'http:'))
  } catch {
    return fail('VALIDATION_FAILED', 'The "uri" is not a valid URI.')
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    return fail(
      'VALIDATION_FAILED',
      `TokenDeck serves https, http and gRPC URIs, not ${u.protocol}.`,
    )
  }
  u.search = ''
  u.hash = ''
  u.username = ''
  u.password = ''
  return ok(u.href)
}

/**
 * `tokendeck credential-helper get` (the EngFlow credential-helper spec, which Bazel's
 * --credential_helper speaks): stdin `{"uri": "..."}`, stdout `{"headers": {"<Name>":
 * ["<Scheme> <token>"]}, "expires": "<RFC 3339>"}` for the account that serves the URI. Any
 * failure (another command, bad JSON, a URI no account serves) exits non-zero with words on
 * stderr and nothing on stdout, as the spec asks: the tool must not go on without credentials.
 */
export async function credentialHelper(ctx: Ctx): Promise<number> {
  if (ctx.args[0] !== 'get') {
    return report(
      fail('VALIDATION_FAILED', "credential-helper implements the spec's get command only."),
      { json: ctx.json, hint: 'Usage: tokendeck credential-helper get < {"uri": "https://..."}' },
    )
  }
  const text = await readStdinToEnd()
  if (!text.ok) return report(text, ctx)
  let json: unknown
  try {
    json = JSON.parse(text.value)
  } catch {
    return report(fail('VALIDATION_FAILED', 'stdin is not JSON: expected {"uri": "..."}.'), ctx)
  }
  const request = getCredentialsRequest.safeParse(json)
  if (!request.success) {
    return report(fail('VALIDATION_FAILED', 'stdin must be a JSON object {"uri": "..."}.'), ctx)
  }
  const url = routableUri(request.data.uri)
  if (!url.ok) return report(url, ctx)
  const { client } = cliConnection(ctx, 'tokendeck credential-helper get')
  const account = await client.match({ url: url.value })
  if (!account.ok) return report(account, ctx)
  const h = await client.header({ label: account.value.label })
  if (!h.ok) return report(h, ctx)
  const response: { headers: Record<string, string[]>; expires?: string } = {
    headers: { [h.value.headerName]: [h.value.value] },
  }
  if (h.value.expiresAt !== null) response.expires = rfc3339(h.value.expiresAt)
  process.stdout.write(`${JSON.stringify(response)}\n`)
  return EXIT.ok
}
