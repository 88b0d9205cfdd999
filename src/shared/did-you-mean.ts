// "Did you mean": the closest of a few known words (commands, subcommands, flags, account labels)
// to a mistyped one, by optimal string alignment distance (Damerau-Levenshtein without repeated
// edits of one substring: a swap of two neighbours counts as one edit). Pure; no I/O.

/** Longer input is never compared (argv is the user's, but a label list can be long). */
const MAX_LENGTH = 100

/** Edits between `a` and `b`: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  // d[i][j]: the distance between a's first i characters and b's first j, in one flat array.
  const d = new Array<number>(rows * cols).fill(0)
  for (let i = 0; i < rows; i++) d[i * cols] = i
  for (let j = 0; j < cols; j++) d[j] = j
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1)
      }
      d[i * cols + j] = best
    }
  }
  return d[rows * cols - 1]!
}

/**
 * How many edits still read as a typo of a word this long: none for 1 or 2 characters (any word
 * is one edit from another), 1 up to 5, 2 up to 11, then 3.
 */
function tolerance(length: number): number {
  return length <= 2 ? 0 : length <= 5 ? 1 : length <= 11 ? 2 : 3
}

/**
 * The candidate closest to `word` (case is ignored; the candidate is returned as spelled), or
 * undefined when none is close enough to be a typo. A word of 2 or more characters that starts
 * exactly one candidate suggests it too (`ad` -> `add`). Ties go to the earlier candidate.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase()
  if (w.length === 0 || w.length > MAX_LENGTH) return undefined
  let best: string | undefined
  let bestDistance = Infinity
  const prefixed: string[] = []
  for (const c of candidates) {
    const lc = c.toLowerCase()
    if (lc.length > MAX_LENGTH) continue
    if (w.length >= 2 && lc.startsWith(w) && !prefixed.includes(c)) prefixed.push(c)
    // Far shorter or longer cannot be within the tolerance: skip the table.
    if (Math.abs(lc.length - w.length) > 3) continue
    const dist = editDistance(w, lc)
    if (dist < bestDistance) {
      best = c
      bestDistance = dist
    }
  }
  if (best !== undefined && bestDistance <= tolerance(w.length)) return best
  return prefixed.length === 1 ? prefixed[0] : undefined
}

/** ` Did you mean "x"?` for the closest candidate, or '' when none is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates)
  return c === undefined ? '' : ` Did you mean "${c}"?`
}
