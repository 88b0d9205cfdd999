// Decoders for server text: HTML character references, JSON string escapes and percent-encoding,
// one layer each, and all of them peeled to a fixed point (what redact.ts and secret-forms.ts read).

/** Layers of encoding peeled before a text is given up on as built to hide something. */
export const MAX_ROUNDS = 16

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

/** Every layer the decoders know, peeled to a fixed point (bounded; null when it never settles). */
export function decodeFully(text: string, mask: (s: string) => string = (s) => s): string | null {
  let out = mask(text)
  for (let round = 0; round <= MAX_ROUNDS; round++) {
    const next = mask(decodePercent(mask(decodeJsonEscapes(mask(decodeHtmlEntities(out))))))
    if (next === out) return out
    out = next
  }
  return null
}
