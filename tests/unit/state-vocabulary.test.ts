// One vocabulary: for each ledger, the window's chip, the tray item and the CLI status row say the
// same state word, time left and notes, all derived from src/shared/state.ts.
import { describe, expect, it } from 'vitest'
import { accountItemLabel, organizationHeader } from '../../src/main/tray-menu'
import { accountRow } from '../../src/main/cli/output'
import { accountView, organizationOf, organizationViews } from '../../src/main/vault/ledger/ledger'
import { ProviderRegistry } from '../../src/main/providers/registry'
import {
  VAULT_FORMAT,
  VAULT_SCHEMA_VERSION,
  settingsSchema,
  type AccountRecord,
  type StoredTokenState,
  type TokenRecord,
  type VaultData,
} from '../../src/main/vault/storage/schema'
import {
  accountSummary,
  capUsageText,
  countsTowardCap,
  isCurrent,
  isExpiring,
  isLive,
  tokenState,
} from '../../src/shared/state'
import { expiringWindowMs } from '../../src/shared/expiry'
import type { AccountView } from '../../src/shared/views'
import { loginEndpoint } from '../../src/main/vault/ledger/login-limits'

// The window's row status (src/renderer/src/lib/account-state.ts). The renderer is outside
// tsconfig.node.json's program, so it is loaded by path and typed here.
const RENDERER_ROW_STATUS = '../../src/renderer/src/lib/account-state'
const { rowStatus } = (await import(/* @vite-ignore */ RENDERER_ROW_STATUS)) as {
  rowStatus: (a: AccountView, now: number) => { state: string; chip: string; note: string }
}

const NOW = Date.UTC(2030, 0, 1, 12)
const H = 3600_000
const M = 60_000
const SKEW = 60_000
const registry = new ProviderRegistry()
const enc = { v: 1 as const, iv: 'AAAA', ct: 'AAAA', tag: 'AAAA' }

interface TokenSpec {
  state: StoredTokenState
  expiresAt?: number | null
  /** Default: an hour ago (the token's lifetime decides when it reads "expiring"). */
  issuedAt?: number
  held?: boolean
  note?: string
  /** Its server refused it once (refusals.ts markSuspect). */
  suspect?: boolean
}

function accountRecord(label: string, providerId: string, remember: boolean): AccountRecord {
  const fields: Record<string, string> = { username: `${label}@example.com` }
  if (providerId === 'tpstreams') fields.organization_id = 'acme'
  return {
    id: `id-${label}`,
    label,
    providerId,
    baseUrl: registry.get(providerId)!.baseUrl,
    fields,
    secrets: remember ? { password: enc } : {},
    remember,
    createdAt: NOW - 10 * H,
    updatedAt: NOW - 10 * H,
  }
}

function tokenRecord(acc: AccountRecord, spec: TokenSpec, i: number): TokenRecord {
  const ended = spec.state === 'revoked' || spec.state === 'forgotten' || spec.state === 'expired'
  return {
    id: `${acc.id}-t${i}`,
    accountId: acc.id,
    providerId: acc.providerId,
    orgKey: organizationOf(registry.get(acc.providerId), acc).key,
    state: spec.state,
    issuedAt: spec.issuedAt ?? NOW - H + i,
    expiresAt: spec.expiresAt ?? null,
    headerName: 'Authorization',
    scheme: 'Token',
    metadata: {},
    surface: 'ui',
    secret: (spec.held ?? spec.state === 'active') ? enc : null,
    endedAt: ended ? NOW - M : null,
    note: spec.note ?? null,
    ...(spec.suspect ? { suspectAt: NOW - M } : {}),
  }
}

/** A vault holding one account with these tokens (oldest first); its account and org views. */
function build(
  providerId: string,
  tokens: TokenSpec[],
  remember = true,
  loginCooldownUntil?: number,
) {
  const acc = accountRecord('acct', providerId, remember)
  const data: VaultData = {
    format: VAULT_FORMAT,
    schemaVersion: VAULT_SCHEMA_VERSION,
    vaultId: '00000000-0000-4000-8000-000000000000',
    createdAt: NOW - 10 * H,
    keySlots: [],
    accounts: [acc],
    tokens: tokens.map((t, i) => tokenRecord(acc, t, i)),
    customProfiles: [],
    settings: settingsSchema.parse({}),
  }
  if (loginCooldownUntil !== undefined) {
    const endpoint = loginEndpoint(registry.get(providerId)!, acc)
    if (!endpoint.ok) throw new Error(endpoint.message)
    data.loginLimits = [
      { endpoint: endpoint.value, cooldownUntil: loginCooldownUntil, attempts: [] },
    ]
  }
  const view = accountView(data, acc, registry, NOW, SKEW)
  const org = organizationViews(data, registry, NOW).find((o) => o.key === view.orgKey)!
  return { view, org }
}

