// One time format per surface: the words main makes for people (failures, token notes, events)
// carry no clock time, only how long ("in 9 m", "3 h ago", relative to the moment they are made or
// to the record they belong to); the exact time travels as epoch ms in the details or the view,
// and each surface formats it (the window with Intl, the CLI in UTC). The window also shows any
// older written-out time (a note of an earlier TokenDeck, a server's message) in its own format,
// and one login cooldown is one toast however many refusals it causes.
import { describe, expect, it } from 'vitest'
import { formatAgo, formatIn } from '../../src/shared/expiry'
import type { Failure } from '../../src/shared/result'
import { blockedFailure } from '../../src/main/vault/ledger/login-limits'
import { forgottenNote, capReached } from '../../src/main/vault/ledger/revocation'
import { evictionNeedsConfirmation } from '../../src/main/vault/ledger/evict'
import { PENDING_NOTE } from '../../src/main/vault/ledger/token-records'
import { organizationOf } from '../../src/main/vault/ledger/ledger'
import { ProviderRegistry } from '../../src/main/providers/registry'
import {
  VAULT_FORMAT,
  VAULT_SCHEMA_VERSION,
  settingsSchema,
  type AccountRecord,
  type TokenRecord,
  type VaultData,
} from '../../src/main/vault/storage/schema'

// The window's modules (outside tsconfig.node.json's program): loaded by path and typed here.
const FORMAT = '../../src/renderer/src/lib/format'
const TOASTS = '../../src/renderer/src/lib/toast-store'
const { localTimes, formatDateTime } = (await import(/* @vite-ignore */ FORMAT)) as {
  localTimes: (text: string) => string
  formatDateTime: (ms: number) => string
}
const { toastFailure, toastsNow, dismissToast } = (await import(/* @vite-ignore */ TOASTS)) as {
  toastFailure: (f: Pick<Failure, 'code' | 'message' | 'details'>) => void
  toastsNow: () => { id: number; title: string; detail: string }[]
  dismissToast: (id: number) => void
}

const NOW = Date.UTC(2026, 11, 7, 10, 0)
const S = 1000
const M = 60 * S
const H = 60 * M
/** An ISO 8601 timestamp, or the "2026-12-07 10:00 UTC" form: what must not be in the words. */
const CLOCK_TIME = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d|UTC/

describe('relative phrases', () => {
  it.each([
    [9 * M + 30 * S, 'in 9 m'],
    [2 * H, 'in 2 h'],
    [45 * S, 'in 45 s'],
    [0, 'now'],
  ])('formatIn(%d) = %j', (ms, words) => expect(formatIn(ms)).toBe(words))
  it.each([
    [3 * H, '3 h ago'],
    [2 * 24 * H + 5 * H, '2 d 5 h ago'],
    [400, 'just now'],
    [-5 * M, '5 m from now'],
  ])('formatAgo(%d) = %j', (ms, words) => expect(formatAgo(ms)).toBe(words))
})

const registry = new ProviderRegistry()
const tp = registry.get('tpstreams')!
function account(label: string): AccountRecord {
  return {
    id: `id-${label}`,
    label,
    providerId: 'tpstreams',
    baseUrl: tp.baseUrl,
    fields: { username: `${label}@example.com`, organization_id: 'acme' },
    secrets: {},
    remember: false,
    createdAt: NOW - 10 * H,
    updatedAt: NOW - 10 * H,
  }
}
const enc = { v: 1 as const, iv: 'AAAA', ct: 'AAAA', tag: 'AAAA' }
const ci = account('ci-runner')
const org = organizationOf(tp, ci)
const oldest: TokenRecord = {
  id: 't1',
  accountId: ci.id,
  providerId: 'tpstreams',
  orgKey: org.key,
  state: 'active',
  issuedAt: NOW - 3 * H,
  expiresAt: null,
  headerName: 'Authorization',
  scheme: 'Token',
  metadata: {},
  surface: 'cli',
  secret: enc,
  endedAt: null,
  note: null,
}
const data: VaultData = {
  format: VAULT_FORMAT,
  schemaVersion: VAULT_SCHEMA_VERSION,
  vaultId: '00000000-0000-4000-8000-000000000000',
  createdAt: NOW - 10 * H,
  keySlots: [],
  accounts: [ci, account('laptop')],
  tokens: [oldest],
  customProfiles: [],
  settings: settingsSchema.parse({}),
}

