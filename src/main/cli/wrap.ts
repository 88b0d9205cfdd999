// Help text at the terminal's width. A line too long breaks between words, and what is left
// flows into the next line when that line continues it (prose at the continuation's indent), so a
// hand-wrapped paragraph is wrapped again as one; otherwise it gets lines of its own. A row of two
// columns ("  --json     machine-readable ...") continues under its second column, a usage line
// after "Usage: tokendeck ". Example command lines ("  $ tokendeck ...") never break: they are
// meant to be copied whole. Lines that fit are left as they are.

/** The width to wrap at: the terminal's columns, or 80 when the stream is not a terminal. */
export function widthOf(stream: { isTTY?: boolean; columns?: number }): number {
  const columns = stream.isTTY === true ? stream.columns : undefined
  return columns !== undefined && columns >= 20 ? columns : 80
}

const leadOf = (line: string): number => /^ */.exec(line)![0].length
const isExample = (line: string): boolean => /^ *\$ /.test(line)
/** Two columns: text, then a gap of two or more spaces, then more text. */
const isRow = (line: string): boolean => /^ *\S.*? {2,}\S/.test(line)

/** Where a broken line continues: under a second column, after "Usage: tokendeck ", or its indent. */
function hangOf(line: string, width: number): number {
  const lead = leadOf(line)
  const usage = /^Usage: tokendeck /.exec(line)
  const column = /^ *\S.*? {2,}(?=\S)/.exec(line)
  const hang = usage ? usage[0].length : column ? column[0].length : lead
  // A second column too far right to hold a few words continues at the indent instead.
  return hang > width - 24 ? lead : hang
}

/**
 * The longest head of `line` that fits `width`, broken at a space after `min` (a word longer than
 * the room stays whole), and the rest without its leading spaces ('' when all of it fits).
 */
function breakOnce(line: string, width: number, min: number): [string, string] {
  if (line.length <= width) return [line, '']
  let cut = line.lastIndexOf(' ', width)
  if (cut < min) cut = line.indexOf(' ', Math.max(width, min))
  if (cut < 0) return [line, '']
  return [line.slice(0, cut).trimEnd(), line.slice(cut).trimStart()]
}

/** One line broken to `width`; continuation lines start at its hang. */
export function wrapLine(line: string, width: number): string[] {
  line = line.trimEnd()
  if (line.length <= width || isExample(line)) return [line]
  const hang = hangOf(line, width)
  const out: string[] = []
  // The first line breaks only inside its last column, never in its indent or padding.
  let [head, rest] = breakOnce(line, width, hang)
  out.push(head)
  while (rest) {
    ;[head, rest] = breakOnce(`${' '.repeat(hang)}${rest}`, width, hang + 1)
    out.push(head)
  }
  return out
}

/** Every line of `text` wrapped to `width`, overflow flowing into lines that continue it. */
export function wrapText(text: string, width: number): string {
  const out: string[] = []
  // What did not fit on the line before, where it would continue, and that line's indent.
  let carry = ''
  let carryHang = 0
  let carryLead = 0
  for (const raw of text.split('\n')) {
    let line = raw.trimEnd()
    if (carry) {
      const lead = leadOf(line)
      const continues =
        line.trim() !== '' &&
        !isExample(line) &&
        !isRow(line) &&
        (lead === carryHang || (lead > carryLead && lead <= carryHang))
      if (continues) line = `${' '.repeat(lead)}${carry} ${line.trimStart()}`
      else out.push(...wrapLine(`${' '.repeat(carryHang)}${carry}`, width))
      carry = ''
    }
    if (line.length <= width || isExample(line)) {
      out.push(line)
      continue
    }
    const hang = hangOf(line, width)
    const [head, rest] = breakOnce(line, width, hang)
    out.push(head)
    carry = rest
    carryHang = hang
    carryLead = leadOf(line)
  }
  if (carry) out.push(...wrapLine(`${' '.repeat(carryHang)}${carry}`, width))
  return out.join('\n')
}
