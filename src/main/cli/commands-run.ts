// `tokendeck run` (a command with tokens in its environment only, its output masked, signals
// forwarded, its exit code returned) and `tokendeck inject` (a template with its references
// replaced, written safely with mode 0600 to a folder no other user can change). Tokens come
// through the agent, or by opening the vault once.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fail, ok, type Result } from '../../shared/result'
import { writeFileSafely } from '../platform/safe-write'
import { fileProblem, privateFolder } from '../platform/path-safety'
import { bool, list, str, type Ctx } from './context'
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

/**
 * Where `inject -o TARGET` may write, checked before any token is asked for: the target's real
 * folder, when no other user can change what is in it (path-safety.ts privateFolder), and no
 * existing target that is a symbolic link or another user's file. `--force` writes anyway (a
 * link is then replaced, never followed). Anything but a regular file is refused either way.
 */
export function injectTarget(target: string, force: boolean): Result<string> {
  const abs = path.resolve(target)
  const name = path.basename(abs)
  if (name === '' || abs === path.parse(abs).root) {
    return fail('VALIDATION_FAILED', `-o ${target} does not name a file.`)
  }
  const folder = privateFolder(path.dirname(abs))
  if (!folder.ok && (folder.code !== 'UNSAFE_PATH' || !force)) {
    return folder.code === 'UNSAFE_PATH'
      ? fail('UNSAFE_PATH', `${folder.message} ${ANOTHER_USER} ${FORCE}`)
      : folder
  }
  // --force past an unsafe folder: its real path still, from fs.realpathSync.
  const dest = path.join(folder.ok ? folder.value : fs.realpathSync(path.dirname(abs)), name)
  let st: fs.Stats
  try {
    st = fs.lstatSync(dest)
  } catch {
    return ok(dest)
  }
  if (!st.isFile() && !st.isSymbolicLink()) {
    return fail('UNSAFE_PATH', `${dest} exists and is not a regular file; nothing was written.`)
  }
  const problem = fileProblem(dest, st)
  if (problem && !force) {
    return fail('UNSAFE_PATH', `${problem} ${ANOTHER_USER} ${FORCE}`)
  }
  return ok(dest)
}

const ANOTHER_USER = 'Another user could redirect or read what TokenDeck writes there.'
const FORCE =
  'Nothing was written: choose a folder only you can write, or pass --force to write anyway (a link there is replaced, never followed).'

/** `tokendeck inject -i TEMPLATE [-o FILE] [--force]`: replaces {{ tokendeck://LABEL/token|header }}. */
export async function inject(ctx: Ctx): Promise<number> {
  const input = str(ctx, 'in')
  if (!input) return report(usage('inject needs -i TEMPLATE.'), ctx)
  const target = str(ctx, 'out')
  // Where the tokens would go is checked before any token is asked for.
  const dest = target === undefined ? undefined : injectTarget(target, bool(ctx, 'force'))
  if (dest && !dest.ok) return report(dest, ctx)
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
  if (dest === undefined) {
    process.stdout.write(out)
    return EXIT.ok
  }
  // A fresh O_EXCL | O_NOFOLLOW name beside the target, mode 0600 from the start, renamed over it.
  try {
    writeFileSafely(dest.value, out, { mode: 0o600 })
  } catch (e) {
    return report(
      fail(
        'INTERNAL',
        `Could not write ${target}: ${(e as NodeJS.ErrnoException).code ?? 'error'}; nothing was written.`,
      ),
      ctx,
    )
  }
  return EXIT.ok
}
