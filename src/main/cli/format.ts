// Text formatting for the CLI's human output: UTC dates, validity phrases, aligned columns, and
// the terminal-safe form of any text it prints (state words come from src/shared/state.ts).
import { BIDI_CLASS, withoutBidi } from '../../shared/controls'

/* eslint-disable no-control-regex -- matching control characters is the point */
/** OSC, DCS, SOS, PM and APC strings (7- or 8-bit introducer) up to their BEL or ST terminator. */
const STRING_SEQUENCE =
  /(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)/
/** CSI sequences, `ESC [` or the 8-bit CSI: parameters, intermediates, one final byte. */
const CSI_SEQUENCE = /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]/
/** The other ESC sequences: intermediates and one final byte (ESC c resets the terminal). */
const ESC_SEQUENCE = /\x1b[\x20-\x2f]*[\x30-\x7e]/
const ESCAPE_SEQUENCE = new RegExp(
  [STRING_SEQUENCE, CSI_SEQUENCE, ESC_SEQUENCE].map((r) => r.source).join('|'),
  'g',
)
/** What is left after those: C0 controls but tab and newline, DEL and C1 controls. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g
/* eslint-enable no-control-regex */
/** What JSON output escapes beyond JSON.stringify's C0: DEL, C1 and the bidi controls. */
export const JSON_ESCAPED = new RegExp(`[\\x7f-\\x9f${BIDI_CLASS}]`, 'g')

/**
 * Text as it may reach a terminal: escape sequences, control characters and bidi controls removed
 * (a label in a hand-edited vault or a server's message cannot retitle the window, clear the
 * screen, rewrite a line or make itself read backwards), tabs become spaces, and newlines stay
 * only in `multiline` text.
 */
export function terminalSafe(text: string, multiline = true): string {
  const clean = withoutBidi(text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '')).replace(
    /\t/g,
    ' ',
  )
  return multiline ? clean : clean.replace(/\n/g, ' ')
}

/** "2026-11-25 13:00 UTC" */
export function formatUtc(ms: number): string {
  const iso = new Date(ms).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}

/** "token valid until 2026-11-25 13:00 UTC" or "no expiry". */
export function validity(expiresAt: number | null): string {
  return expiresAt === null ? 'no expiry' : `token valid until ${formatUtc(expiresAt)}`
}

/** Pads every column but the last to its widest cell, two spaces apart; cells are one line. */
export function columns(rows: readonly string[][], indent = ''): string[] {
  const widths: number[] = []
  rows = rows.map((row) => row.map((cell) => terminalSafe(cell, false)))
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length)
    })
  }
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
  )
}

/** A label as it would be typed in a shell. */
export function quoteArg(s: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}