const live = (expiresAt: number | null = null): TokenSpec => ({ state: 'active', expiresAt })
/** A live token issued at `issuedAt` that lasts `lifetime`. */
const lasting = (lifetime: number, issuedAt: number): TokenSpec => ({
  state: 'active',
  issuedAt,
  expiresAt: issuedAt + lifetime,
})
const uncertain: TokenSpec = { state: 'uncertain' }

interface Case {
  name: string
  provider: string
  tokens: TokenSpec[]
  remember?: boolean
  word: string
  timeLeft: string | null
  notes: string[]
  cap?: string
  /** The login endpoint's cooldown (a server's 429) ends at this time. */
  cooldownUntil?: number
}

/** A token its server refused, as a confirmed refusal ends it (refusals.ts confirmRefused). */
const refused: TokenSpec = {
  state: 'revoked',
  note: 'Refused by its server: its probe answered HTTP 401 (reported through cli).',
}
/** A live token its server refused once, not confirmed either way (refusals.ts markSuspect). */
const suspect = (expiresAt: number | null = null): TokenSpec => ({
  state: 'active',
  expiresAt,
  suspect: true,
})

const CASES: Case[] = [
  {
    name: 'current + uncertain',
    provider: 'xpay',
    tokens: [live(NOW + 3 * H), uncertain],
    word: 'active',
    timeLeft: '3 h left',
    notes: ['1 uncertain'],
  },
  {
    name: 'uncertain only',
    provider: 'tpstreams',
    tokens: [uncertain],
    word: 'uncertain',
    timeLeft: null,
    notes: [],
    cap: '1/20 tokens, 1 uncertain',
  },
  {
    name: 'expired (tidied)',
    provider: 'xpay',
    tokens: [{ state: 'expired', expiresAt: NOW - M }],
    word: 'expired',
    timeLeft: null,
    notes: [],
  },
  {
    name: 'expired since the last write',
    provider: 'xpay',
    tokens: [live(NOW - 1)],
    word: 'expired',
    timeLeft: null,
    notes: [],
  },
  {
    name: 'revoked',
    provider: 'tpstreams',
    tokens: [{ state: 'revoked' }],
    word: 'no token',
    timeLeft: null,
    notes: [],
    cap: '0/20 tokens',
  },
  {
    name: 'forgotten',
    provider: 'xpay',
    tokens: [{ state: 'forgotten', expiresAt: NOW + H }],
    word: 'no token',
    timeLeft: null,
    notes: [],
  },
  {
    name: 'within the renewal margin (not current)',
    provider: 'xpay',
    tokens: [live(NOW + 30_000)],
    word: 'expiring',
    timeLeft: '30 s left',
    notes: [],
  },
  {
    name: 'expiring soon, still current',
    provider: 'xpay',
    tokens: [live(NOW + 4 * M)],
    word: 'expiring',
    timeLeft: '4 m left',
    notes: [],
  },
  // "Expiring" is relative to the token's lifetime: the shorter of its last fifth and the last
  // 5 minutes, never less than the renewal margin (SKEW, 60 s here).
  {
    name: 'a 5-minute token at birth is active, not expiring',
    provider: 'xpay',
    tokens: [lasting(5 * M, NOW)],
    word: 'active',
    timeLeft: '5 m left',
    notes: [],
  },
  {
    name: 'a 5-minute token half-way',
    provider: 'xpay',
    tokens: [lasting(5 * M, NOW - 150_000)],
    word: 'active',
    timeLeft: '2 m left',
    notes: [],
  },
  {
    name: 'a 5-minute token with 70 s left (its last fifth is 60 s)',
    provider: 'xpay',
    tokens: [lasting(5 * M, NOW - 230_000)],
    word: 'active',
    timeLeft: '1 m left',
    notes: [],
  },
  {
    name: 'a 5-minute token near the end',
    provider: 'xpay',
    tokens: [lasting(5 * M, NOW - 4 * M - 20_000)],
    word: 'expiring',
    timeLeft: '40 s left',
    notes: [],
  },
  {
    name: 'a 15-minute token with 4 m left (its last fifth is 3 m)',
    provider: 'xpay',
    tokens: [lasting(15 * M, NOW - 11 * M)],
    word: 'active',
    timeLeft: '4 m left',
    notes: [],
  },
  {
    name: 'a 15-minute token with 2 m left',
    provider: 'xpay',
    tokens: [lasting(15 * M, NOW - 13 * M)],
    word: 'expiring',
    timeLeft: '2 m left',
    notes: [],
  },
  {
    name: 'a 24 h token at birth',
    provider: 'xpay',
    tokens: [lasting(24 * H, NOW)],
    word: 'active',
    timeLeft: '1 d left',
    notes: [],
  },
  {
    name: 'a 24 h token with 6 m left',
    provider: 'xpay',
    tokens: [lasting(24 * H, NOW - 24 * H + 6 * M)],
    word: 'active',
    timeLeft: '6 m left',
    notes: [],
  },
  {
    name: 'a 24 h token in its last 5 minutes',
    provider: 'xpay',
    tokens: [lasting(24 * H, NOW - 24 * H + 4 * M)],
    word: 'expiring',
    timeLeft: '4 m left',
    notes: [],
  },
  {
    name: 'no expiry',
    provider: 'tpstreams',
    tokens: [live()],
    word: 'active',
    timeLeft: 'no expiry',
    notes: [],
    cap: '1/20 tokens',
  },
  {
    name: 'cap reached',
    provider: 'tpstreams',
    tokens: [...Array.from({ length: 19 }, () => live()), uncertain],
    word: 'active',
    timeLeft: 'no expiry',
    notes: ['1 uncertain'],
    cap: '20/20 tokens, 1 uncertain, cap reached',
  },
  {
    name: 'no token',
    provider: 'tpstreams',
    tokens: [],
    word: 'no token',
    timeLeft: null,
    notes: [],
    cap: '0/20 tokens',
  },
  {
    name: 'secret not remembered, no token',
    provider: 'tpstreams',
    tokens: [],
    remember: false,
    word: 'no token',
    timeLeft: null,
    notes: ['needs secret'],
  },
  {
    name: 'secret not remembered, current token',
    provider: 'xpay',
    tokens: [live(NOW + H)],
    remember: false,
    word: 'active',
    timeLeft: '1 h left',
    notes: [],
  },
  {
    name: 'secret not remembered, expiring, uncertain',
    provider: 'xpay',
    tokens: [uncertain, live(NOW + 2 * M)],
    remember: false,
    word: 'expiring',
    timeLeft: '2 m left',
    notes: ['1 uncertain', 'needs secret'],
  },
  {
    name: 'refused once by its server, not confirmed (suspect): still counted',
    provider: 'tpstreams',
    tokens: [suspect(NOW + 3 * H)],
    word: 'suspect',
    timeLeft: '3 h left',
    notes: [],
    cap: '1/20 tokens',
  },
  {
    name: 'suspect, secret not remembered: its replacement needs the secret',
    provider: 'xpay',
    tokens: [uncertain, suspect(NOW + H)],
    remember: false,
    word: 'suspect',
    timeLeft: '1 h left',
    notes: ['1 uncertain', 'needs secret'],
  },
  {
    name: 'a replacement minted after a suspect one: the current token wins, both counted',
    provider: 'tpstreams',
    tokens: [suspect(), live()],
    word: 'active',
    timeLeft: 'no expiry',
    notes: [],
    cap: '2/20 tokens',
  },
  {
    name: 'refused by its server (rejected)',
    provider: 'tpstreams',
    tokens: [{ state: 'expired', expiresAt: NOW - H }, refused],
    word: 'rejected',
    timeLeft: null,
    notes: [],
    cap: '0/20 tokens',
  },
  {
    name: 'login cooldown, no token',
    provider: 'tpstreams',
    tokens: [],
    cooldownUntil: NOW + 4 * M,
    word: 'cooldown',
    timeLeft: null,
    notes: ['next login in 4 m'],
  },
  {
    name: 'login cooldown after a rejection, with an uncertain token',
    provider: 'tpstreams',
    tokens: [refused, uncertain],
    cooldownUntil: NOW + 2 * H,
    word: 'cooldown',
    timeLeft: null,
    notes: ['1 uncertain', 'next login in 2 h'],
  },
  {
    name: 'login cooldown, current token',
    provider: 'tpstreams',
    tokens: [live()],
    cooldownUntil: NOW + 90_000,
    word: 'active',
    timeLeft: 'no expiry',
    notes: ['next login in 1 m'],
  },
  {
    name: 'login cooldown over',
    provider: 'tpstreams',
    tokens: [],
    cooldownUntil: NOW - 1,
    word: 'no token',
    timeLeft: null,
    notes: [],
  },
]

