// The characters no label or server text may bring to a screen, one definition for every surface:
// C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional controls that
// make text read in another order than it is stored ("evil\u202Egpj.exe" shows as "evilexe.jpg").

/** Bidi controls: ALM, LRM, RLM, the embeddings and overrides LRE..RLO, the isolates LRI..PDI. */
export const BIDI_CLASS = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069'
const BIDI = new RegExp(`[${BIDI_CLASS}]`, 'g')
/** C0 controls, DEL, C1 controls, U+2028 and U+2029. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g

const ANY_CONTROL = new RegExp(`[${BIDI_CLASS}]|${CONTROL.source}`)

/**
 * Whether `text` has a character this module strips: a C0 or C1 control, DEL, U+2028/U+2029, or a
 * bidi control. For values that are refused rather than cleaned (names, paths, arguments).
 */
export function hasControls(text: string): boolean {
  return ANY_CONTROL.test(text)
}

/** `text` without bidirectional control characters (they are invisible: nothing to put back). */
export function withoutBidi(text: string): string {
  return text.replace(BIDI, '')
}

/**
 * `text` without bidirectional controls, and with every other control character (newlines and
 * tabs included) replaced by `replacement`.
 */
export function withoutControls(text: string, replacement = ''): string {
  return withoutBidi(text).replace(CONTROL, replacement)
}
