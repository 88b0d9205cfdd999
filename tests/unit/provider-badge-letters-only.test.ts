// A provider's badge (the window's ProviderBadge) shows letters only: never punctuation ("T(" for
// "TPStreams (probed)"), digits or symbols; up to two capitals for scripts with case, one letter
// for scripts without (which would otherwise join or crowd the badge).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

// The renderer is outside tsconfig.node.json's program: loaded by path and typed here.
const RENDERER_INITIALS = '../../src/renderer/src/lib/initials'
const { initials } = (await import(/* @vite-ignore */ RENDERER_INITIALS)) as {
  initials: (name: string) => string
}

describe('provider badge initials', () => {
  it.each([
    ['TPStreams (probed)', 'TP'],
    ['TPStreams', 'T'],
    ['xpay', 'X'],
    ['Classic token API', 'CT'],
    ['Evicting Streams', 'ES'],
    ['(beta) payments', 'BP'],
    ['"Quoted" / slashed', 'QS'],
    ['acme-ci', 'AC'],
    ['42 Widgets', 'W'],
    ['🔑 Keys', 'K'],
    ['Ötzi-Pay', 'ÖP'],
    ['e\u0301clair api', 'ÉA'], // a decomposed é counts as one letter
    ['Яндекс Деньги', 'ЯД'],
    ['Ελληνικό api', 'ΕA'],
    ['支付宝 API', '支'], // no case: one letter
    ['بوابة الدفع', 'ب'],
    ['שער תשלומים', 'ש'],
    ['भुगतान सेवा', 'भु'], // a letter with its vowel sign
    ['Pay 支付', 'P'], // a capital and a letter without case are not paired
    ['(—) 123 !!', ''],
    ['', ''],
  ])('%j → %j', (name, mark) => {
    expect(initials(name)).toBe(mark)
  })

  it('is letters and their marks only, for any name (two initials at most: ß upper-cases to SS)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => {
        const mark = initials(name)
        expect(mark).toMatch(/^[\p{L}\p{M}]*$/u)
        expect([...mark.replace(/\p{M}/gu, '')].length).toBeLessThanOrEqual(4)
      }),
      { numRuns: 2000 },
    )
  })
})
