// redact() and serverText(): server text is decoded before secrets are masked, so a secret echoed
// in any encoding (or a mix, or several layers), as hex or base64 (alone or inside a blob), in
// another letter case, or as a run of 12 of its characters never survives, and the text shown is
// decoded, without control or bidi characters.
import { describe, expect, it } from 'vitest'
import { redact, serverText, snippet } from '../../src/shared/redact'

const SECRET = `p@ss w<rd>&"q'+é/100%`
const KEY = 'xpay-demo-secret-key'

function html(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;')
}
function numeric(s: string, hex: boolean): string {
  return [...s]
    .map((c) => `&#${hex ? 'x' + c.codePointAt(0)!.toString(16) : c.codePointAt(0)};`)
    .join('')
}
function jsonEsc(s: string): string {
  return JSON.stringify(s).slice(1, -1)
}
function unicodeEsc(s: string): string {
  return [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')
}
function form(s: string): string {
  return new URLSearchParams({ s }).toString().slice(2)
}
function percentAll(s: string): string {
  return [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')
}

describe('redact: decode first, then mask', () => {
  const encodings: [string, (s: string) => string][] = [
    ['raw', (s) => s],
    ['HTML-escaped', html],
    ['decimal entities', (s) => numeric(s, false)],
    ['hex entities', (s) => numeric(s, true)],
    ['JSON-escaped', jsonEsc],
    ['\\u-escaped', unicodeEsc],
    ['URL-encoded', encodeURIComponent],
    ['form-encoded (+ for space)', form],
    ['every byte percent-encoded', percentAll],
    ['HTML of URL', (s) => html(encodeURIComponent(s))],
    ['URL of HTML', (s) => encodeURIComponent(html(s))],
    ['JSON of HTML of form', (s) => jsonEsc(html(form(s)))],
    [
      'URL-encoded three times',
      (s) => encodeURIComponent(encodeURIComponent(encodeURIComponent(s))),
    ],
    [
      'a mix inside the secret',
      (s) => html(s.slice(0, 4)) + encodeURIComponent(s.slice(4, 9)) + unicodeEsc(s.slice(9)),
    ],
  ]

  it.each(encodings)('masks a secret echoed %s', (_name, encode) => {
    for (const secret of [SECRET, KEY, 'hunter2']) {
      const text = `Invalid value "${encode(secret)}" for password.`
      const out = redact(text, [secret])
      expect(out).not.toContain(secret)
      expect(out).toContain('[redacted]')
      // Nothing that decodes back to the secret either.
      expect(redact(out, [])).not.toContain(secret)
      const shown = serverText(text, [secret], 300)
      expect(shown).not.toContain(secret)
      expect(shown).toContain('[redacted]')
    }
  })

  it('shows the decoded text around the mask', () => {
    expect(redact('Bad &quot;x&quot;: caf%C3%A9 \\u0041 &eacute; &#65;&#x42;', [])).toBe(
      'Bad "x": café A é AB',
    )
    expect(redact(`user=bob&amp;password=${form(SECRET)}`, [SECRET])).toBe(
      'user=bob&password=[redacted]',
    )
    // '+' is a space in a percent-encoded word only ("C++" stays); a '+' for a space matches.
    expect(redact('Use C++ or hunter+two', ['hunter two'])).toBe('Use C++ or [redacted]')
    expect(redact('caf%E9', ['café'])).toBe('[redacted]')
    expect(redact('q=user%3Dbob%2C+pass%3D1', [])).toBe('q=user=bob, pass=1')
  })

  it('masks a secret that itself holds escape-like text, whether echoed raw or encoded', () => {
    for (const secret of ['ab%41cd', 'x&amp;y', 'q\\u0041z', '#65;hunter']) {
      for (const text of [
        secret,
        `&${secret}`,
        `\\${secret}`,
        encodeURIComponent(secret),
        html(secret),
      ]) {
        const out = redact(text, [secret])
        expect(out, text).not.toContain(secret)
        expect(out, text).not.toContain(secret.slice(-5))
      }
    }
  })

  it('withholds text encoded more times over than it will peel', () => {
    let text = 'hunter2'
    for (let i = 0; i < 40; i++) text = encodeURIComponent(`%${text}`)
    expect(redact(text, ['hunter2'])).toMatch(/withheld/)
    expect(serverText(text, ['hunter2'], 40)).not.toContain('hunter2')
  })

  it('serverText masks before tags are stripped and after white space is folded', () => {
    expect(serverText('<b>pass<i>x</i>word</b> no', ['pass<i>x</i>word'])).toBe('[redacted] no')
    // Tags become spaces and runs of white space fold: a secret with a space is masked after.
    expect(serverText('<p>correct</p>\n\t<p>horse</p>', ['correct horse'])).toBe('[redacted]')
    expect(serverText('x&lt;y\r\n z', ['x<y z'])).toBe('[redacted]')
    const long = `${'x'.repeat(150)}${SECRET}`
    const cut = serverText(long, [SECRET], 160)
    expect(cut.length).toBeLessThanOrEqual(160)
    expect(cut).not.toContain(SECRET.slice(0, 4))
  })

  it('snippet stays a markup-free single line', () => {
    expect(snippet('<html><script>x()</script><h1>502 &lt;Bad&gt;</h1>\n</html>')).toBe('502 ‹Bad›')
  })

  it('ignores secrets too short to mask and leaves text without secrets decoded only', () => {
    expect(redact('ab abc', ['ab'])).toBe('ab abc')
    expect(redact('plain', [])).toBe('plain')
  })
})

describe('redact: hex, base64, letter case and runs of a secret', () => {
  const TOKEN = 'tpk_9f8e7d6c5b4a39281706f5e4d3c2b1a0ZZYX'
  const b64 = (b: Buffer) => b.toString('base64')

  it('masks base64 and base64url at every alignment, alone or inside a longer blob', () => {
    for (const secret of [TOKEN, SECRET, KEY]) {
      for (const prefix of ['', 'u', 'us', 'user@example.test:']) {
        for (const suffix of ['', '!', '"}']) {
          const blob = Buffer.from(prefix + secret + suffix)
          for (const text of [
            `Authorization: Basic ${b64(blob)}`,
            `blob=${b64(blob).replace(/=+$/, '')}`,
            `jwt ${blob.toString('base64url')}.sig`,
          ]) {
            const out = redact(text, [secret])
            expect(out, text).toContain('[redacted]')
            // Not one character that carries only the secret's bits is left.
            const core = b64(Buffer.concat([Buffer.alloc(prefix.length % 3), Buffer.from(secret)]))
            const first = Math.ceil((8 * (prefix.length % 3)) / 6)
            const bits = core.slice(
              first,
              Math.floor((8 * ((prefix.length % 3) + Buffer.byteLength(secret))) / 6),
            )
            for (let i = 0; i + 4 <= bits.length; i++) {
              const piece = bits.slice(i, i + 4)
              expect(out.replace(/[-_]/g, (c) => (c === '-' ? '+' : '/'))).not.toContain(piece)
            }
          }
        }
      }
    }
    // The blob's own bytes around the secret stay readable.
    expect(redact(`Basic ${b64(Buffer.from(`dev@acme.test:${TOKEN}`))}`, [TOKEN])).toBe(
      'Basic ZGV2QGFjbWUudGVzdD[redacted]',
    )
  })

  it('masks hex in either case, and the secret in any letter case', () => {
    const hex = Buffer.from(SECRET).toString('hex')
    expect(redact(`bytes ${hex} end`, [SECRET])).toBe('bytes [redacted] end')
    expect(redact(`BYTES 00${hex.toUpperCase()}FF`, [SECRET])).toBe('BYTES 00[redacted]FF')
    expect(redact(`was ${TOKEN.toUpperCase()} / ${TOKEN.toLowerCase()}`, [TOKEN])).toBe(
      'was [redacted] / [redacted]',
    )
    // Non-ASCII letters too, and the upper case that grows ("ß" is "SS").
    expect(redact('BÄTTERY-STRASSE-42', ['bättery-straße-42'])).toBe('[redacted]')
    expect(serverText('user PÄSSWÖRD-ÄÖÜ rejected', ['pässwörd-äöü'])).toBe(
      'user [redacted] rejected',
    )
  })

  it('masks any run of 12 or more characters of a secret, whole; 11 are not a run', () => {
    expect(redact(`got "${TOKEN.slice(5, 17)}"`, [TOKEN])).toBe('got "[redacted]"')
    expect(redact(`got ${TOKEN.slice(3, 30)}…`, [TOKEN])).toBe('got [redacted]…')
    expect(redact(`prefix ${TOKEN.slice(0, 20).toUpperCase()}`, [TOKEN])).toBe('prefix [redacted]')
    expect(redact(`got ${TOKEN.slice(5, 16)}`, [TOKEN])).toBe(`got ${TOKEN.slice(5, 16)}`)
    // Two runs apart, each masked; what lies between them is not the secret's and stays.
    expect(redact(`${TOKEN.slice(0, 12)} and ${TOKEN.slice(20, 34)}`, [TOKEN])).toBe(
      '[redacted] and [redacted]',
    )
    // Runs of its hex (24 digits) and base64 (16 characters) are 12 of its bytes.
    const hex = Buffer.from(TOKEN).toString('hex')
    expect(redact(`h=${hex.slice(10, 34)}`, [TOKEN])).toBe('h=[redacted]')
    expect(redact(`h=${hex.slice(10, 32)}`, [TOKEN])).toBe(`h=${hex.slice(10, 32)}`)
    const core = b64(Buffer.from(TOKEN))
    expect(redact(`b=${core.slice(8, 24)}`, [TOKEN])).toBe('b=[redacted]')
  })

  it('a short secret is masked only whole: no runs, hex or base64 of it, no text eaten around', () => {
    expect(redact('pin 1234 in 0x31323334 or MTIzNA==', ['1234'])).toBe(
      'pin [redacted] in 0x31323334 or MTIzNA==',
    )
    expect(redact('hunter2 HUNTER2 hunter', ['hunter2'])).toBe('[redacted] [redacted] hunter')
    // A 12-character secret's runs are the secret itself.
    expect(redact('abcdefghijk abcdefghijkl', ['abcdefghijkl'])).toBe('abcdefghijk [redacted]')
  })
})

describe('serverText drops bidirectional controls like other control characters', () => {
  it('strips U+202A-U+202E, U+2066-U+2069, LRM, RLM and ALM', () => {
    const bidi = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c'
    expect(serverText(`Invoice ${bidi}fdp.exe`, [])).toBe('Invoice fdp.exe')
    expect(snippet(`<p>a\u202eb</p>`)).toBe('ab')
    // A secret cut up by them is joined back and masked.
    expect(serverText('pw correct-\u202ehorse\u2066-battery', ['correct-horse-battery'])).toBe(
      'pw [redacted]',
    )
  })
})
