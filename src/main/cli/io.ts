// The CLI's input and output: exit codes, stdout/stderr writers (text or JSON), the mapping from
// result codes to exit codes, and reading passphrases and secrets from stdin without echo.
// Every writer here makes its text terminal-safe (format.ts terminalSafe): labels from a
// hand-edited vault and server messages can hold escape sequences.
import readline from 'node:readline'
import tty from 'node:tty'
import { Writable, type Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { fail, ok, type ErrorCode, type Failure, type Result } from '../../shared/result'
import { terminalSafe } from './format'
import { EXIT, terminalJson } from './out'

export { EXIT, note, print, printJson, terminalJson } from './out'

const USAGE_CODES = new Set<ErrorCode>([
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'CONFLICT',
  'URL_REFUSED',
  'VAULT_NOT_FOUND',
  'VAULT_EXISTS',
  'UNSUPPORTED',
  'AGENT_UNSAFE',
  'NOT_TRUSTED',
  'UNSAFE_PATH',
])
const LOCKED_CODES = new Set<ErrorCode>([
  'VAULT_LOCKED',
  'VAULT_BAD_PASSPHRASE',
  'VAULT_CORRUPT',
  'VAULT_TAMPERED',
  'PROTECTION_UNAVAILABLE',
  'PROTECTION_CHANGED',
  'AGENT_UNAVAILABLE',
  'AGENT_DENIED',
  'AGENT_PROTOCOL',
  'VAULT_ROLLED_BACK',
  'VAULT_UPGRADE_NEEDED',
])

/** Result code -> exit code; provider, network and everything unexpected is 1. */
export function exitCodeFor(code: ErrorCode): number {
  if (USAGE_CODES.has(code)) return EXIT.usage
  if (LOCKED_CODES.has(code)) return EXIT.locked
  if (code === 'TOKEN_CAP_REACHED' || code === 'EVICTION_NEEDS_CONFIRMATION') return EXIT.cap
  if (code === 'LEDGER_UNAVAILABLE') return EXIT.ledger
  // Ctrl-C at a prompt: what a shell reports for a command ended by SIGINT (128 + 2).
  if (code === 'CANCELLED') return EXIT.cancelled
  return EXIT.provider
}

export interface ReportOptions {
  json: boolean
  /** Names a field of the failure the way the user typed it ("--org"). */
  fieldName?: (field: string) => string
  /** The next step: one more line under the message (`next` in JSON). */
  hint?: string
}

/**
 * Reports a failure on stderr and returns its exit code. Text: "tokendeck: <message>", one line
 * per field error, then the hint; JSON: {"error": {code, message, fields?, problems?, next?}}.
 * Stdout gets nothing.
 */
export function report(f: Failure, o: ReportOptions): number {
  const problems = Array.isArray(f.details?.problems) ? f.details.problems : undefined
  const asked = CONSENT_HINTS[f.code]
  if (o.json) {
    const error: Record<string, unknown> = { code: f.code, message: f.message }
    if (f.fields) error.fields = f.fields
    if (problems) error.problems = problems
    // What the person is asked to check before confirming (never a secret: labels, hosts, dates).
    if (asked && f.details) error.details = f.details
    // The next step, as text mode prints it under the message.
    if (o.hint) error.next = o.hint
    process.stderr.write(`${terminalJson({ error })}\n`)
    return exitCodeFor(f.code)
  }
  const lines = [`tokendeck: ${f.message}`]
  for (const [field, messages] of Object.entries(f.fields ?? {})) {
    const name = o.fieldName ? o.fieldName(field) : field
    for (const m of messages) lines.push(`  ${name}: ${m}`)
  }
  for (const p of problems ?? []) lines.push(`  ${p}`)
  if (asked) lines.push(...consentLines(f), asked)
  if (o.hint) lines.push(o.hint)
  process.stderr.write(`${terminalSafe(lines.join('\n'))}\n`)
  return exitCodeFor(f.code)
}

/** The command that confirms what an unlock asked about, by the code it asked with. */
const CONSENT_HINTS: Partial<Record<ErrorCode, string>> = {
  VAULT_UPGRADE_NEEDED: 'Check them, then upgrade: tokendeck vault upgrade --yes',
  VAULT_ROLLED_BACK: 'To use this copy anyway: tokendeck vault accept-older --yes',
}

/** The lists an unlock asks a person to check (a format 1 vault's accounts, routes, ...). */
function consentLines(f: Failure): string[] {
  const out: string[] = []
  for (const [name, title] of [
    ['accounts', 'Accounts and their servers'],
    ['routes', 'Routes'],
    ['gateway', 'Gateway'],
    ['settings', 'Settings changed from their defaults'],
    ['reset', 'Reset by the upgrade, not trusted'],
  ] as const) {
    const items = f.details?.[name]
    if (!Array.isArray(items) || items.length === 0) continue
    out.push(`${title}:`, ...items.map((i) => `  - ${i}`))
  }
  return out
}

/** A usage error (exit 2) as a Failure, so it is reported like any other. */
export function usage(message: string): Failure {
  return fail('VALIDATION_FAILED', message)
}

const MAX_STDIN = 64 * 1024

/** Whether stdin is a terminal (a person to ask), without opening process.stdin. */
export function stdinIsTerminal(): boolean {
  return tty.isatty(0)
}

/** What the reader needs of stdin: a pipe (a PassThrough in tests) or a terminal. */
export type StdinSource = Readable & { isTTY?: boolean; setRawMode?(mode: boolean): unknown }

/**
 * Reads lines from a pipe in steps: what one call does not use stays buffered for the next. Each
 * line loses one trailing "\n" or "\r\n" only; text after the last newline is a line at the end.
 */
function lineReader(stream: Readable): (count: number) => Promise<Result<string[]>> {
  const decoder = new StringDecoder('utf8')
  let text = ''
  let size = 0
  let ended = false
  let wake: (() => void) | undefined
  // Listened to for the whole run: the pipe can end (or fail) between two calls.
  stream.on('end', () => {
    text += decoder.end()
    ended = true
    wake?.()
  })
  stream.on('error', () => {
    ended = true
    wake?.()
  })
  const onData = (chunk: Buffer) => {
    size += chunk.length
    text += decoder.write(chunk)
    wake?.()
  }
  return async (count) => {
    const lines: string[] = []
    for (;;) {
      let i: number
      while (lines.length < count && (i = text.indexOf('\n')) >= 0) {
        const line = text.slice(0, i)
        lines.push(line.endsWith('\r') ? line.slice(0, -1) : line)
        text = text.slice(i + 1)
      }
      if (lines.length < count && ended && text !== '') {
        lines.push(text)
        text = ''
      }
      if (lines.length >= count || ended) return ok(lines)
      if (size > MAX_STDIN) return usage('A line on stdin is too long (64 KiB at most).')
      await new Promise<void>((resolve) => {
        wake = resolve
        stream.on('data', onData)
        stream.resume()
      })
      wake = undefined
      stream.off('data', onData)
      // Paused, the rest waits in the stream's buffer for the next call.
      stream.pause()
    }
  }
}

/** What ended a prompt at a terminal other than a line: Ctrl-C, or Ctrl-D on an empty line. */
type PromptEnd = { line: string } | { interrupted: true } | { ended: true }

/**
 * Lines typed at a terminal, for hidden prompts. Node's readline does the editing (arrows, Home
 * and End, Ctrl-U, Ctrl-W, Ctrl-K, backspace) in raw mode, with its echo written to a stream that
 * drops everything: nothing typed reaches the screen. Only the prompt is written, to stderr.
 * Ctrl-C ends the session (`interrupted`); closing it leaves raw mode, so the terminal echoes
 * again. One session serves every prompt of a run: a line typed ahead is kept for the next one.
 */
function terminalPrompts(stream: StdinSource) {
  const swallow = new Writable({ write: (_chunk, _encoding, done) => done() })
  const rl = readline.createInterface({
    input: stream,
    output: swallow,
    terminal: true,
    historySize: 0,
    prompt: '',
  })
  const lines: string[] = []
  let end: 'interrupted' | 'ended' | undefined
  let wake: (() => void) | undefined
  rl.on('line', (line) => {
    lines.push(line)
    wake?.()
  })
  rl.on('SIGINT', () => {
    end = 'interrupted'
    rl.close()
  })
  rl.on('close', () => {
    end ??= 'ended'
    wake?.()
  })
  return {
    async ask(prompt: string): Promise<PromptEnd> {
      // A prompt can name a field of an imported profile: terminal-safe like every other output.
      process.stderr.write(terminalSafe(prompt, false))
      while (lines.length === 0 && end === undefined) {
        await new Promise<void>((resolve) => (wake = resolve))
        wake = undefined
      }
      process.stderr.write('\n')
      const line = lines.shift()
      if (line !== undefined) return { line }
      return end === 'interrupted' ? { interrupted: true } : { ended: true }
    },
    close: () => rl.close(),
  }
}

/** Stdin read in steps (the passphrase, then the secrets), one value per prompt. */
export interface StdinReader {
  /**
   * One value per prompt: hidden prompts on a terminal, otherwise one line each from the pipe.
   * A missing line is a usage error naming what was expected, numbered from stdin's first line.
   */
  read(prompts: readonly string[]): Promise<Result<string[]>>
  /** Whether stdin is a terminal: values are then asked for with hidden prompts. */
  interactive(): boolean
  /** Destroys stdin if it was read: a paused pipe holds the process open while its writer does. */
  close(): void
}

/** A reader over `open()` (process.stdin), opened on the first read that asks for a value. */
export function stdinReader(open: () => StdinSource = () => process.stdin): StdinReader {
  let stream: StdinSource | undefined
  let lines: ((count: number) => Promise<Result<string[]>>) | undefined
  let terminal: ReturnType<typeof terminalPrompts> | undefined
  let before = 0 // lines already read, to number the missing ones
  return {
    async read(prompts) {
      if (prompts.length === 0) return ok([])
      stream ??= open()
      if (stream.isTTY) {
        terminal ??= terminalPrompts(stream)
        const values: string[] = []
        for (const p of prompts) {
          const got = await terminal.ask(`${p}: `)
          if ('interrupted' in got) return fail('CANCELLED', 'Cancelled; nothing was done.')
          if ('ended' in got) return usage(`stdin ended before the ${p.toLowerCase()}.`)
          values.push(got.line)
        }
        return ok(values)
      }
      lines ??= lineReader(stream)
      const got = await lines(prompts.length)
      if (!got.ok) return got
      const first = before + got.value.length + 1
      before += got.value.length
      if (got.value.length < prompts.length) {
        const missing = prompts
          .slice(got.value.length)
          .map((p, i) => `${p.toLowerCase()} (line ${first + i})`)
        return usage(`stdin ended before the ${missing.join(' and the ')}.`)
      }
      return ok(got.value)
    },
    interactive() {
      stream ??= open()
      return stream.isTTY === true
    },
    close() {
      // Leaves raw mode first: the terminal echoes again whatever ended the prompts.
      terminal?.close()
      stream?.destroy()
    },
  }
}
