// A provider's short mark from its name, from letters only: "TPStreams (probed)" is "TP", never
// "T(". Scripts with capitals give up to two initials; scripts without (CJK, Arabic, Hebrew,
// Devanagari, ...) give one letter, which would otherwise join with the next or crowd the badge.

/** One letter with its combining marks (a Devanagari vowel sign, an accent typed separately). */
const LETTER = /\p{L}\p{M}*/u
/** A word: a run of letters, marks and digits; anything else (spaces, punctuation) separates. */
const WORD = /[\p{L}\p{M}\p{N}]+/gu

function hasCase(letter: string): boolean {
  return letter.toUpperCase() !== letter.toLowerCase()
}

/** Up to two initials, upper-cased, or "" when the name has no letter at all. */
export function initials(name: string): string {
  const firsts = (name.normalize('NFC').match(WORD) ?? [])
    .map((word) => LETTER.exec(word)?.[0])
    .filter((l): l is string => l !== undefined)
  const first = firsts[0]
  if (first === undefined) return ''
  if (!hasCase(first)) return first
  const second = firsts[1]
  return second !== undefined && hasCase(second)
    ? (first + second).toUpperCase()
    : first.toUpperCase()
}
