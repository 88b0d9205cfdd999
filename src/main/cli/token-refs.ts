// References to tokens for `tokendeck run`, `inject` and `read`: `LABEL`, `LABEL/token`,
// `LABEL/header` and `tokendeck://LABEL/token|header`, in --env values, env files and templates
// (where one that does not parse is an error naming its place, never left as it is); and their
// resolution through the client (connection.ts: the agent, else the vault opened here).
import { fail, ok, type Result } from '../../shared/result'
import type { Ctx } from './ctx'
import type { Issued } from '../client/operations'
import { cliConnection } from './connection'

export interface TokenRef {
  label: string
  /** `token`: the bare token; `header`: the whole header value, "<Scheme> <token>". */
  kind: 'token' | 'header'
}

const SCHEME = 'tokendeck://'

/**
 * What is wrong with `text` as a `tokendeck://LABEL/token|header` reference, in words; null when
 * nothing is. A label here is one path segment: no `/`, white space or braces.
 */
export function uriProblem(text: string): string | null {
  if (!text.startsWith(SCHEME)) {
    return /^tokendeck:/i.test(text)
      ? `"${shown(text)}" does not start with ${SCHEME} (lower case, two slashes)`
      : `"${shown(text)}" is not a ${SCHEME} reference`
  }
  const parts = text.slice(SCHEME.length).split('/')
  const [label = '', kind] = parts
  if (label === '') return `"${shown(text)}" names no account: ${SCHEME}LABEL/token`
  if (kind === undefined || kind === '') {
    return `"${shown(text)}" says not what to give: end it with /token or /header`
  }
  if (parts.length > 2) {
    return `"${shown(text)}" has more than a label and a kind: ${SCHEME}LABEL/token or /header`
  }
  if (kind !== 'token' && kind !== 'header') {
    return `"${shown(kind)}" is not a kind in "${shown(text)}": use /token or /header`
  }
  if (/[\s{}]/.test(label)) return `the label in "${shown(text)}" holds white space or a brace`
  return null
}

/** A reference as an error message shows it: one line, at most 80 characters. */
function shown(text: string): string {
  const line = text.replace(/\s+/g, ' ')
  return line.length > 80 ? `${line.slice(0, 79)}…` : line
}

/** `LABEL`, `LABEL/token`, `LABEL/header` or the `tokendeck://` form; null when it is none. */
export function parseRef(text: string, o: { uriOnly?: boolean } = {}): TokenRef | null {
  if (text.startsWith(SCHEME)) {
    if (uriProblem(text) !== null) return null
    const [label, kind] = text.slice(SCHEME.length).split('/') as [string, TokenRef['kind']]
    return { label, kind }
  }
  if (o.uriOnly || text === '' || text.includes('://')) return null
  const slash = text.lastIndexOf('/')
  const tail = slash >= 0 ? text.slice(slash + 1) : ''
  if (slash > 0 && (tail === 'token' || tail === 'header')) {
    return { label: text.slice(0, slash), kind: tail }
  }
  return slash >= 0 ? null : { label: text, kind: 'token' }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** One variable for the child: a plain value, or a reference to resolve. */
export type EnvEntry = { name: string; value: string } | { name: string; ref: TokenRef }

/** `--env NAME=REF`: the reference is required (a plain value belongs in the shell). */
export function parseEnvFlag(flag: string): Result<EnvEntry> {
  const eq = flag.indexOf('=')
  const name = eq > 0 ? flag.slice(0, eq) : ''
  if (!ENV_NAME.test(name)) {
    return fail(
      'VALIDATION_FAILED',
      '--env takes NAME=LABEL, NAME=LABEL/token or NAME=LABEL/header.',
    )
  }
  const value = flag.slice(eq + 1)
  const problem = /^tokendeck:/i.test(value) ? uriProblem(value) : null
  if (problem) return fail('VALIDATION_FAILED', `--env ${name}: ${problem}.`)
  const ref = parseRef(value)
  if (!ref)
    return fail('VALIDATION_FAILED', `--env ${name}: not a reference to an account's token.`)
  return ok({ name, ref })
}

/**
 * An env file: `NAME=value` lines, `#` comments and blank lines; a value `tokendeck://L/token`
 * (or `/header`) is a reference, a value starting `tokendeck:` that is not one is an error, and
 * anything else passes through as it is (quotes are removed).
 */
export function parseEnvFile(text: string): Result<EnvEntry[]> {
  const out: EnvEntry[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '' || line.startsWith('#')) continue
    const body = line.startsWith('export ') ? line.slice(7).trim() : line
    const eq = body.indexOf('=')
    const name = eq > 0 ? body.slice(0, eq).trim() : ''
    if (!ENV_NAME.test(name)) {
      return fail('VALIDATION_FAILED', `The env file's line ${i + 1} is not NAME=value.`)
    }
    let value = body.slice(eq + 1).trim()
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
      value = value.slice(1, -1)
    }
    // A value that starts like a reference is one: a mistyped one is an error, not a value.
    if (/^tokendeck:/i.test(value)) {
      const problem = uriProblem(value)
      if (problem) {
        return fail('VALIDATION_FAILED', `The env file's line ${i + 1}: ${problem}.`)
      }
    }
    const ref = parseRef(value, { uriOnly: true })
    out.push(ref ? { name, ref } : { name, value })
  }
  return ok(out)
}

