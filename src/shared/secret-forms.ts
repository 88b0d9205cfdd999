// The forms a secret can take in text someone will read, and where they are in a text: as typed
// and in another letter case; URL-, form-, JSON- and HTML-encoded; hex; base64 and base64url, also
// inside a longer blob; and any run of RUN or more of its characters. One definition for server
// text (redact.ts) and a child's output (cli/mask.ts, which reads bytes as Latin-1 units).
import { decodeFully } from './decode'
import { RUN, runKind, runPieces, runSpans } from './secret-runs'

export { RUN }

/** Secrets shorter than this are not masked (masking "ab" everywhere would say more than it hides). */
export const MIN_SECRET = 3
/** Secrets of fewer UTF-8 bytes are not looked for in hex or base64 (too short to tell apart). */
export const MIN_ENCODED = 6

/**
 * What a text's units are: UTF-16 code units ('text', any letter case folds), or bytes read as
 * Latin-1 ('bytes', only ASCII letters fold: Latin-1 letters there are pieces of UTF-8).
 */
export type Units = 'text' | 'bytes'

/** The units one position of a form may hold; `space`: any white space too. */
interface Atom {
  chars: string
  space?: boolean
}

/** Where the forms of a set of secrets are in a text. */
export interface SecretMatcher {
  /** True when there is nothing to look for. */
  readonly empty: boolean
  /** Units of text already let out that a stream keeps, so a run that goes on is still seen. */
  readonly context: number
  /** Sorted [start, end) spans of `text` that hold a form; overlapping spans are merged. */
  spans(text: string): [number, number][]
  /** How many units at the end of `text` (none before `from`) could begin a form or a run. */
  holdBack(text: string, from: number): number
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const UTF8 = new TextEncoder()

function latin1(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return s
}

function htmlEscape(s: string, apostrophe: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, apostrophe)
}

/** The encodings a server applies to what it echoes: URL, form, JSON, HTML (the ones it starts from). */
function escapedForms(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
  ]
}

/**
 * The secret as text: as typed, upper- and lower-cased, and each escaped form; each of those as
 * the decoders render it too (a secret that itself holds "%41" or "&amp;").
 */
function textForms(secret: string): string[] {
  const encoded = [
    ...escapedForms(secret),
    htmlEscape(secret, '&#39;'),
    htmlEscape(secret, '&#x27;'),
    htmlEscape(secret, '&apos;'),
    secret.toUpperCase(),
    secret.toLowerCase(),
  ]
  const forms = new Set(encoded)
  for (const f of encoded) {
    const d = decodeFully(f)
    if (d !== null) forms.add(d)
  }
  return [...forms]
}

/** One unit as its own lower case, when that is one unit too (a letter's case is ignored). */
function lowerUnit(c: string, units: Units): string {
  if (units === 'bytes') return c >= 'A' && c <= 'Z' ? c.toLowerCase() : c
  const l = c.toLowerCase()
  return l.length === 1 ? l : c
}

/**
 * A text lower-cased with its length unchanged, for runs (Latin-1 units fold as letters too in
 * 'bytes': at worst a run matches a byte sequence it should not, never the other way round).
 */
function fold(text: string, units: Units): string {
  const lower = text.toLowerCase()
  if (lower.length === text.length) return units === 'text' ? lower.replace(/ς/g, 'σ') : lower
  // Only a few letters grow when lower-cased ("İ"): those stay as they are.
  return [...text].map((ch) => [...ch].map((c) => lowerUnit(c, units)).join('')).join('')
}

/** base64url read as base64: one alphabet for both. */
function unUrl(text: string): string {
  return text.replace(/-/g, '+').replace(/_/g, '/')
}

/** A text form as atoms: either letter case, and white space or '+' for any white space or '+'. */
function literalAtoms(form: string, units: Units): Atom[] {
  return [...form].flatMap((ch) =>
    [...ch].map((c) => {
      if (c === '+' || /\s/.test(c)) return { chars: '+', space: true }
      const up = units === 'bytes' ? (c >= 'a' && c <= 'z' ? c.toUpperCase() : c) : c.toUpperCase()
      const set = new Set([c, lowerUnit(c, units), up.length === 1 ? up : c])
      return { chars: [...set].join('') }
    }),
  )
}

/**
 * The base64 characters that carry `bytes` when they start `offset` bytes into a blob (0, 1 or
 * 2: every alignment there is): the ones whose six bits are all the secret's are one character,
 * the first and last may share bits with the blob's other bytes (or its zero padding) and stand
 * for every character that fits. base64url's '-' and '_' are allowed wherever '+' and '/' are;
 * '=' padding is not part of a form, so it matches with or without.
 */
