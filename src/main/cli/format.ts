// Text formatting for the CLI's human output: UTC dates, validity phrases and aligned columns
// (state words come from src/shared/state.ts).

/** "2026-11-25 13:00 UTC" */
export function formatUtc(ms: number): string {
  const iso = new Date(ms).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}

/** "token valid until 2026-11-25 13:00 UTC" or "no expiry". */
export function validity(expiresAt: number | null): string {
  return expiresAt === null ? 'no expiry' : `token valid until ${formatUtc(expiresAt)}`
}

/** Pads every column but the last to its widest cell, two spaces apart. */
export function columns(rows: readonly string[][], indent = ''): string[] {
  const widths: number[] = []
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