/** A template in pieces: text as it is, and the references to fill in. */
export type TemplatePiece = { text: string } | { ref: TokenRef }

/** The most problems one error lists. */
const MAX_PROBLEMS = 20

/**
 * Splits a template at its `{{ tokendeck://LABEL/token }}` (or `/header`) references. Braces
 * pair innermost first (`{{` then the next `}}`); a pair whose content mentions `tokendeck:` must
 * hold exactly one reference, white space around it allowed. Such a pair that does not parse, a
 * `{{` before a `tokendeck:` that no `}}` closes, or a `}}` after one that no `{{` opens, is an
 * error naming its line and column (1-based, in characters), so no reference is ever left in the
 * output unresolved. Other `{{ … }}` (Helm, Jinja) and a bare `tokendeck://` pass through.
 */
export function parseTemplate(text: string): Result<TemplatePiece[]> {
  const pieces: TemplatePiece[] = []
  const problems: string[] = []
  const at = lineColumn(text)
  const mentions = (from: number, to: number) => /tokendeck:/i.test(text.slice(from, to))
  let done = 0 // text before this index is in `pieces`
  let open: number | null = null
  let last = 0 // the end of the last `{{` or `}}` seen
  for (const m of text.matchAll(/\{\{|\}\}/g)) {
    const i = m.index
    if (m[0] === '{{') {
      if (open !== null && mentions(open, i)) problems.push(`${at(open)}: {{ is not closed by }}`)
      open = i
    } else if (open === null) {
      const mention = text.slice(last, i).search(/tokendeck:/i)
      if (mention >= 0) problems.push(`${at(last + mention)}: }} has no {{ before it`)
    } else {
      const content = text.slice(open + 2, i)
      if (/tokendeck:/i.test(content)) {
        const uri = content.trim()
        const problem = /\s/.test(uri)
          ? `only one reference fits between {{ and }}, as {{ ${SCHEME}LABEL/token }}`
          : uriProblem(uri)
        if (problem) problems.push(`${at(open)}: ${problem}`)
        else {
          pieces.push({ text: text.slice(done, open) }, { ref: parseRef(uri)! })
          done = i + 2
        }
      }
      open = null
    }
    last = i + 2
  }
  if (open !== null && mentions(open, text.length)) {
    problems.push(`${at(open)}: {{ is not closed by }}`)
  }
  if (problems.length > 0) {
    const n = problems.length
    return fail(
      'VALIDATION_FAILED',
      `The template has ${n === 1 ? 'a reference' : `${n} references`} that ${n === 1 ? 'does' : 'do'} not parse; nothing was resolved or written.`,
      { details: { problems: problems.slice(0, MAX_PROBLEMS) } },
    )
  }
  pieces.push({ text: text.slice(done) })
  return ok(pieces.filter((p) => !('text' in p) || p.text !== ''))
}

/** "line 3, column 15" for an index into `text` (columns count characters, not code units). */
function lineColumn(text: string): (index: number) => string {
  const starts = [0]
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return (index) => {
    let [line, high] = [0, starts.length - 1] // the last line starting at or before index
    while (line < high) {
      const mid = (line + high + 1) >> 1
      if (starts[mid]! <= index) line = mid
      else high = mid - 1
    }
    const column = [...text.slice(starts[line], index)].length + 1
    return `line ${line + 1}, column ${column}`
  }
}

/** A resolved reference: the value to inject, and every secret form of it to mask. */
export interface Resolved {
  value: string
  secrets: string[]
  /** The account's label as the vault spells it, and when the token expires (null: never). */
  label: string
  expiresAt: number | null
}

/**
 * Resolves references for one run through the client (the agent, else the vault opened
 * once). Each label and kind is asked once.
 */
export function tokenResolver(
  ctx: Ctx,
  command: string,
): (ref: TokenRef) => Promise<Result<Resolved>> {
  const cache = new Map<string, Promise<Result<Resolved>>>()
  const { client } = cliConnection(ctx, command)
  return (ref) => {
    const key = `${ref.label.toLowerCase()}\n${ref.kind}`
    let p = cache.get(key)
    if (!p) {
      p = client.header({ label: ref.label }).then((h) => (h.ok ? ok(resolvedOf(ref, h.value)) : h))
      cache.set(key, p)
    }
    return p
  }
}

/** The header value is "<Scheme> <token>" (or the bare token for schemeless headers). */
function resolvedOf(ref: TokenRef, h: Issued): Resolved {
  const space = h.value.indexOf(' ')
  const token = space >= 0 ? h.value.slice(space + 1) : h.value
  return {
    value: ref.kind === 'header' ? h.value : token,
    secrets: [token, h.value],
    label: h.label,
    expiresAt: h.expiresAt,
  }
}
