// Guarantee: an organization (the unit a token cap counts in) is keyed by the normalised origin,
// so spelling one server two ways (`https://h//`, `https://h/`, `https://H:443`, a trailing dot
// on the host, a percent-encoded unreserved character in the path) cannot make two organizations
// and double the cap. Holds for accounts added now and for records stored before, whose stored
// base URL and token keys are read as they are (never rewritten).
import { describe, expect, it } from 'vitest'
import { BUILTIN_PROFILES } from '../../src/main/providers/registry'
import { DEMO_USERS } from '../../src/main/sandbox'
import { capUsage, organizationOf, organizationViews } from '../../src/main/vault/ledger/ledger'
import type { ProviderRegistry } from '../../src/main/providers/registry'
import type { TokenRecord, VaultData } from '../../src/main/vault/storage/schema'
import { actionFixture, sandboxPerTest } from '../helpers/actions'
import { rewriteSealed, vaultKey } from '../helpers/vault'

const tpstreams = BUILTIN_PROFILES.find((p) => p.id === 'tpstreams')!
const tp = DEMO_USERS.tpstreams[0]!

describe('the organization key uses the normalised origin', () => {
  it('ledger: stored spellings of one origin give one key, and its tokens one cap', () => {
    // 'https://h/' is what the earlier normaliser stored for 'https://h//'.
    const spellings = ['https://h', 'https://h/', 'https://h//', 'https://H:443///']
    const keys = spellings.map(
      (baseUrl, i) =>
        organizationOf(tpstreams, {
          id: `a${i}`,
          providerId: 'tpstreams',
          baseUrl,
          fields: { organization_id: 'acme' },
        }).key,
    )
    expect(new Set(keys)).toEqual(new Set(['tpstreams|https://h|acme']))
    // Another organization id, prefix or port is still another organization.
    for (const baseUrl of ['https://h/api', 'https://h:8443', 'https://g']) {
      const other = organizationOf(tpstreams, {
        id: 'b',
        providerId: 'tpstreams',
        baseUrl,
        fields: { organization_id: 'acme' },
      })
      expect(other.key).not.toBe(keys[0])
    }
    // A stored string that no longer parses keeps its own key (never throws, never merges).
    expect(
      organizationOf(tpstreams, {
        id: 'c',
        providerId: 'tpstreams',
        baseUrl: 'not a url',
        fields: { organization_id: 'acme' },
      }).key,
    ).toBe('tpstreams|not a url|acme')

    // Tokens minted before: each stored its account's key in that account's own spelling.
    const token = (i: number): TokenRecord => ({
      id: `t${i}`,
      accountId: `a${i}`,
      providerId: 'tpstreams',
      orgKey: `tpstreams|${spellings[i]!}|acme`,
      state: 'active',
      issuedAt: 1,
      expiresAt: null,
      headerName: 'Authorization',
      scheme: 'Token',
      metadata: {},
      surface: 'ui',
      secret: null,
      endedAt: null,
      note: null,
    })
    const data = {
      accounts: spellings.map((baseUrl, i) => ({
        id: `a${i}`,
        providerId: 'tpstreams',
        baseUrl,
        fields: { organization_id: 'acme' },
      })),
      tokens: spellings.map((_, i) => token(i)),
    } as unknown as VaultData
    expect(capUsage(data, keys[0]!, tpstreams, 2)).toMatchObject({ used: 4, max: 20 })
  })

  it('ledger: `https://API.Example.com./x` and `https://api.example.com/%78` fill one cap', () => {
    const stored = ['https://API.Example.com./x', 'https://api.example.com/%78']
    const accounts = stored.map((baseUrl, i) => ({
      id: `a${i}`,
      providerId: 'tpstreams',
      baseUrl,
      fields: { organization_id: 'acme' },
    }))
    const keys = accounts.map((a) => organizationOf(tpstreams, a).key)
    expect(keys).toEqual(['tpstreams|https://api.example.com/x|acme', keys[0]])
    // 20 live tokens, minted over time: each keeps the key of its day. Before issue 18 the key of
    // the first account was `https://api.example.com./x` (host lower-cased, dot kept); before
    // issue 10 its stored string; the second's was `https://api.example.com/%78` all along.
    const keyOfDay = [
      'tpstreams|https://api.example.com./x|acme',
      'tpstreams|https://API.Example.com./x|acme',
      'tpstreams|https://api.example.com/%78|acme',
      keys[0]!,
    ]
    const tokens = Array.from({ length: 20 }, (_, i) => ({
      id: `t${i}`,
      accountId: i % 3 === 2 ? 'a1' : 'a0',
      providerId: 'tpstreams',
      orgKey: keyOfDay[i % 4]!,
      state: 'active',
      issuedAt: i,
      expiresAt: null,
      headerName: 'Authorization',
      scheme: 'Token',
      metadata: {},
      surface: 'cli',
      secret: null,
      endedAt: null,
      note: null,
    }))
    const data = { accounts, tokens } as unknown as VaultData
    // The stored strings are untouched: only the reading normalises them.
    expect(data.accounts.map((a) => a.baseUrl)).toEqual(stored)
    expect(capUsage(data, keys[0]!, tpstreams, 100)).toEqual({
      max: 20,
      used: 20,
      active: 20,
      uncertain: 0,
    })
    // One organization in the views, holding both accounts and the full cap.
    const registry = { get: (id: string) => (id === 'tpstreams' ? tpstreams : undefined) }
    const orgs = organizationViews(data, registry as unknown as ProviderRegistry, 100)
    expect(orgs).toHaveLength(1)
    expect(orgs[0]!.accountIds).toEqual(['a0', 'a1'])
    expect(orgs[0]!.cap).toMatchObject({ used: 20, max: 20 })
  })

  const sandbox = sandboxPerTest()

  it('actions: accounts on `<base>//` and `<base>` share one organization and its cap', async () => {
    const f = await actionFixture()
    const base = sandbox().tpstreams.baseUrl
    const ids: string[] = []
    for (const [label, baseUrl] of [
      ['slashes', `${base}//`],
      ['plain', base],
    ] as const) {
      const r = await f.actions.accounts.add(
        {
          label,
          providerId: 'tpstreams',
          baseUrl,
          fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
          remember: true,
          login: true,
        },
        'ui',
      )
      if (!r.ok) throw new Error(r.message)
      ids.push(r.value.account.id)
    }
    const orgs = f.actions.views.organizations()
    if (!orgs.ok) throw new Error(orgs.message)
    const acme = orgs.value.filter((o) => o.organizationId === 'acme')
    expect(acme).toHaveLength(1)
    expect(acme[0]!.accountIds.sort()).toEqual([...ids].sort())
    expect(acme[0]!.cap).toMatchObject({ used: 2, max: 20 })
    expect(sandbox().tpstreams.liveTokenCount('acme')).toBe(2)
  })
})

