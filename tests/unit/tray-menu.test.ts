import { describe, expect, it } from 'vitest'
import {
  accountItemLabel,
  buildTrayMenu,
  gatewayItemLabel,
  organizationHeader,
  trayTooltip,
  type TrayItem,
} from '../../src/main/tray-menu'
import type { AccountView, OrganizationView, TokenView } from '../../src/shared/views'

const NOW = Date.UTC(2030, 0, 1, 12)
const H = 3600_000

function token(
  accountId: string,
  state: TokenView['state'],
  expiresAt: number | null,
  over: Partial<TokenView> = {},
): TokenView {
  return {
    id: `${accountId}-t-${state}`,
    accountId,
    state,
    issuedAt: NOW - H,
    expiresAt,
    headerName: 'Authorization',
    scheme: 'Token',
    metadata: {},
    surface: 'ui',
    endedAt: null,
    note: null,
    held: state === 'active' || state === 'expired',
    ...over,
  }
}

function account(
  label: string,
  org: string | null,
  tokens: TokenView[],
  over: Partial<AccountView> = {},
): AccountView {
  const id = `id-${label}`
  const provider = over.providerId ?? 'tpstreams'
  const current =
    tokens.find((t) => t.state === 'active' && (t.expiresAt === null || t.expiresAt > NOW)) ?? null
  return {
    id,
    label,
    providerId: provider,
    providerName: over.providerName ?? 'TPStreams',
    baseUrl: 'https://app.tpstreams.com',
    username: `${label}@example.com`,
    fields: {},
    organizationId: org,
    orgKey: org ? `${provider}|base|${org}` : `${provider}|base|account:${id}`,
    remember: true,
    current,
    tokens: tokens.map((t) => ({ ...t, accountId: id })),
    createdAt: NOW - 10 * H,
    ...over,
  }
}

function org(
  accounts: AccountView[],
  cap: OrganizationView['cap'],
  over: Partial<OrganizationView> = {},
): OrganizationView {
  const a = accounts[0]!
  return {
    key: a.orgKey,
    providerId: a.providerId,
    providerName: a.providerName,
    baseUrl: a.baseUrl,
    organizationId: a.organizationId,
    cap,
    accountIds: accounts.map((x) => x.id),
    ...over,
  }
}

const labels = (items: TrayItem[]) =>
  items.map((i) =>
    i.type === 'separator' ? '---' : i.type === 'header' ? `[${i.label}]` : i.label,
  )

describe('account item labels', () => {
  it.each([
    [
      'active with time left',
      account('acme-prod', 'acme', [token('a', 'active', NOW + 3 * H)]),
      'acme-prod · active, 3 h left',
    ],
    [
      'expiring soon',
      account('acme-ci', 'acme', [token('a', 'active', NOW + 4 * 60_000)]),
      'acme-ci · expiring, 4 m left',
    ],
    [
      'never expires',
      account('tp-ops', 'acme', [token('a', 'active', null)]),
      'tp-ops · active, no expiry',
    ],
    ['expired', account('xpay-dev', null, [token('a', 'expired', NOW - 1)]), 'xpay-dev · expired'],
    ['no token', account('acme-ci', 'acme', []), 'acme-ci · no token'],
    [
      'revoked only',
      account('acme-ci', 'acme', [token('a', 'revoked', null)]),
      'acme-ci · no token',
    ],
    [
      'uncertain login',
      account('acme-ci', 'acme', [token('a', 'uncertain', null)]),
      'acme-ci · uncertain',
    ],
    [
      'current token and an uncertain one',
      account('acme-prod', 'acme', [
        token('a', 'active', NOW + 3 * H),
        token('a', 'uncertain', null),
      ]),
      'acme-prod · active, 3 h left, 1 uncertain',
    ],
    [
      'secret not remembered',
      account('classic-demo', null, [], { remember: false }),
      'classic-demo · no token, needs secret',
    ],
  ])('%s', (_name, a, expected) => {
    expect(accountItemLabel(a, NOW)).toBe(expected)
  })
})

