// `tokendeck run` (a command with tokens in its environment only, its output masked, signals
// forwarded, its exit code returned) and `tokendeck inject` (a template with its references
// replaced, written with mode 0600). Tokens come through the agent, or by opening the vault once.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fail, ok, type Result } from '../../shared/result'
import { list, str, type Ctx } from './context'
import { EXIT, report, usage } from './io'
import { Masker } from './mask'
import {
  parseEnvFile,
  parseEnvFlag,
  parseRef,
  tokenResolver,
  TEMPLATE_REF,
  type EnvEntry,
} from './token-refs'

const MAX_FILE = 1024 * 1024

function readSmallFile(file: string, what: string): Result<string> {
  try {
    const st = fs.statSync(file)
    if (!st.isFile()) return fail('NOT_FOUND', `${what} ${file} is not a file.`)
    if (st.size > MAX_FILE) return fail('VALIDATION_FAILED', `${what} is at most 1 MiB.`)
    return ok(fs.readFileSync(file, 'utf8'))
  } catch {
    return fail('NOT_FOUND', `Cannot read ${what} ${file}.`)
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const

/** `tokendeck run [--env NAME=REF]... [--env-file FILE] [--no-masking] -- cmd args...` */
export async function run(ctx: Ctx): Promise<number> {
  const [cmd, ...args] = ctx.args
  if (!cmd) return report(usage('run needs a command after --.'), ctx)
  const entries: EnvEntry[] = []
  const file = str(ctx, 'env-file')
  if (file !== undefined) {
    const text = readSmallFile(file, 'The env file')
    if (!text.ok) return report(text, ctx)
    const parsed = parseEnvFile(text.value)
    if (!parsed.ok) return report(parsed, ctx)
    entries.push(...parsed.value)
  }
  for (const flag of list(ctx, 'env')) {
    const e = parseEnvFlag(flag)
    if (!e.ok) return report(e, ctx)
    entries.push(e.value)
  }
  if (!entries.some((e) => 'ref' in e)) {
    return report(
      usage('run needs at least one --env NAME=LABEL or an env file with references.'),
      ctx,
    )
  }
  const resolve = tokenResolver(ctx, 'tokendeck run')
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.TOKENDECK_PASSPHRASE
  const secrets: string[] = []
  for (const e of entries) {
    if ('value' in e) {
      env[e.name] = e.value
      continue
    }
    const r = await resolve(e.ref)
    if (!r.ok) return report(r, ctx)
    env[e.name] = r.value.value
    secrets.push(...r.value.secrets)
  }
  const masking = ctx.flags['no-masking'] !== true
  const child = spawn(cmd, args, {
    env,
    stdio: ['inherit', masking ? 'pipe' : 'inherit', masking ? 'pipe' : 'inherit'],
  })
  if (masking) {
    child.stdout!.pipe(new Masker(secrets).stream()).pipe(process.stdout)
    child.stderr!.pipe(new Masker(secrets).stream()).pipe(process.stderr)
  }
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal)
  const handlers = SIGNALS.map((s) => [s, forward(s)] as const)
  for (const [s, h] of handlers) process.on(s, h)
  const code = await new Promise<number>((resolveExit) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      process.stderr.write(
        `tokendeck: could not run ${path.basename(cmd)}: ${e.code === 'ENOENT' ? 'not found' : (e.code ?? 'error')}\n`,
      )
      resolveExit(127)
    })
    child.once('close', (c, signal) => {
      // As a shell reports it: 128 + the signal's number for a child ended by a signal.
      const n = signal ? 128 + (os.constants.signals[signal] ?? 0) : (c ?? 1)
      resolveExit(n)
    })
  })
  for (const [s, h] of handlers) process.off(s, h)
  return code
}

/** `tokendeck inject -i TEMPLATE [-o FILE]`: replaces {{ tokendeck://LABEL/token|header }}. */
export async function inject(ctx: Ctx): Promise<number> {
  const input = str(ctx, 'in')
  if (!input) return report(usage('inject needs -i TEMPLATE.'), ctx)
  const text = readSmallFile(input, 'The template')
  if (!text.ok) return report(text, ctx)
  const resolve = tokenResolver(ctx, 'tokendeck inject')
  const values = new Map<string, string>()
  for (const m of text.value.matchAll(TEMPLATE_REF)) {
    const ref = parseRef(m[1]!, { uriOnly: true })!
    const r = await resolve(ref)
    if (!r.ok) return report(r, ctx)
    values.set(m[1]!, r.value.value)
  }
  const out = text.value.replace(TEMPLATE_REF, (_all, uri: string) => values.get(uri) ?? '')
  const target = str(ctx, 'out')
  if (target === undefined) {
    process.stdout.write(out)
    return EXIT.ok
  }
  // Written beside the target with mode 0600 from the start, then renamed over it.
  const tmp = path.join(
    path.dirname(path.resolve(target)),
    `.${path.basename(target)}.tokendeck-tmp`,
  )
  try {
    fs.writeFileSync(tmp, out, { mode: 0o600, flag: 'w' })
    fs.chmodSync(tmp, 0o600)
    fs.renameSync(tmp, target)
  } catch (e) {
    fs.rmSync(tmp, { force: true })
    return report(
      fail(
        'INTERNAL',
        `Could not write ${target}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      ),
      ctx,
    )
  }
  return EXIT.ok
}
