// "Did you mean": the one function behind the CLI's suggestions for commands, subcommands, flags
// and account labels, as a table of typos (and of words too far from anything to suggest).
import { describe, expect, it } from 'vitest'
import { closest, didYouMean, editDistance } from '../../src/shared/did-you-mean'
import { noAccount } from '../../src/shared/state'

const COMMANDS = ['init', 'header', 'token', 'login', 'revoke', 'status', 'log', 'reject', 'run']
const ACCOUNTS_SUBS = ['add', 'list', 'remove', 'keep-ready']
const LABELS = ['acme-prod', 'acme-ci', 'xpay-dev', 'classic-demo']

describe('editDistance (optimal string alignment)', () => {
  it.each([
    ['', '', 0],
    ['header', 'header', 0],
    ['haeder', 'header', 1], // one swap of neighbours
    ['heder', 'header', 1], // one left out
    ['headerr', 'header', 1], // one too many
    ['hexder', 'header', 1], // one wrong
    ['ca', 'abc', 3], // OSA: no edit of a swapped pair again (Damerau would say 2)
    ['status', 'stats', 1],
    ['kitten', 'sitting', 3],
  ])('%j to %j: %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d)
    expect(editDistance(b, a)).toBe(d)
  })
})

describe('closest', () => {
  it.each([
    // commands
    ['haeder', COMMANDS, 'header'],
    ['HEADER', COMMANDS, 'header'],
    ['lgoin', COMMANDS, 'login'],
    ['staus', COMMANDS, 'status'],
    ['revoek', COMMANDS, 'revoke'],
    ['rejct', COMMANDS, 'reject'],
    ['frobnicate', COMMANDS, undefined],
    ['x', COMMANDS, undefined],
    ['lo', COMMANDS, undefined], // a prefix of two: login and log
    // subcommands
    ['ad', ACCOUNTS_SUBS, 'add'], // the only one it starts
    ['lsit', ACCOUNTS_SUBS, 'list'],
    ['rm', ACCOUNTS_SUBS, undefined],
    ['keepready', ACCOUNTS_SUBS, 'keep-ready'],
    // labels
    ['acme-prd', LABELS, 'acme-prod'],
    ['acme-cj', LABELS, 'acme-ci'],
    ['xpay-de', LABELS, 'xpay-dev'],
    ['classic', LABELS, 'classic-demo'],
    ['globex-prod', LABELS, undefined],
    ['acme', LABELS, undefined], // starts two labels: no guess
    // too long to compare
    ['a'.repeat(101), ['a'.repeat(101)], undefined],
  ])('%j among %j: %j', (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected)
  })

  it('breaks a tie by the order of the candidates', () => {
    expect(closest('sat', ['set', 'sit'])).toBe('set')
    expect(closest('sat', ['sit', 'set'])).toBe('sit')
  })

  it('words the suggestion, or says nothing', () => {
    expect(didYouMean('haeder', COMMANDS)).toBe(' Did you mean "header"?')
    expect(didYouMean('frobnicate', COMMANDS)).toBe('')
  })

  it("an unknown label names the vault's closest label, and none without the list", () => {
    const accounts = LABELS.map((label) => ({ label }))
    expect(noAccount('acme-prd', accounts)).toBe('No account "acme-prd". Did you mean "acme-prod"?')
    expect(noAccount('nothing-like-it', accounts)).toBe('No account "nothing-like-it".')
    expect(noAccount('acme-prd')).toBe('No account "acme-prd".')
  })
})
