// `tokendeck run` (a command with tokens in its environment only, its output masked, signals
// forwarded, its exit code returned), `tokendeck inject` (a template, from a file or stdin, with
// its references replaced, written safely with mode 0600 to a folder no other user can change)
// and `tokendeck read` (one reference's value). Tokens come through the agent, or by opening the
// vault once.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fail, ok, type Result } from '../../shared/result'
import { writeFileSafely } from '../platform/safe-write'
import { fileProblem, privateFolder } from '../platform/path-safety'
import { bool, list, str, type Ctx } from './ctx'
import { terminalSafe } from './format'
import { EXIT, printJson, report, usage } from './io'
import { Masker } from './mask'
import {
  parseEnvFile,
  parseEnvFlag,
  parseRef,
  parseTemplate,
  tokenResolver,
  uriProblem,
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
  const masking = !bool(ctx, 'no-masking')
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

/** Reads stdin to its end: at most 1 MiB, more is an error rather than a cut. */
function readStdinText(what: string): Promise<Result<string>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    process.stdin.on('data', (d: Buffer) => {
      size += d.length
      if (size > MAX_FILE) {
        process.stdin.destroy()
        resolve(fail('VALIDATION_FAILED', `${what} is at most 1 MiB.`))
      } else chunks.push(d)
    })
    process.stdin.on('end', () => resolve(ok(Buffer.concat(chunks).toString('utf8'))))
    process.stdin.on('error', () => resolve(fail('VALIDATION_FAILED', `Could not read ${what}.`)))
  })
}

const STDIN_TEMPLATE_PASSPHRASE =
  'The template comes on stdin, so the passphrase cannot: start the agent first (tokendeck agent start), set TOKENDECK_PASSPHRASE for this command, or give the template with -i FILE.'

/**
 * `tokendeck inject [-i TEMPLATE | -i -] [-o FILE] [--force]`: replaces every
 * {{ tokendeck://LABEL/token|header }}. The template comes from stdin when -i is absent or `-`.
 * Checked, in this order, before any token is asked for: where the output goes, and that every
 * reference parses (one that does not is an error naming its line and column).
 */
export async function inject(ctx: Ctx): Promise<number> {
  const input = str(ctx, 'in')
  const fromStdin = input === undefined || input === '-'
  if (fromStdin && bool(ctx, 'passphrase-stdin')) {
    return report(usage(STDIN_TEMPLATE_PASSPHRASE), ctx)
  }
  if (input === undefined && process.stdin.isTTY) {
    return report(
      usage(
        'inject needs a template: -i FILE, or on stdin (a pipe; -i - reads this terminal up to Ctrl-D).',
      ),
      ctx,
    )
  }
  const target = str(ctx, 'out')
  // Where the tokens would go is checked before any token is asked for.
  const dest = target === undefined ? undefined : injectTarget(target, bool(ctx, 'force'))
  if (dest && !dest.ok) return report(dest, ctx)
  const text = fromStdin
    ? await readStdinText('The template on stdin')
    : readSmallFile(input, 'The template')
  if (!text.ok) return report(text, ctx)
  const pieces = parseTemplate(text.value)
  if (!pieces.ok) return report(pieces, ctx)
  const resolve = tokenResolver(ctx, 'tokendeck inject')
  const out: string[] = []
  for (const piece of pieces.value) {
    if ('text' in piece) {
      out.push(piece.text)
      continue
    }
    const r = await resolve(piece.ref)
    if (!r.ok) {
      const hint = fromStdin && r.code === 'VAULT_LOCKED' ? STDIN_TEMPLATE_PASSPHRASE : undefined
      return report(r, { json: ctx.json, ...(hint ? { hint } : {}) })
    }
    out.push(r.value.value)
  }
  if (dest === undefined) {
    process.stdout.write(out.join(''))
    return EXIT.ok
  }
  // A fresh O_EXCL | O_NOFOLLOW name beside the target, mode 0600 from the start, renamed over it.
  try {
    writeFileSafely(dest.value, out.join(''), { mode: 0o600 })
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

/**
 * `tokendeck read REF [-n]` (like `op read`): prints one reference's value, the bare token or
 * the header value, through the agent when one serves the vault. A newline follows only at a
 * terminal, and not with -n, so `$(tokendeck read …)` and pipes get the value exactly.
 */
export async function read(ctx: Ctx): Promise<number> {
  const text = ctx.args[0] ?? ''
  const problem = /^tokendeck:/i.test(text) ? uriProblem(text) : null
  const ref = problem ? null : parseRef(text)
  if (!ref) {
    const why = problem ? `${problem}.` : `"${text.slice(0, 80)}" is not a reference.`
    return report(usage(why), {
      json: ctx.json,
      hint: 'read takes tokendeck://LABEL/token or tokendeck://LABEL/header (or LABEL, LABEL/token, LABEL/header).',
    })
  }
  const r = await tokenResolver(ctx, 'tokendeck read')(ref)
  if (!r.ok) return report(r, ctx)
  const value = r.value.value
  if (ctx.json) {
    printJson({ label: r.value.label, kind: ref.kind, value, expiresAt: r.value.expiresAt })
    return EXIT.ok
  }
  const newline = process.stdout.isTTY === true && !bool(ctx, 'no-newline')
  process.stdout.write(`${terminalSafe(value, false)}${newline ? '\n' : ''}`)
  return EXIT.ok
}
