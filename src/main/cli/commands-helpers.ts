// Routes (which account serves which URLs) and the credential helpers that start from a URL:
// `tokendeck git-credential get|store|erase` speaks git's credential protocol. Tokens come
// through the agent when one serves the vault, else by opening it once.
import { fail } from '../../shared/result'
import { unlockedVault, type Ctx } from './context'
import { columns } from './format'
import { EXIT, print, printJson, report } from './io'
import { tokenSource } from './token-source'

/** `tokendeck route add URL_PREFIX LABEL` */
export async function routeAdd(ctx: Ctx): Promise<number> {
  const [prefix, label] = ctx.args as [string, string]
  const v = await unlockedVault(ctx)
  if (!v.ok) return report(v, ctx)
  const r = await v.value.actions.routes.add(prefix, label, 'cli')
  if (!r.ok) return report(r, ctx)
  if (ctx.json) printJson(r.value)
  else print(`${r.value.prefix} -> ${r.value.label}`)
  return EXIT.ok
}

/** `tokendeck route list` */
export async function routeList(ctx: Ctx): Promise<number> {
  const v = await unlockedVault(ctx)
  if (!v.ok) return report(v, ctx)
  const r = v.value.actions.routes.list()
  if (!r.ok) return report(r, ctx)
  if (ctx.json) printJson(r.value)
  else if (r.value.length === 0)
    print('No routes. Add one with tokendeck route add URL_PREFIX LABEL.')
  else
    print(columns([['PREFIX', 'ACCOUNT'], ...r.value.map((x) => [x.prefix, x.label])]).join('\n'))
  return EXIT.ok
}

/** `tokendeck route remove URL_PREFIX` */
export async function routeRemove(ctx: Ctx): Promise<number> {
  const v = await unlockedVault(ctx)
  if (!v.ok) return report(v, ctx)
  const r = await v.value.actions.routes.remove(ctx.args[0]!, 'cli')
  if (!r.ok) return report(r, ctx)
  if (ctx.json) printJson(r.value)
  else print(`Removed the route ${r.value.prefix}.`)
  return EXIT.ok
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
  const source = tokenSource(ctx, `git credential ${action}`)
  const account = await source.match(url)
  if (!account.ok) {
    process.stderr.write(`tokendeck: ${account.message}\n`)
    return EXIT.ok
  }
  if (action === 'erase') {
    const r = await source.reject(account.value.label)
    if (!r.ok && r.code !== 'NOT_FOUND') return report(r, ctx)
    return EXIT.ok
  }
  const h = await source.header(account.value.label)
  if (!h.ok) return report(h, ctx)
  const space = h.value.value.indexOf(' ')
  const scheme = space >= 0 ? h.value.value.slice(0, space) : ''
  const token = space >= 0 ? h.value.value.slice(space + 1) : h.value.value
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
