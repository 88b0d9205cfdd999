// The CLI's plain writers: the documented exit codes, and lines of text or JSON to stdout or
// stderr, each made terminal-safe (format.ts). Light (no readline, no stream classes): the quick
// path through the agent (quick-header.ts) prints with these; io.ts re-exports them.
import { JSON_ESCAPED, terminalSafe } from './format'

/** The documented exit codes. */
export const EXIT = {
  ok: 0,
  provider: 1,
  usage: 2,
  locked: 3,
  cap: 4,
  ledger: 5,
  cancelled: 130,
} as const

/** Writes text (lines) to stdout, without terminal control characters. */
export function print(text: string): void {
  process.stdout.write(`${terminalSafe(text)}\n`)
}

/**
 * JSON with DEL, the C1 controls and the bidi controls escaped too (JSON.stringify escapes only
 * C0): the same value, and nothing a terminal would act on if it is shown rather than parsed.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value).replace(
    JSON_ESCAPED,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

export function printJson(value: unknown): void {
  process.stdout.write(`${terminalJson(value)}\n`)
}

/** Writes a note for people to stderr (never data, never a secret), terminal-safe. */
export function note(text: string): void {
  process.stderr.write(`${terminalSafe(text)}\n`)
}
