// redact() and serverText(): server text is decoded before secrets are masked, so a secret echoed
// in any encoding (or a mix, or several layers) never survives, and the text shown is decoded.
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
