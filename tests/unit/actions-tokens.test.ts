// The token actions against a real vault and the real sandbox: copy header (reuse or mint, the
// clipboard holds a header the server accepts), revoke the organization's oldest token, revoke
// every live token of an organization across accounts, and dismiss an account's uncertain tokens.
import { describe, expect, it } from 'vitest'
import { DEMO_USERS } from '../../src/main/sandbox'
import { actionFixture, type ActionFixture, sandboxPerTest } from '../helpers/actions'

// A sandbox per test: each starts with no live token in any organization.
const sandbox = sandboxPerTest()

const tp = DEMO_USERS.tpstreams[0]!

async function twoAccounts(org: string) {
  const f = await actionFixture({ deadlineMs: 800 })
  const ids: string[] = []
  for (const label of ['first', 'second']) {
    const r = await f.actions.accounts.add(
      {
        label,
        providerId: 'tpstreams',
        baseUrl: sandbox().tpstreams.baseUrl,
        fields: { username: tp.username, password: tp.secret, organization_id: org },
        remember: true,
        login: true,
      },
      'ui',
    )
    if (!r.ok) throw new Error(r.message)
    ids.push(r.value.account.id)
  }
  return { ...f, ids, orgKey: orgKeyOf(f, ids[0]!) }
}

function orgKeyOf(f: ActionFixture, id: string): string {
  const a = f.actions.views.account(id)
  if (!a.ok) throw new Error(a.message)
  return a.value.orgKey
}

describe('tokens.copyHeader', () => {
  it('copies a header the server accepts, reusing the token the first login minted', async () => {
    const f = await twoAccounts('acme')
    const logins = sandbox().tpstreams.stats.loginRequests
    const r = await f.actions.tokens.copyHeader(f.ids[0]!, 'tray')
    expect(r.ok && r.value.reused).toBe(true)
    expect(sandbox().tpstreams.stats.loginRequests).toBe(logins)
    const text = f.copier.copies.at(-1)!.text
    const [name, value] = text.split(': ')
    const res = await fetch(`${sandbox().tpstreams.baseUrl}/api/v1/acme/assets/`, {
      headers: { [name!]: value! },
    })
    expect(res.status).toBe(200)
    expect(JSON.stringify(r)).not.toContain(value!.split(' ')[1]!)
  })
})

describe('tokens.revokeOldest and tokens.revokeOrganization', () => {
  it('revokes the oldest live token of the organization, whichever account holds it', async () => {
    const f = await twoAccounts('acme')
    const first = f.actions.views.account('first')
    const oldestId = first.ok ? first.value.current!.id : ''
    const r = await f.actions.tokens.revokeOldest(f.orgKey, 'cli')
    expect(r.ok && r.value.revoked.map((t) => t.id)).toEqual([oldestId])
    expect(sandbox().tpstreams.liveTokenCount('acme')).toBe(1)
    const second = f.actions.views.account('second')
    expect(second.ok && second.value.current?.state).toBe('active')
  })

  it('revokes every live token of the organization, across its accounts', async () => {
    const f = await twoAccounts('acme')
    expect(sandbox().tpstreams.liveTokenCount('acme')).toBe(2)
    const r = await f.actions.tokens.revokeOrganization(f.orgKey, 'ui')
    expect(r.ok && r.value.revoked).toHaveLength(2)
    expect(sandbox().tpstreams.liveTokenCount('acme')).toBe(0)
    const again = await f.actions.tokens.revokeOrganization(f.orgKey, 'ui')
    expect(!again.ok && again.code).toBe('NOT_FOUND')
  })
})

describe('tokens.dismissUncertainOf', () => {
  it("stops an account's uncertain tokens from counting toward the cap", async () => {
    const f = await twoAccounts('acme')
    sandbox().tpstreams.setFault({ kind: 'mint-then-hang' }, { route: 'login', times: 1 })
    const forced = await f.actions.tokens.login(f.ids[1]!, { force: true }, 'cli')
    expect(!forced.ok && forced.code).toBe('OUTCOME_UNKNOWN')
    const capOf = () => {
      const o = f.actions.views.organizations()
      return o.ok ? o.value.find((x) => x.key === f.orgKey)?.cap : undefined
    }
    expect(capOf()?.uncertain).toBe(1)
    const r = await f.actions.tokens.dismissUncertainOf(f.ids[1]!, 'cli')
    expect(r.ok && r.value.dismissed).toHaveLength(1)
    expect(capOf()?.uncertain).toBe(0)
    const none = await f.actions.tokens.dismissUncertainOf(f.ids[1]!, 'cli')
    expect(!none.ok && none.code).toBe('NOT_FOUND')
  })
})