describe('routes stored by an earlier normaliser', () => {
  it('a route prefix with a trailing dot on its host still serves the URLs of its server', async () => {
    const f = await actionFixture()
    const added = await f.actions.accounts.add(
      {
        label: 'routed',
        providerId: 'tpstreams',
        baseUrl: 'https://api.example.com/x',
        fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
        remember: true,
        login: false,
      },
      'cli',
    )
    if (!added.ok) throw new Error(added.message)
    // A second account on the same server: without the route, the URL would be ambiguous.
    const other = await f.actions.accounts.add(
      {
        label: 'other',
        providerId: 'tpstreams',
        baseUrl: 'https://api.example.com',
        fields: { username: tp.username, password: tp.secret, organization_id: 'globex' },
        remember: true,
        login: false,
      },
      'cli',
    )
    if (!other.ok) throw new Error(other.message)
    expect(f.actions.routes.match('https://api.example.com/x/repo.git').ok).toBe(false)
    // As the normaliser before issue 18 stored it (it kept the dot), written as TokenDeck would.
    rewriteSealed(f.services.dir, vaultKey(f.services), (d) => {
      d.routes = [{ prefix: 'https://api.example.com./x', accountId: added.value.account.id }]
    })
    const m = f.actions.routes.match('https://api.example.com/x/repo.git')
    expect(m.ok && m.value.label).toBe('routed')
  })
})
