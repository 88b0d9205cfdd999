// Keeps secrets and markup out of anything a person or a log will read. Server text is decoded
// first (HTML entities, JSON escapes, percent-encoding, layer after layer), and every secret the
// request carried is masked before, between and after those steps, so no encoding hides one.

const MASK = '[redacted]'
/** Stands for a mask while the text is still being decoded: no decoder or secret makes one. */
const HOLE = '\uE000'
/** Secrets shorter than this are not masked (masking "ab" everywhere would say more than it hides). */
const MIN_SECRET = 3
/** Layers of encoding peeled before a text is given up on as built to hide something. */
const MAX_ROUNDS = 16
const WITHHELD = '[server text withheld: encoded too many times over to check it for secrets]'

// HTML named character references: the ones escapers produce for ASCII (HTML5 names), Latin-1
// (160-255, in order) and the common typographic ones. Names are case-sensitive.
const ASCII_NAMES: Record<string, number> = {
  Tab: 9,
  NewLine: 10,
  excl: 33,
  quot: 34,
  QUOT: 34,
  num: 35,
  dollar: 36,
  percnt: 37,
  amp: 38,
  AMP: 38,
  apos: 39,
  lpar: 40,
  rpar: 41,
  ast: 42,
  midast: 42,
  plus: 43,
  comma: 44,
  period: 46,
  sol: 47,
  colon: 58,
  semi: 59,
  lt: 60,
  LT: 60,
  equals: 61,
  gt: 62,
  GT: 62,
  quest: 63,
  commat: 64,
  lsqb: 91,
  lbrack: 91,
  bsol: 92,
  rsqb: 93,
  rbrack: 93,
  Hat: 94,
  lowbar: 95,
  UnderBar: 95,
  grave: 96,
  DiacriticalGrave: 96,
  lcub: 123,
  lbrace: 123,
  verbar: 124,
  vert: 124,
  VerticalLine: 124,
  rcub: 125,
  rbrace: 125,
}
const LATIN1_NAMES = (
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn ' +
  'sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave ' +
  'Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ' +
  'ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN ' +
  'szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute ' +
  'icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml ' +
  'yacute thorn yuml'
).split(' ')
const OTHER_NAMES: Record<string, number> = {
  OElig: 338,
  oelig: 339,
  Scaron: 352,
  scaron: 353,
  Yuml: 376,
  fnof: 402,
  circ: 710,
  tilde: 732,
  ensp: 8194,
  emsp: 8195,
  thinsp: 8201,
  zwnj: 8204,
  zwj: 8205,
  lrm: 8206,
  rlm: 8207,
  ndash: 8211,
  mdash: 8212,
  lsquo: 8216,
  rsquo: 8217,
  sbquo: 8218,
  ldquo: 8220,
  rdquo: 8221,
  bdquo: 8222,
  dagger: 8224,
  Dagger: 8225,
  bull: 8226,
  hellip: 8230,
  permil: 8240,
  lsaquo: 8249,
  rsaquo: 8250,
  euro: 8364,
  trade: 8482,
  minus: 8722,
}
const NAMED = new Map<string, string>()
for (const [name, cp] of Object.entries(ASCII_NAMES)) NAMED.set(name, String.fromCodePoint(cp))
LATIN1_NAMES.forEach((name, i) => NAMED.set(name, String.fromCodePoint(160 + i)))
for (const [name, cp] of Object.entries(OTHER_NAMES)) NAMED.set(name, String.fromCodePoint(cp))

/** Names HTML also reads without the ";" (the legacy ones an escaper is likeliest to emit). */
const BARE_NAMES = new Set(['amp', 'AMP', 'lt', 'LT', 'gt', 'GT', 'quot', 'QUOT'])

function codePoint(n: number): string {
  // As HTML does: NUL, surrogates and values past Unicode become U+FFFD.
  if (!Number.isFinite(n) || n === 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) {
    return '\uFFFD'
  }
  return String.fromCodePoint(n)
}