function base64Form(bytes: Uint8Array, offset: number): { atoms: Atom[]; core: string } {
  const first = 8 * offset
  const last = first + 8 * bytes.length
  const atoms: Atom[] = []
  let core = ''
  for (let j = Math.floor(first / 6); 6 * j < last; j++) {
    let chars = ''
    for (let v = 0; v < 64; v++) {
      let fits = true
      for (let b = 0; b < 6 && fits; b++) {
        const g = 6 * j + b
        if (g < first || g >= last) continue
        const bit = (bytes[(g - first) >> 3]! >> (7 - ((g - first) & 7))) & 1
        fits = ((v >> (5 - b)) & 1) === bit
      }
      if (fits) chars += B64[v]! + (v === 62 ? '-' : v === 63 ? '_' : '')
    }
    atoms.push({ chars })
    // The characters whose six bits are all the secret's: what a run of it is looked for in.
    if (6 * j >= first && 6 * j + 6 <= last) core += chars[0]
  }
  return { atoms, core }
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}

function atomSource(a: Atom): string {
  if (a.chars.length === 1 && !a.space) return escapeRegExp(a.chars)
  return `[${escapeRegExp(a.chars)}${a.space ? '\\s' : ''}]`
}

function atomHas(a: Atom, c: string): boolean {
  return a.chars.includes(c) || (a.space === true && /\s/.test(c))
}

/** Sorts spans and merges the ones that overlap (spans that only touch stay apart). */
function merged(spans: [number, number][]): [number, number][] {
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1])
  const out: [number, number][] = []
  for (const [s, e] of spans) {
    const prev = out[out.length - 1]
    if (prev && s < prev[1]) prev[1] = Math.max(prev[1], e)
    else out.push([s, e])
  }
  return out
}

/** Where every form of every secret is in a text of `units`. */
export function secretMatcher(secrets: readonly string[], units: Units): SecretMatcher {
  const forms = new Map<string, Atom[]>()
  const addForm = (key: string, atoms: Atom[]) => {
    if (atoms.length >= MIN_SECRET && !forms.has(key)) forms.set(key, atoms)
  }
  const asUnits = (s: string) => (units === 'bytes' ? latin1(UTF8.encode(s)) : s)
  const usable = [...new Set(secrets)].filter(
    (s) => typeof s === 'string' && s.length >= MIN_SECRET,
  )
  for (const secret of usable) {
    for (const f of textForms(secret)) addForm(`t:${f}`, literalAtoms(asUnits(f), units))
    const bytes = UTF8.encode(secret)
    if (bytes.length < MIN_ENCODED) continue
    addForm(`h:${hex(bytes)}`, literalAtoms(hex(bytes), units))
    for (const f of new Set(escapedForms(secret))) {
      for (let offset = 0; offset < 3; offset++) {
        addForm(`b${offset}:${f}`, base64Form(UTF8.encode(f), offset).atoms)
      }
    }
  }
  const plain: string[] = []
  const hexes: string[] = []
  const cores: string[] = []
  for (const piece of runPieces(usable)) {
    const bytes = UTF8.encode(piece)
    plain.push(fold(asUnits(piece), units))
    hexes.push(hex(bytes))
    for (let offset = 0; offset < 3; offset++) cores.push(base64Form(bytes, offset).core)
  }
  const kinds = [
    runKind(RUN, (t) => fold(t, units), plain),
    runKind(2 * RUN, (t) => fold(t, units), hexes),
    runKind((4 * RUN) / 3, unUrl, cores),
  ]
  // Longest first, so a secret that holds another is matched whole.
  const all = [...forms.values()].sort((a, b) => b.length - a.length)
  const pattern =
    all.length === 0 ? null : new RegExp(all.map((f) => f.map(atomSource).join('')).join('|'), 'g')

  return {
    empty: pattern === null,
    context: Math.max(...kinds.map((k) => k.length)) - 1,
    spans(text) {
      if (pattern === null) return []
      const out: [number, number][] = []
      for (const m of text.matchAll(pattern)) out.push([m.index, m.index + m[0].length])
      for (const k of kinds) runSpans(k, text, out)
      return merged(out)
    },
    holdBack(text, from) {
      const room = text.length - from
      let keep = 0
      for (const atoms of all) {
        for (let k = Math.min(atoms.length - 1, room); k > keep; k--) {
          const at = text.length - k
          let i = 0
          while (i < k && atomHas(atoms[i]!, text[at + i]!)) i++
          if (i === k) {
            keep = k
            break
          }
        }
      }
      for (const kind of kinds) {
        if (kind.sources.length === 0) continue
        const tail = kind.norm(text.slice(text.length - Math.min(kind.length - 1, room)))
        for (let k = tail.length; k > keep; k--) {
          const piece = tail.slice(tail.length - k)
          if (kind.sources.some((s) => s.includes(piece))) {
            keep = k
            break
          }
        }
      }
      return keep
    },
  }
}

/** `text` with each span replaced by `mask`. */
export function maskSpans(text: string, spans: readonly [number, number][], mask: string): string {
  let out = ''
  let at = 0
  for (const [s, e] of spans) {
    out += text.slice(at, s) + mask
    at = e
  }
  return out + text.slice(at)
}
