// secret-forms.ts, the one definition of where a secret's forms are in a text: what it finds is
// exactly what a slow, obvious search finds (every unit inside some run of 12 or more of the
// secret's characters, any letter case), for text and for bytes; what a stream holds back is
// only an end that could begin a form; and forms are not looked for where they cannot be told
// apart (a short secret's hex or base64).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RUN, secretMatcher, type Units } from '../../src/shared/secret-forms'

/** Every unit of `text` inside a run of RUN or more units of `secret`, case ignored (slowly). */
function naiveCover(text: string, secret: string): boolean[] {
  const t = text.toLowerCase()
  const s = secret.toLowerCase()
  const covered = new Array<boolean>(text.length).fill(false)
  for (let i = 0; i + RUN <= t.length; i++) {
    if (s.includes(t.slice(i, i + RUN))) covered.fill(true, i, i + RUN)
  }
  return covered
}

function cover(spans: [number, number][], length: number): boolean[] {
  const covered = new Array<boolean>(length).fill(false)
  for (const [s, e] of spans) covered.fill(true, s, e)
  return covered
}

const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF'.split(''))

describe('secretMatcher', () => {
  it.each<Units>(['text', 'bytes'])(
    'covers exactly the runs of 12 or more of the secret, in any case (%s, fast-check)',
    (units) => {
      fc.assert(
        fc.property(
          fc.string({ unit: alnum, minLength: 12, maxLength: 60 }),
          fc.array(
            fc.oneof(
              fc.string({ unit: alnum, maxLength: 20 }),
              fc.tuple(fc.nat(), fc.nat({ max: 60 }), fc.boolean()),
            ),
            { maxLength: 12 },
          ),
          (secret, parts) => {
            const text = parts
              .map((p) => {
                if (typeof p === 'string') return p
                const [from, n, upper] = p
                const piece = secret.slice(from % secret.length, (from % secret.length) + n)
                return upper ? piece.toUpperCase() : piece
              })
              .join(' ')
            const m = secretMatcher([secret], units)
            expect(cover(m.spans(text), text.length)).toEqual(naiveCover(text, secret))
          },
        ),
        { numRuns: 400 },
      )
    },
  )

  it('holds back an end that could begin a form or a run, and nothing else', () => {
    const m = secretMatcher(['0123456789abcdefXYZ'], 'text')
    expect(m.holdBack('done\n', 0)).toBe(0)
    expect(m.holdBack('key: 0123', 0)).toBe(4) // the start of the secret
    expect(m.holdBack('part: 89ab', 0)).toBe(4) // could begin a run of it
    expect(m.holdBack('part: 89ab', 8)).toBe(2) // never what was let out already
    expect(m.holdBack('x: 0123456789ABCDEF', 0)).toBe(16) // goes on as the secret could
  })

  it('looks for hex and base64 only from 6 bytes, and runs only in secrets of 12 or more', () => {
    const short = secretMatcher(['12345'], 'text')
    expect(short.spans('x 12345 3132333435 MTIzNDU=')).toEqual([[2, 7]])
    const six = secretMatcher(['123456'], 'text')
    expect(six.spans('3132333435 313233343536 MTIzNDU2')).toEqual([
      [11, 23],
      [24, 32],
    ])
    // An eleven-character secret: its ten-character pieces are not runs.
    expect(secretMatcher(['abcdefghijk'], 'text').spans('abcdefghij')).toEqual([])
  })

  it('ignores what is too short to mask, and empty lists', () => {
    expect(secretMatcher([], 'text').empty).toBe(true)
    expect(secretMatcher(['ab', ''], 'bytes').empty).toBe(true)
    expect(secretMatcher(['ab', ''], 'bytes').spans('ab ab')).toEqual([])
  })
})