describe('words made in main name no clock time', () => {
  it('a login refused during a cooldown: how long in the words, when in the details', () => {
    const until = NOW + 9 * M + 30 * S
    const f = blockedFailure('acme-prod', { until, reason: 'cooldown' }, NOW)
    expect(f.message).toBe(
      'No login was sent for "acme-prod": its server answered 429 (too many requests) and asked to wait. The next login is allowed in 9 m.',
    )
    expect(f.details).toMatchObject({ retryAt: until, reason: 'cooldown' })
  })

  it('a token only forgotten: how long it stays valid, from the moment it was forgotten', () => {
    expect(forgottenNote('xpay', NOW + 58 * M, NOW)).toBe(
      'xpay has no revoke endpoint: the token was forgotten here but stays valid on the server until it expires, 58 m after it was forgotten.',
    )
    expect(forgottenNote('xpay', null, NOW)).toBe(
      'xpay has no revoke endpoint: the token was forgotten here but stays valid on the server until it is revoked elsewhere.',
    )
  })

  it('a login in flight: the record itself says when (its issuedAt)', () => {
    expect(PENDING_NOTE).not.toMatch(CLOCK_TIME)
    expect(PENDING_NOTE).toMatch(/^Login in flight\./)
  })

  it('a cap refusal and an eviction name the oldest token by its age', () => {
    const cap = capReached(data, org, tp, { max: 1, used: 1, uncertain: 0 }, NOW)
    expect(cap.message).toContain('the oldest: ci-runner (issued 3 h ago).')
    const evict = evictionNeedsConfirmation(data, 'laptop', oldest, { used: 3, max: 3 }, NOW)
    expect(evict.message).toContain('the token of "ci-runner" (issued 3 h ago)')
    expect(evict.details).toMatchObject({ evictedIssuedAt: oldest.issuedAt })
    for (const m of [cap.message, evict.message]) expect(m).not.toMatch(CLOCK_TIME)
  })
})

describe('the window shows times in one format', () => {
  it('a written-out time in older words or a server message is shown the window’s way', () => {
    const iso = '2026-12-07T10:05:00.575Z'
    const text = `TokenDeck sends no login to this server before ${iso} (9 m left).`
    const shown = localTimes(text)
    expect(shown).toBe(
      `TokenDeck sends no login to this server before ${formatDateTime(Date.parse(iso))} (9 m left).`,
    )
    expect(shown).not.toMatch(CLOCK_TIME)
    expect(localTimes('written 2026-12-01 08:30 UTC (version 5)')).toBe(
      `written ${formatDateTime(Date.UTC(2026, 11, 1, 8, 30))} (version 5)`,
    )
    // Dates without a time and numbers stay as they are.
    expect(localTimes('plan 2026-12-07, order 20261207, HTTP 429')).toBe(
      'plan 2026-12-07, order 20261207, HTTP 429',
    )
  })

  it('one login cooldown is one toast: the 429 and each refusal after it share it', () => {
    for (const t of toastsNow()) dismissToast(t.id)
    const retryAt = NOW + 10 * M
    const details = { retryAt, retryAfterSeconds: 600, reason: 'cooldown' }
    toastFailure({
      code: 'RATE_LIMITED',
      message: 'Request was throttled. TokenDeck sends no login to this server for the next 10 m.',
      details,
    })
    toastFailure(blockedFailure('acme-prod', { until: retryAt, reason: 'cooldown' }, NOW + M))
    expect(toastsNow().map((t) => [t.title, t.detail])).toEqual([
      [
        'Logins to this server are paused.',
        'No login was sent for "acme-prod": its server answered 429 (too many requests) and asked to wait. The next login is allowed in 9 m.',
      ],
    ])
    // Another cooldown (a later 429) and other failures still get toasts of their own.
    toastFailure(blockedFailure('acme-prod', { until: retryAt + H, reason: 'cooldown' }, NOW))
    toastFailure({ code: 'NETWORK_ERROR', message: 'connect ECONNREFUSED' })
    expect(toastsNow()).toHaveLength(3)
    // The same failure twice is one toast too.
    toastFailure({ code: 'NETWORK_ERROR', message: 'connect ECONNREFUSED' })
    expect(toastsNow()).toHaveLength(3)
  })
})
