// `tokendeck curl [L] -- CURL_ARGS...`: the system curl with L's header, handed to it as a curl
// config on its stdin (`--config -`): never in curl's argv or environment. Arguments that would
// read stdin too are refused. curl's exit code is returned; its stderr is masked.
import { spawn } from 'node:child_process'
import os from 'node:os'
import { fail, ok, type Result } from '../../shared/result'
import type { Ctx } from './context'
import { EXIT, report, usage } from './io'
import { Masker } from './mask'
import { tokenSource } from './token-source'

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
 * curl's arguments: ours first (`-q`, which curl honours only as its first argument, stays
 * first), then the user's. Only `-` (stdin) is in them, never the header.
 */
export function curlArgs(user: readonly string[]): string[] {
  const ours = ['--config', '-']
  const [first, ...rest] = user
  if (first === '-q' || first === '--disable') return [first, ...ours, ...rest]
  return [...ours, ...user]
}

/** Options whose file argument `-` is stdin. */
const DASH_FILE = new Set(['config', 'upload-file', 'cookie'])
/** Options whose `@-` (or `name@-`, `name=<-`) reads stdin. */
const AT_FILE = new Set([
  'data',
  'data-ascii',
  'data-binary',
  'data-urlencode',
  'json',
  'header',
  'proxy-header',
  'write-out',
  'url-query',
  'variable',
  'form',
  'url',
])
const SHORT: Record<string, string> = {
  K: 'config',
  T: 'upload-file',
  b: 'cookie',
  d: 'data',
  F: 'form',
  H: 'header',
  w: 'write-out',
}
/** curl's other short options that take a value: the rest of the bundle is that value. */
const SHORT_WITH_VALUE = new Set('ACDEPQUXYcemortuxyz')

function readsStdin(option: string, value: string | undefined): boolean {
  if (value === undefined) return false
  if (DASH_FILE.has(option)) return value === '-' || (option === 'upload-file' && value === '.')
  return AT_FILE.has(option) && /(^|[=\w])[@<]-(;|$)/.test(value)
}

/**
 * The first of the user's curl options that would read stdin (`-d @-`, `-T -`, `-K -`, `-H @-`,
 * `-F f=@-`, bundled as in `-sd@-`...), by name, or null. curl's stdin carries the header, so
 * such an option would get nothing (after the config) instead of the user's data.
 */
export function stdinOption(user: readonly string[]): string | null {
  for (let i = 0; i < user.length; i++) {
    const a = user[i]!
    if (a.startsWith('--')) {
      const name = a.slice(2)
      if (readsStdin(name, user[i + 1])) return `--${name}`
      continue
    }
    if (!a.startsWith('-') || a === '-') continue
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!
      const long = SHORT[c]
      if (long) {
        const value = j + 1 < a.length ? a.slice(j + 1) : user[i + 1]
        if (readsStdin(long, value)) return `-${c}`
        break
      }
      if (SHORT_WITH_VALUE.has(c)) break
    }
  }
  return null
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const

/** `tokendeck curl [L] -- CURL_ARGS...` */
export async function curl(ctx: Ctx): Promise<number> {
  const [label, ...user] = ctx.args as [string, ...string[]]
  const clash = stdinOption(user)
  if (clash) {
    return report(
      usage(
        `curl's stdin carries the header, so ${clash} cannot read it: give curl a file instead.`,
      ),
      { json: ctx.json, hint: 'For example: -d @body.json, -T file.bin.' },
    )
  }
  const h = await tokenSource(ctx, 'tokendeck curl').header(label)
  if (!h.ok) return report(h, ctx)
  const config = curlHeaderConfig(h.value.headerName, h.value.value)
  if (!config.ok) return report(config, ctx)
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.TOKENDECK_PASSPHRASE
  const child = spawn('curl', curlArgs(user), { env, stdio: ['pipe', 'inherit', 'pipe'] })
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
