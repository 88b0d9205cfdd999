// References to tokens for `tokendeck run` and `tokendeck inject`: `LABEL`, `LABEL/token`,
// `LABEL/header` and `tokendeck://LABEL/token|header`, in --env values, env files and templates;
// and their resolution through the token source (token-source.ts).
import { fail, ok, type Result } from '../../shared/result'
import type { Ctx } from './context'
import { tokenSource } from './token-source'

export interface TokenRef {
  label: string
  /** `token`: the bare token; `header`: the whole header value, "<Scheme> <token>". */
  kind: 'token' | 'header'
}

const URI = /^tokendeck:\/\/([^/]+)\/(token|header)$/

/** `LABEL`, `LABEL/token`, `LABEL/header` or the `tokendeck://` form; null when it is none. */
export function parseRef(text: string, o: { uriOnly?: boolean } = {}): TokenRef | null {
  const uri = URI.exec(text)
  if (uri) return { label: uri[1]!, kind: uri[2] as TokenRef['kind'] }
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
  const ref = parseRef(flag.slice(eq + 1))
  if (!ref)
    return fail('VALIDATION_FAILED', `--env ${name}: not a reference to an account's token.`)
  return ok({ name, ref })
}

/**
 * An env file: `NAME=value` lines, `#` comments and blank lines; a value `tokendeck://L/token`
 * (or `/header`) is a reference, anything else passes through as it is (quotes are removed).
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
    const ref = parseRef(value, { uriOnly: true })
    out.push(ref ? { name, ref } : { name, value })
  }
  return ok(out)
}

/** `{{ tokendeck://LABEL/token }}` or `/header` in a template. */
export const TEMPLATE_REF = /\{\{\s*(tokendeck:\/\/[^/\s{}]+\/(?:token|header))\s*\}\}/g

/** A resolved reference: the value to inject, and every secret form of it to mask. */
export interface Resolved {
  value: string
  secrets: string[]
}

/**
 * Resolves references for one run through the token source (the agent, else the vault opened
 * once). Each label and kind is asked once.
 */
export function tokenResolver(
  ctx: Ctx,
  command: string,
): (ref: TokenRef) => Promise<Result<Resolved>> {
  const cache = new Map<string, Promise<Result<Resolved>>>()
  const source = tokenSource(ctx, command)
  return (ref) => {
    const key = `${ref.label.toLowerCase()}\n${ref.kind}`
    let p = cache.get(key)
    if (!p) {
      p = source.header(ref.label).then((h) => (h.ok ? ok(resolvedOf(ref, h.value)) : h))
      cache.set(key, p)
    }
    return p
  }
}

/** The header value is "<Scheme> <token>" (or the bare token for schemeless headers). */
function resolvedOf(ref: TokenRef, h: { value: string }): Resolved {
  const space = h.value.indexOf(' ')
  const token = space >= 0 ? h.value.slice(space + 1) : h.value
  return { value: ref.kind === 'header' ? h.value : token, secrets: [token, h.value] }
}
