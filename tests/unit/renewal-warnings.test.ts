// The "expires soon and cannot renew" fact (src/shared/state.ts, defined once) and what the tray
// and notifications make of it and of an eviction to confirm: the tray line appears only for an
// account that does not remember its secret, within warnBeforeMinutes of its token's expiry; the
// tray's copy at an evict-oldest cap says to confirm in the window.
import { describe, expect, it } from 'vitest'
import {
  cannotRenewWarnings,
  expiresSoonCannotRenew,
  TOKEN_STATE_WORDS,
} from '../../src/shared/state'
import { buildTrayMenu } from '../../src/main/tray-menu'
import { copyNotice } from '../../src/main/notifications'
import { planRenewal } from '../../src/main/renewal'
import { fail } from '../../src/shared/result'
import type { AccountView, TokenView } from '../../src/shared/views'

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0)
const MIN = 60_000

function account(label: string, remember: boolean, expiresAt: number | null, keepReady = false) {
  const t: TokenView = {
    id: `${label}-t`,
    accountId: `id-${label}`,
    state: 'active',
    issuedAt: NOW - 30 * MIN,
    expiresAt,
    headerName: 'Authorization',
    scheme: 'Bearer',
    metadata: {},
    surface: 'ui',
    endedAt: null,
    note: null,
    held: true,
  }
  const live = expiresAt === null || expiresAt > NOW
  const a: AccountView = {
    id: `id-${label}`,
    label,
    providerId: 'xpay',
    providerName: 'xpay',
    baseUrl: 'https://api.xpay.example',
    username: 'dev@example.com',
    fields: {},
    organizationId: null,
    orgKey: `xpay|base|account:id-${label}`,
    remember,
    keepReady,
    current: live && (expiresAt === null || expiresAt - MIN > NOW) ? t : null,
    tokens: [t],
    createdAt: NOW - 60 * MIN,
  }
  return a
}

describe('expires soon and cannot renew', () => {
  const warn = 15 * MIN
  it('is the not-remembered account whose live token expires within the warning time', () => {
    expect(expiresSoonCannotRenew(account('a', false, NOW + 14 * MIN), NOW, warn)?.id).toBe('a-t')
    expect(expiresSoonCannotRenew(account('a', false, NOW + 16 * MIN), NOW, warn)).toBe(null)
    expect(expiresSoonCannotRenew(account('a', true, NOW + 5 * MIN), NOW, warn)).toBe(null)
    expect(expiresSoonCannotRenew(account('a', false, NOW - MIN), NOW, warn)).toBe(null)
    expect(expiresSoonCannotRenew(account('a', false, null), NOW, warn)).toBe(null)
  })

  it('gives the tray a line per such account, at the top', () => {
    const accounts = [account('typed', false, NOW + 9 * MIN), account('kept', true, NOW + 9 * MIN)]
    const warnings = cannotRenewWarnings(accounts, NOW, warn)
    expect(warnings.map((w) => w.text)).toEqual([
      'typed: token expires in 9 m and cannot renew unattended (secret not remembered)',
    ])
    const items = buildTrayMenu({
      state: 'unlocked',
      accounts,
      organizations: [],
      now: NOW,
      warnings: warnings.map((w) => w.text),
    })
    expect(items[0]).toEqual({ type: 'header', label: `⚠ ${warnings[0]!.text}` })
  })

  it('planRenewal: due keep-ready accounts renew, the others wake it up in time', () => {
    const settings = { renewBeforeMinutes: 5, warnBeforeMinutes: 15, expirySkewSeconds: 60 }
    const due = planRenewal([account('k', true, NOW + 4 * MIN, true)], settings, NOW)
    expect(due.steps).toEqual([{ kind: 'renew', accountId: 'id-k', force: true }])
    const later = planRenewal([account('k', true, NOW + 60 * MIN, true)], settings, NOW)
    expect(later).toEqual({ steps: [], nextAt: NOW + 55 * MIN })
    const off = planRenewal([account('k', true, NOW + 4 * MIN, false)], settings, NOW)
    expect(off).toEqual({ steps: [], nextAt: null })
    const typed = planRenewal([account('t', false, NOW + 60 * MIN, true)], settings, NOW)
    expect(typed).toEqual({ steps: [], nextAt: NOW + 45 * MIN })
  })
})

describe('evicted, and an eviction the tray cannot confirm', () => {
  it('has its own word', () => {
    expect(TOKEN_STATE_WORDS.evicted).toBe('evicted')
  })
  it('the tray notification says to confirm in the window', () => {
    const n = copyNotice(
      'laptop',
      fail('EVICTION_NEEDS_CONFIRMATION', 'A new token for "laptop" evicts the token of "ci".'),
    )
    expect(n.title).toBe('Confirm in the TokenDeck window to copy laptop')
    expect(n.body).toMatch(/token of "ci".*The tray cannot confirm: open TokenDeck/)
  })
})
