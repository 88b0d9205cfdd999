// When two provider names or ids would look the same to a person: a compact confusables skeleton
// (after UTS #39's idea, for the characters that imitate Latin letters and digits) that a custom
// profile's name and id are compared with the built-ins' by (providers/registry.ts).

const CONFUSABLE = new Map<string, string>()
/** Each character of `from` reads as the character at the same place in `to`. */
function looksLike(from: string, to: string): void {
  const a = [...from]
  const b = [...to]
  if (a.length !== b.length) throw new Error('confusables table: lengths differ')
  a.forEach((c, i) => CONFUSABLE.set(c, b[i]!))
}
// Cyrillic capitals and small letters that are drawn like Latin ones (some like small capitals).
looksLike('АВЕЅІЈКМНОРСТХУҮԌԚԜӀ', 'abesijkmhopctxyygqwl')
looksLike('аеѕіјорсхуүԁһԛԝӏвкмнтпгиьѵ', 'aesijopcxyydhqwlbkmhtnrubv')
// Greek capitals and small letters.
looksLike('ΑΒΕΖΗΙΚΜΝΟΡΤΥΧϜ', 'abezhikmnoptyxf')
looksLike('αβγεηικνορτυχωϲϳ', 'abyenikvoptuxwcj')
// Latin letters and symbols drawn like others, and the digits read as letters: 0 as o; 1, i,
// I, | and the dotless i as l (in most sans-serif fonts "Il1|" are one stroke).
looksLike('ıɩǀ|ɑɡʏ01i', 'llllagyoll')

/** Invisible characters: format controls (zero-width, bidi) and other default ignorables. */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu
/** Accents and other combining marks, once split off by NFD. */
const MARKS = /\p{M}/gu

function mapped(text: string): string {
  return [...text].map((c) => CONFUSABLE.get(c) ?? c).join('')
}

/**
 * What a name looks like, stripped of what does not show: compatibility forms folded (NFKC:
 * fullwidth and mathematical letters, ligatures), invisible characters and accents removed,
 * look-alike letters and digits mapped to one Latin letter, case folded, "rn" read as "m" and
 * "vv" as "w", and everything that is neither a letter nor a digit (spaces, dots, dashes) left
 * out. Two names with one skeleton can be mistaken for each other.
 */
export function skeleton(text: string): string {
  const plain = text.normalize('NFKC').normalize('NFD').replace(INVISIBLE, '').replace(MARKS, '')
  return mapped(mapped(plain).toLowerCase())
    .replace(/rn/g, 'm')
    .replace(/vv/g, 'w')
    .replace(/[^\p{L}\p{N}]/gu, '')
}

/** A name as an error message can show it: characters outside printable ASCII as U+XXXX. */
export function shownName(text: string): string {
  return [...text]
    .map((c) =>
      /^[\x20-\x7e]$/.test(c)
        ? c
        : `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`,
    )
    .join('')
}