/** One layer of HTML character references: &#65; &#x41; (";" optional) and named ones. */
export function decodeHtmlEntities(text: string): string {
  return text.replace(
    /&(?:#[xX]([0-9a-fA-F]{1,8});?|#([0-9]{1,10});?|([A-Za-z][A-Za-z0-9]{1,31})(;?))/g,
    (m, hex?: string, dec?: string, name?: string, semi?: string) => {
      if (hex !== undefined) return codePoint(parseInt(hex, 16))
      if (dec !== undefined) return codePoint(parseInt(dec, 10))
      const ch = NAMED.get(name!)
      if (ch === undefined) return m
      return semi === ';' || BARE_NAMES.has(name!) ? ch : m
    },
  )
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
}

/** One layer of JSON string escapes: \" \\ \/ \b \f \n \r \t and \uXXXX (pairs join up). */
export function decodeJsonEscapes(text: string): string {
  return text.replace(/\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))/g, (_m, hex?: string, c?: string) =>
    hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : JSON_ESCAPES[c!]!,
  )
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function decodePercentRuns(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3)
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16)
    try {
      return UTF8.decode(bytes)
    } catch {
      let latin1 = ''
      for (const b of bytes) latin1 += String.fromCharCode(b)
      return latin1
    }
  })
}

const PERCENT = /%[0-9a-fA-F]{2}/

/**
 * One layer of percent-encoding: each run of %XX read as UTF-8, or as Latin-1 when it is not
 * valid UTF-8 (a server that encodes "é" as %E9). '+' reads as a space inside a word that is
 * percent-encoded (a form-encoded value), and stays '+' elsewhere ("C++"). The masks treat '+'
 * and white space alike anyway, so a form-encoded secret matches whichever way it reads.
 */
export function decodePercent(text: string): string {
  if (!PERCENT.test(text)) return text
  return text
    .split(/(\s+)/)
    .map((word) => (PERCENT.test(word) ? decodePercentRuns(word.replace(/\+/g, ' ')) : word))
    .join('')
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function htmlEscape(s: string, apostrophe: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, apostrophe)
}

/** Every layer the decoders know, peeled to a fixed point (bounded; null when it never settles). */
function decodeFully(text: string, mask: (s: string) => string = (s) => s): string | null {
  let out = mask(text)
  for (let round = 0; round <= MAX_ROUNDS; round++) {
    const next = mask(decodePercent(mask(decodeJsonEscapes(mask(decodeHtmlEntities(out))))))
    if (next === out) return out
    out = next
  }
  return null
}

/**
 * The forms a secret can take in server text: as typed, URL-, form-, JSON- and HTML-encoded, and
 * each of those as the decoders render it (a secret that itself holds "%41" or "&amp;").
 */
function formsOf(secret: string): string[] {
  const encoded = [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    htmlEscape(secret, '&#39;'),
    htmlEscape(secret, '&#x27;'),
    htmlEscape(secret, '&apos;'),
  ]
  const forms = new Set(encoded)
  for (const f of encoded) {
    const d = decodeFully(f)
    if (d !== null) forms.add(d)
  }
  return [...forms]
}

/** A function that replaces every form of every secret with HOLE; identity when there is none. */
function masker(secrets: readonly string[]): (text: string) => string {
  const forms = new Set<string>()
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length < MIN_SECRET) continue
    for (const f of formsOf(s)) if (f.length >= MIN_SECRET) forms.add(f)
  }
  if (forms.size === 0) return (text) => text
  // Longest first, so a secret that contains another is masked whole. White space and '+' match
  // each other: a space may come back form-encoded ("+"), as &nbsp;, or folded.
  const alternatives = [...forms]
    .sort((a, b) => b.length - a.length)
    .map((f) => f.split(/[\s+]/).map(escapeRegExp).join('[\\s+]'))
  const pattern = new RegExp(alternatives.join('|'), 'g')
  return (text) => text.replace(pattern, HOLE)
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

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g

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
  const plain = decodeHtmlEntities(stripMarkup(text))
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(CONTROL, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return cut(plain, max)
}

/**
 * Server text for a message, a field error or a log line: every secret masked in its raw form,
 * then tags removed, then decoded and masked again (`redact`), then folded to one line and
 * masked once more (folding white space can join a secret back up), then cut at `max`. The cut
 * comes last, so it can never leave part of a secret unmasked.
 */
export function serverText(text: string, secrets: readonly string[], max = 160): string {
  const mask = masker(secrets)
  const decoded = decodeFully(stripMarkup(mask(text)), mask)
  if (decoded === null) return cut(WITHHELD, max)
  const folded = mask(decoded.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim())
  // Decoded angle brackets are shown as look-alikes: server text never reads as markup.
  return cut(finish(folded.replace(/</g, '‹').replace(/>/g, '›')), max)
}
