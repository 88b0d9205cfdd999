// Text a shell reads back exactly: sh single quoting (the agent's `export` line for eval, git's
// `!` credential helper line) and the csh/fish form of `agent start -c`.

/* eslint-disable no-control-regex -- refusing control characters is the point */
const CONTROL = /[\x00-\x1f\x7f-\x9f]/
/* eslint-enable no-control-regex */

/** `s` as one word for sh, bash and zsh: always single-quoted, a `'` as `'\''`. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

/**
 * `s` as one word for csh, tcsh and fish alike: every ASCII character but letters, digits and
 * `_./:,+-` behind a backslash, outside quotes. Both shells read `\x` as `x` there (csh's
 * history `!` included, which single quotes would not stop), and neither gives a backslash
 * before punctuation another meaning. Null for control characters, which csh cannot quote.
 */
export function cshQuote(s: string): string | null {
  if (CONTROL.test(s)) return null
  return s.replace(/[^A-Za-z0-9_./:,+\u00a0-\uffff-]/g, (c) => `\\${c}`)
}

/**
 * The line `eval` runs to set TOKENDECK_AGENT_SOCK: `export NAME='…';` for sh (`-s`),
 * `setenv NAME …;` for csh, tcsh and fish (`-c`, as ssh-agent's; fish has `setenv`). Null when
 * the value holds a control character: an eval'd line must give back exactly this path.
 */
export function exportLine(style: 'sh' | 'csh', value: string): string | null {
  if (CONTROL.test(value)) return null
  if (style === 'sh') return `export TOKENDECK_AGENT_SOCK=${shQuote(value)};`
  return `setenv TOKENDECK_AGENT_SOCK ${cshQuote(value)!};`
}
