// What an account label is, once for every process: how a typed label becomes a stored one (the
// vault's rule), how a request names an account by label (the agent, the CLI, the window), and
// that labels ignore case. The vault, the IPC contract, the agent protocol and the CLI use these
// (the agent protocol's schema is in label-ref-schema.ts: this file loads no zod, the window uses it).
import { hasControls, withoutControls } from './controls'
import { fail, ok, type Result } from './result'

/** A stored label's length, after cleaning: 1 to 80 characters. */
export const LABEL_MAX = 80

/**
 * The longest label text a request may carry (typed for a new label, or naming an account):
 * longer is refused as malformed before anything is cleaned or looked up.
 */
export const LABEL_INPUT_MAX = 200

/**
 * A typed label as the vault stores it: bidi controls dropped (a right-to-left override would
 * make it read as another label), other control characters turned into spaces, trimmed; then 1
 * to LABEL_MAX characters, or a VALIDATION_FAILED naming the `label` field.
 */
export function cleanLabel(raw: unknown): Result<string> {
  const label = typeof raw === 'string' ? withoutControls(raw, ' ').trim() : ''
  if (label === '' || label.length > LABEL_MAX) {
    return fail('VALIDATION_FAILED', `A label has 1 to ${LABEL_MAX} characters.`, {
      fields: { label: [`1 to ${LABEL_MAX} characters.`] },
    })
  }
  return ok(label)
}

/** Labels ignore case: two labels are the same account when their keys are equal. */
export function labelKey(label: string): string {
  return label.toLowerCase()
}

/** Whether two labels name the same account (labels ignore case). */
export function sameLabel(a: string, b: string): boolean {
  return labelKey(a) === labelKey(b)
}

/**
 * Whether `text` can name an account by label: 1 to LABEL_INPUT_MAX characters, not blank, no
 * control character (a stored label has none, so such a name matches nothing).
 */
export function isLabelRef(text: string): boolean {
  return text.length <= LABEL_INPUT_MAX && text.trim() !== '' && !hasControls(text)
}