describe('one vocabulary across the window, the tray and the CLI', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { view, org } = build(c.provider, c.tokens, c.remember, c.cooldownUntil)
    const note = c.notes.join(', ')

    // The window: the chip and the note beside it.
    const window = rowStatus(view, NOW)
    expect(window.chip).toBe(c.word)
    expect(window.note).toBe(note)

    // The tray: "label · word, time left, notes".
    const tray = accountItemLabel(view, NOW)
    expect(tray).toBe(`acct · ${[c.word, c.timeLeft, ...c.notes].filter(Boolean).join(', ')}`)

    // The CLI status row: label, user, word, time left, notes.
    expect(accountRow(view, NOW)).toEqual([
      'acct',
      'acct@example.com',
      c.word,
      c.timeLeft ?? '',
      note,
    ])

    // Cap usage reads the same in the tray header (the CLI and the window use capUsageText too).
    if (c.cap !== undefined) {
      expect(org.cap && capUsageText(org.cap)).toBe(c.cap)
      expect(organizationHeader(org)).toBe(`TPStreams · acme — ${c.cap}`)
    }
  })

  it('follows the clock: a current token becomes expiring, then expired', () => {
    const { view } = build('xpay', [live(NOW + 3 * H)])
    expect(accountSummary(view, NOW + 2 * H).text).toBe('active, 1 h left')
    expect(accountSummary(view, NOW + 3 * H - 2 * M).text).toBe('expiring, 2 m left')
    expect(accountSummary(view, NOW + 3 * H).text).toBe('expired')
    // A renewal margin longer than 5 minutes widens "expiring".
    expect(accountSummary(view, NOW + 2 * H, 90 * M).word).toBe('expiring')
  })

  it('a 5-minute token (the OAuth sandbox issues them) is expiring only in its last minute', () => {
    const { view } = build('xpay', [lasting(5 * M, NOW)])
    expect(accountSummary(view, NOW).text).toBe('active, 5 m left')
    expect(accountSummary(view, NOW + 150_000).text).toBe('active, 2 m left')
    expect(accountSummary(view, NOW + 3 * M + 59_000).text).toBe('active, 1 m left')
    // The view still calls it current (made at birth): its lifetime alone makes it expiring.
    expect(accountSummary(view, NOW + 4 * M + 10_000).text).toBe('expiring, 50 s left')
    expect(accountSummary(view, NOW + 5 * M).text).toBe('expired')
    // A renewal margin longer than a fifth of its lifetime widens the window to the margin.
    expect(accountSummary(view, NOW + 3 * M, 2 * M + 1).word).toBe('expiring')
  })
})

