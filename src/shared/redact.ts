// Keeps secrets and markup out of anything a person or a log will read.

const MASK = '[redacted]'

/** Replaces every occurrence of each secret (also URL- and JSON-encoded forms) with a mask. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  const forms = new Set<string>()
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length < 3) continue
    forms.add(s)
    forms.add(encodeURIComponent(s))
    forms.add(JSON.stringify(s).slice(1, -1))
    forms.add(new URLSearchParams({ s }).toString().slice(2))
  }
  // Longest first, so a secret that contains another is masked whole.
  for (const f of [...forms].sort((a, b) => b.length - a.length)) {
    if (f.length >= 3) out = out.split(f).join(MASK)
  }
  return out
}

/**
 * A short, single-line, markup-free excerpt of a response body for an error message:
 * tags and scripts removed, control characters dropped, whitespace folded, cut at `max`.
 */
export function snippet(text: string, max = 160): string {
  const plain = text
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(
      /&(nbsp|amp|lt|gt|quot|#39);/g,
      (m, e: string) => ({ nbsp: ' ', amp: '&', lt: '‹', gt: '›', quot: '"', '#39': "'" })[e] ?? m,
    )
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain
}
