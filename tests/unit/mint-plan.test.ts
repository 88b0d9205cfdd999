// The replace-at-cap decision as a table: every combination of a current token, "log in
// again", revoke-on-replace, a revoke endpoint and the cap maps to one plan.
import { describe, expect, it } from 'vitest'
import { planMint, type MintPlan, type MintPlanInput } from '../../src/main/vault/ledger/mint-plan'

const base: MintPlanInput = {
  hasCurrent: false,
  force: false,
  revokeOnReplace: true,
  canRevoke: true,
  cap: { used: 5, max: 20 },
}
const atCap = { used: 20, max: 20 }

const rows: [string, Partial<MintPlanInput>, MintPlan['kind']][] = [
  ['a usable token is reused', { hasCurrent: true }, 'reuse'],
  ['a usable token is reused even at the cap', { hasCurrent: true, cap: atCap }, 'reuse'],
  ['no token: mint, nothing to replace', {}, 'keep'],
  ['no token, no cap: mint', { cap: null }, 'keep'],
  ['no token at the cap: refuse', { cap: atCap }, 'refuse'],
  ['no token over the cap (uncertain ones): refuse', { cap: { used: 22, max: 20 } }, 'refuse'],
  [
    'log in again: mint, then revoke the old one',
    { hasCurrent: true, force: true },
    'revoke-after',
  ],
  [
    'log in again at the cap: revoke the old one first',
    { hasCurrent: true, force: true, cap: atCap },
    'revoke-first',
  ],
  [
    'log in again, revoke-on-replace off: keep the old one',
    { hasCurrent: true, force: true, revokeOnReplace: false },
    'keep',
  ],
  [
    'log in again at the cap, revoke-on-replace off: refuse',
    { hasCurrent: true, force: true, revokeOnReplace: false, cap: atCap },
    'refuse',
  ],
  [
    'log in again, no revoke endpoint: keep the old one',
    { hasCurrent: true, force: true, canRevoke: false, cap: null },
    'keep',
  ],
  [
    'log in again at the cap, no revoke endpoint: refuse',
    { hasCurrent: true, force: true, canRevoke: false, cap: atCap },
    'refuse',
  ],
  ['log in again without a token: mint', { force: true }, 'keep'],
  ['log in again without a token at the cap: refuse', { force: true, cap: atCap }, 'refuse'],
  // Evict-oldest caps (cap.onExceed "evictOldest"): the server would end the oldest token.
  [
    'evict-oldest, at the cap, unconfirmed: ask first',
    { cap: atCap, onExceed: 'evictOldest' },
    'confirm-evict',
  ],
  [
    'evict-oldest, over the cap (uncertain ones), unconfirmed: ask first',
    { cap: { used: 22, max: 20 }, onExceed: 'evictOldest' },
    'confirm-evict',
  ],
  [
    'evict-oldest, at the cap, confirmed: mint (the server evicts)',
    { cap: atCap, onExceed: 'evictOldest', confirmEviction: true },
    'evict',
  ],
  [
    'evict-oldest, below the cap: mint, no eviction, nothing to confirm',
    { onExceed: 'evictOldest' },
    'keep',
  ],
  [
    'evict-oldest, log in again at the cap: revoke our own old token first, no eviction',
    { hasCurrent: true, force: true, cap: atCap, onExceed: 'evictOldest' },
    'revoke-first',
  ],
  [
    'evict-oldest, log in again at the cap, revoke-on-replace off: ask first',
    { hasCurrent: true, force: true, revokeOnReplace: false, cap: atCap, onExceed: 'evictOldest' },
    'confirm-evict',
  ],
  [
    'evict-oldest, a usable token at the cap: reuse, confirmed or not',
    { hasCurrent: true, cap: atCap, onExceed: 'evictOldest', confirmEviction: true },
    'reuse',
  ],
  [
    'refuse caps ignore a confirmation',
    { cap: atCap, onExceed: 'refuse', confirmEviction: true },
    'refuse',
  ],
]

describe('planMint', () => {
  it.each(rows)('%s', (_name, input, expected) => {
    expect(planMint({ ...base, ...input }).kind).toBe(expected)
  })
})
