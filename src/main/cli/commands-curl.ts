// `tokendeck curl [L] [--any-host] -- CURL_ARGS...`: the system curl with L's header, handed to it
// as a curl config on its stdin (`--config -`): never in curl's argv or environment. Only to L's
// server: every URL curl would request must be below L's base URL, and options that route the
// request elsewhere, read stdin or write the header unmasked are refused (curl-args.ts). curl's
// exit code is returned; its stderr is masked.
import { spawn } from 'node:child_process'
import os from 'node:os'
import { fail, ok, type Result } from '../../shared/result'
import { bool, type Ctx } from './ctx'
import { curlGroups, urlOutside } from './curl-args'
import { EXIT, report } from './io'
import { Masker } from './mask'
import { accountNamed, cliConnection } from './connection'

/**
 * One `header = "Name: value"` line of curl's config syntax: inside double quotes curl reads
 * `\\` and `\"` as themselves (and \t \n \r \v as controls), so those two are escaped and no
 * control character is let through (a header cannot hold one anyway).
 */
export function curlHeaderConfig(name: string, value: string): Result<string> {
  // eslint-disable-next-line no-control-regex
  const control = /[\x00-\x1f\x7f]/
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || control.test(value)) {
    return fail('BAD_RESPONSE', 'The header cannot be given to curl.')
  }
  const quoted = `${name}: ${value}`.replace(/[\\"]/g, (c) => `\\${c}`)
  return ok(`header = "${quoted}"\n`)
}

/**
 * curl's arguments: `-q` first (curl honours it only there: no .curlrc, whose options TokenDeck
 * cannot see), then our config on stdin, then the user's (a leading `-q` of theirs is ours now).
 * Only `-` (stdin) is in them, never the header.
 */
export function curlArgs(user: readonly string[]): string[] {
  const rest = user[0] === '-q' || user[0] === '--disable' ? user.slice(1) : user
  return ['-q', '--config', '-', ...rest]
}

/** Proxies from the environment: a request to a plain-http (loopback) server goes past them. */
const PROXY_VARS = [
  'http_proxy',
  'HTTP_PROXY',
  'https_proxy',
  'HTTPS_PROXY',
  'all_proxy',
  'ALL_PROXY',
]

/** curl's environment: ours without the passphrase, TLS key logging, and (for http) proxies. */
function curlEnv(env: NodeJS.ProcessEnv, plainHttp: boolean): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env }
  delete out.TOKENDECK_PASSPHRASE
  // A key log would let anyone who captured the traffic read the header.
  delete out.SSLKEYLOGFILE
  if (plainHttp) for (const v of PROXY_VARS) delete out[v]
  return out
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const

/**
 * `tokendeck curl [L] [--any-host] -- CURL_ARGS...`: every URL curl would request must be below
 * L's base URL, and no option may send the request elsewhere, read stdin or write the header
 * unmasked; checked before the token is asked for (`--any-host` allows any URL and route).
 */
export async function curl(ctx: Ctx): Promise<number> {
  const [label, ...user] = ctx.args as [string, ...string[]]
  const anyHost = bool(ctx, 'any-host')
  const groups = curlGroups(user, { anyHost, headerName: 'Authorization' })
  if (!groups.ok) return report(groups, ctx)
  const { client } = cliConnection(ctx, 'tokendeck curl')
  let plainHttp = false
  if (!anyHost) {
    const acc = await accountNamed(client, label)
    if (!acc.ok) return report(acc, ctx)
    const outside = urlOutside(groups.value, acc.value.baseUrl)
    if (outside) return report(fail('URL_REFUSED', outside), ctx)
    plainHttp = acc.value.baseUrl.toLowerCase().startsWith('http:')
  }
  const h = await client.header({ label })
  if (!h.ok) return report(h, ctx)
  // curl -L drops only an Authorization header on another host: known now, checked again.
  const again = curlGroups(user, { anyHost, headerName: h.value.headerName })
  if (!again.ok) return report(again, ctx)
  const config = curlHeaderConfig(h.value.headerName, h.value.value)
  if (!config.ok) return report(config, ctx)
  const child = spawn('curl', curlArgs(user), {
    env: curlEnv(ctx.env, plainHttp),
    stdio: ['pipe', 'inherit', 'pipe'],
  })
  // curl may exit before reading its config (a usage error): that is its own exit code to give.
  child.stdin!.on('error', () => {})
  child.stdin!.end(config.value)
  const token = h.value.value.slice(h.value.value.indexOf(' ') + 1)
  child.stderr!.pipe(new Masker([h.value.value, token]).stream()).pipe(process.stderr)
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal)
  const handlers = SIGNALS.map((s) => [s, forward(s)] as const)
  for (const [s, f] of handlers) process.on(s, f)
  const code = await new Promise<number>((resolve) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      process.stderr.write(
        `tokendeck: could not run curl: ${e.code === 'ENOENT' ? 'not found on PATH' : (e.code ?? 'error')}\n`,
      )
      resolve(127)
    })
    child.once('close', (c, signal) =>
      resolve(signal ? 128 + (os.constants.signals[signal] ?? 0) : (c ?? EXIT.provider)),
    )
  })
  for (const [s, f] of handlers) process.off(s, f)
  return code
}
