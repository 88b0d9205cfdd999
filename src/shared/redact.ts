// Keeps secrets and markup out of anything a person or a log will read. Server text is decoded
// first (HTML entities, JSON escapes, percent-encoding, layer after layer), and every form of every
// secret the request carried (secret-forms.ts: any encoding, letter case, hex, base64, a run of 12
// of its characters) is masked before, between and after those steps, so no encoding hides one.
import { withoutControls } from './controls'
import { decodeFully, decodeHtmlEntities } from './decode'
import { maskSpans, secretMatcher } from './secret-forms'

const MASK = '[redacted]'
/** Stands for a mask while the text is still being decoded: no decoder or secret makes one. */
const HOLE = '\uE000'
const WITHHELD = '[server text withheld: encoded too many times over to check it for secrets]'

/** A function that replaces every form of every secret with HOLE; identity when there is none. */
function masker(secrets: readonly string[]): (text: string) => string {
  const matcher = secretMatcher(secrets, 'text')
  if (matcher.empty) return (text) => text
  return (text) => maskSpans(text, matcher.spans(text), HOLE)
}

function finish(text: string): string {
  return text.split(HOLE).join(MASK)
}

/**
 * Server text as a person may read it: decoded (HTML entities, JSON escapes, percent-encoding,
 * however many times over, up to a bound), with every form of every secret masked. A text still
 * encoded after the bound is withheld whole.
 */
export function redact(text: string, secrets: readonly string[]): string {
  const decoded = decodeFully(text, masker(secrets))
  return decoded === null ? WITHHELD : finish(decoded)
}

function stripMarkup(text: string): string {
  return text.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<[^>]*>/g, ' ')
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/**
 * A short, single-line, markup-free excerpt of a response body for an error message:
 * tags and scripts removed, entities decoded, control characters dropped, whitespace folded,
 * cut at `max`. Knows no secret: server text goes through `serverText`.
 */
export function snippet(text: string, max = 160): string {
  const plain = withoutControls(decodeHtmlEntities(stripMarkup(text)), ' ')
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(/\s+/g, ' ')
    .trim()
  return cut(plain, max)
}

/**
 * Server text for a message, a field error or a log line: every secret masked in its raw form,
 * then tags removed, then decoded and masked again (`redact`), then control and bidi characters
 * dropped and white space folded to one line, and masked once more (either can join a secret
 * back up), then cut at `max`. The cut
 * comes last, so it can never leave part of a secret unmasked.
 */
export function serverText(text: string, secrets: readonly string[], max = 160): string {
  const mask = masker(secrets)
  const decoded = decodeFully(stripMarkup(mask(text)), mask)
  if (decoded === null) return cut(WITHHELD, max)
  const folded = mask(withoutControls(decoded, ' ').replace(/\s+/g, ' ').trim())
  // Decoded angle brackets are shown as look-alikes: server text never reads as markup.
  return cut(finish(folded.replace(/</g, '‹').replace(/>/g, '›')), max)
}
