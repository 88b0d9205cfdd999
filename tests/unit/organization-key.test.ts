// Guarantee: an organization (the unit a token cap counts in) is keyed by the normalised origin,
// so spelling one server two ways (`https://h//`, `https://h/`, `https://H:443`) cannot make two
// organizations and double the cap. Holds for accounts added now and for records stored before.
import { describe, expect, it } from 'vitest'
import { BUILTIN_PROFILES } from '../../src/main/providers/registry'
import { DEMO_USERS } from '../../src/main/sandbox'
import { capUsage, organizationOf } from '../../src/main/vault/ledger'
import type { TokenRecord, VaultData } from '../../src/main/vault/schema'
import { actionFixture, sandboxPerTest } from '../helpers/actions'

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