describe('the expiring window (expiringWindowMs)', () => {
  it.each([
    // lifetime, renewal margin: window
    ['5 m, margin 0: the last minute', 5 * M, 0, M],
    ['5 m, margin 60 s: the last minute', 5 * M, SKEW, M],
    ['5 m, margin 2 m: the margin', 5 * M, 2 * M, 2 * M],
    ['15 m: the last 3 m', 15 * M, SKEW, 3 * M],
    ['25 m: the last 5 m', 25 * M, SKEW, 5 * M],
    ['24 h: the last 5 m', 24 * H, SKEW, 5 * M],
    ['24 h, margin 90 m: the margin', 24 * H, 90 * M, 90 * M],
    ['30 s, margin 60 s: the margin (never current)', 30_000, SKEW, SKEW],
    ['no lifetime, no margin: none', 0, 0, 0],
  ] as const)('a token of %s', (_name, lifetime, skew, window) => {
    expect(expiringWindowMs(NOW, NOW + lifetime, skew)).toBe(window)
  })
  it('an expiry before the issue time (a clock that moved back) counts as no lifetime', () => {
    expect(expiringWindowMs(NOW, NOW - H, SKEW)).toBe(SKEW)
  })
})

describe('token terms', () => {
  const t = (
    state: StoredTokenState,
    expiresAt: number | null,
    held = true,
    issuedAt = NOW - H,
  ) => ({
    state,
    expiresAt,
    held,
    issuedAt,
  })
  it.each([
    // token, state, live, current, counts toward the cap, expiring
    [t('active', null), 'active', true, true, true, false],
    [t('active', NOW + H), 'active', true, true, true, false],
    [t('active', NOW + 4 * M), 'active', true, true, true, true],
    [t('active', NOW + 30_000), 'active', true, false, true, true],
    // A 5-minute token: 4 m left at 1 m old (active), 50 s left near its end (expiring).
    [t('active', NOW + 4 * M, true, NOW - M), 'active', true, true, true, false],
    [t('active', NOW + 50_000, true, NOW - 250_000), 'active', true, false, true, true],
    [t('active', NOW + H, false), 'active', true, false, true, false],
    [t('active', NOW), 'expired', false, false, false, false],
    [t('expired', NOW - H, false), 'expired', false, false, false, false],
    [t('uncertain', null, false), 'uncertain', false, false, true, false],
    [t('revoked', null, false), 'revoked', false, false, false, false],
    [t('forgotten', NOW + H, false), 'forgotten', false, false, false, false],
  ] as const)('%j', (token, state, liveNow, current, counts, expiring) => {
    expect(tokenState(token, NOW)).toBe(state)
    expect(isLive(token, NOW)).toBe(liveNow)
    expect(isCurrent(token, NOW, SKEW)).toBe(current)
    expect(countsTowardCap(token, NOW)).toBe(counts)
    expect(isExpiring(token, NOW)).toBe(expiring)
  })
})