describe('organization headers', () => {
  it('shows the cap when the provider has one', () => {
    const a = account('acme-prod', 'acme', [])
    expect(organizationHeader(org([a], { max: 20, used: 12, active: 12, uncertain: 0 }))).toBe(
      'TPStreams · acme — 12/20 tokens',
    )
    expect(organizationHeader(org([a], { max: 20, used: 20, active: 19, uncertain: 1 }))).toBe(
      'TPStreams · acme — 20/20 tokens, 1 uncertain, cap reached',
    )
    expect(organizationHeader(org([a], null))).toBe('TPStreams · acme')
  })
})

describe('the tray menu', () => {
  const acmeProd = account('acme-prod', 'acme', [token('a', 'active', null)])
  const acmeCi = account('acme-ci', 'acme', [])
  const globex = account('globex-ops', 'globex', [token('g', 'uncertain', null)])
  const xDev = account('xpay-dev', null, [token('x', 'active', NOW + 3 * H)], {
    providerId: 'xpay',
    providerName: 'xpay',
  })
  const xAdmin = account('xpay-admin', null, [token('y', 'expired', NOW - 5)], {
    providerId: 'xpay',
    providerName: 'xpay',
  })
  const accounts = [acmeProd, acmeCi, globex, xDev, xAdmin]
  const organizations = [
    org([acmeProd, acmeCi], { max: 20, used: 20, active: 20, uncertain: 0 }),
    org([globex], { max: 20, used: 1, active: 0, uncertain: 1 }),
    org([xDev], null),
    org([xAdmin], null),
  ]

  it('groups accounts by organization (per-account orgs under their provider)', () => {
    expect(labels(buildTrayMenu({ state: 'unlocked', accounts, organizations, now: NOW }))).toEqual(
      [
        '[TPStreams · acme — 20/20 tokens, cap reached]',
        'acme-prod · active, no expiry',
        'acme-ci · no token',
        '---',
        '[TPStreams · globex — 1/20 tokens, 1 uncertain]',
        'globex-ops · uncertain',
        '---',
        '[xpay]',
        'xpay-dev · active, 3 h left',
        'xpay-admin · expired',
        '---',
        'Open TokenDeck',
        'Lock',
        '---',
        'Quit TokenDeck',
      ],
    )
  })

  it('account items copy that account; the rest open, lock or quit', () => {
    const items = buildTrayMenu({ state: 'unlocked', accounts, organizations, now: NOW })
    const actions = items.flatMap((i) => (i.type === 'action' ? [i.action] : []))
    expect(actions).toEqual([
      { kind: 'copy', accountId: acmeProd.id, label: 'acme-prod' },
      { kind: 'copy', accountId: acmeCi.id, label: 'acme-ci' },
      { kind: 'copy', accountId: globex.id, label: 'globex-ops' },
      { kind: 'copy', accountId: xDev.id, label: 'xpay-dev' },
      { kind: 'copy', accountId: xAdmin.id, label: 'xpay-admin' },
      { kind: 'open' },
      { kind: 'lock' },
      { kind: 'quit' },
    ])
  })

  it('locked: Unlock… (opens the window), no accounts', () => {
    const items = buildTrayMenu({ state: 'locked', accounts, organizations, now: NOW })
    expect(labels(items)).toEqual([
      '[TokenDeck is locked]',
      'Unlock…',
      '---',
      'Open TokenDeck',
      '---',
      'Quit TokenDeck',
    ])
    expect(items[1]).toMatchObject({ action: { kind: 'unlock' } })
  })

  it('no vault: set up', () => {
    expect(
      labels(buildTrayMenu({ state: 'no-vault', accounts: [], organizations: [], now: NOW })),
    ).toEqual(['[No vault yet]', 'Set up TokenDeck…', '---', 'Quit TokenDeck'])
  })

  it('demo: says so, and offers Lock as the window does (its passphrase is public)', () => {
    const l = labels(
      buildTrayMenu({
        state: 'demo',
        accounts: [xDev],
        organizations: [org([xDev], null)],
        now: NOW,
      }),
    )
    expect(l[0]).toBe('[Demo mode · sandbox providers]')
    expect(l).toContain('xpay-dev · active, 3 h left')
    expect(l).toContain('Lock')
  })

  it('an unlocked vault without accounts says so', () => {
    expect(
      labels(buildTrayMenu({ state: 'unlocked', accounts: [], organizations: [], now: NOW }))[0],
    ).toBe('[No accounts yet]')
  })

  it('caps long lists and points to the window for the rest', () => {
    const many = Array.from({ length: 45 }, (_, i) => account(`acct-${i}`, 'big', []))
    const items = buildTrayMenu({
      state: 'unlocked',
      accounts: many,
      organizations: [org(many, null)],
      now: NOW,
    })
    const copies = items.filter((i) => i.type === 'action' && i.action.kind === 'copy')
    expect(copies).toHaveLength(30)
    const more = items.find((i) => i.type === 'action' && i.label.includes('more'))
    expect(more).toMatchObject({ label: '15 more… (open TokenDeck)', action: { kind: 'open' } })
    expect(
      buildTrayMenu({
        state: 'unlocked',
        accounts: many,
        organizations: [],
        now: NOW,
        maxAccounts: 5,
      }).filter((i) => i.type === 'action' && i.action.kind === 'copy'),
    ).toHaveLength(5)
  })

  it('labels follow the clock', () => {
    const a = account('xpay-dev', null, [token('x', 'active', NOW + 3 * H)])
    expect(accountItemLabel(a, NOW + 2 * H)).toBe('xpay-dev · active, 1 h left')
  })

  it('shows the running gateway as a disabled line above Open', () => {
    const items = buildTrayMenu({
      state: 'unlocked',
      accounts: [xDev],
      organizations: [org([xDev], null)],
      now: NOW,
      gateway: { state: 'running', port: 17380 },
    })
    expect(labels(items)).toEqual([
      '[xpay]',
      'xpay-dev · active, 3 h left',
      '---',
      '[Gateway on 127.0.0.1:17380]',
      '---',
      'Open TokenDeck',
      'Lock',
      '---',
      'Quit TokenDeck',
    ])
    // Off: no line at all.
    expect(
      labels(buildTrayMenu({ state: 'unlocked', accounts: [], organizations: [], now: NOW })),
    ).not.toContain(expect.stringContaining('Gateway'))
  })

  it('locked or in the demo, the gateway still listens and says the vault is locked', () => {
    const running = { state: 'running', port: 40001 } as const
    expect(
      labels(
        buildTrayMenu({ state: 'locked', accounts, organizations, now: NOW, gateway: running }),
      ),
    ).toEqual([
      '[TokenDeck is locked]',
      'Unlock…',
      '---',
      '[Gateway on 127.0.0.1:40001 · your vault is locked]',
      '---',
      'Open TokenDeck',
      '---',
      'Quit TokenDeck',
    ])
    expect(gatewayItemLabel(running, 'demo')).toBe(
      'Gateway on 127.0.0.1:40001 · your vault is locked',
    )
  })

  it('a gateway that could not start says why in a few words', () => {
    expect(gatewayItemLabel({ state: 'failed', port: 17380, code: 'CONFLICT' }, 'unlocked')).toBe(
      'Gateway not running: port 17380 is in use',
    )
    expect(gatewayItemLabel({ state: 'failed', port: 17380, code: 'INTERNAL' }, 'unlocked')).toBe(
      'Gateway not running (see Settings)',
    )
  })

  it('has a tooltip per state', () => {
    expect(
      new Set(['no-vault', 'locked', 'unlocked', 'demo'].map((s) => trayTooltip(s as never))).size,
    ).toBe(4)
  })
})
