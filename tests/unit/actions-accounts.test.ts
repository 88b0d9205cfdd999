// The account actions against a real vault and the real sandbox: adding with a first login that
// works, is refused, or may have minted (the account and its uncertain token are kept: the
// regression behind issue 9), signing up, editing, and removing with or without revoking first.
import { describe, expect, it } from 'vitest'
import { DEMO_USERS } from '../../src/main/sandbox'
import { actionFixture, sandboxPerTest } from '../helpers/actions'

// A sandbox per test: each starts with no live token in any organization.
const sandbox = sandboxPerTest()

const tp = DEMO_USERS.tpstreams[0]!
const acme = (label: string, password = tp.secret, remember = false) => ({
  label,
  providerId: 'tpstreams',
  baseUrl: sandbox().tpstreams.baseUrl,
  fields: { username: tp.username, password, organization_id: 'acme' },
  remember,
})

describe('accounts.add', () => {
  it('logs in with the typed secret and keeps nothing secret when not remembering', async () => {
    const { actions } = await actionFixture()
    const r = await actions.accounts.add(acme('ok'), 'cli')
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.token?.state).toBe('active')
    expect(r.value.account.remember).toBe(false)
    expect(r.value.account.current?.id).toBe(r.value.token?.id)
  })

  it('removes the account again when the first login is refused (wrong password)', async () => {
    const { actions } = await actionFixture()
    const r = await actions.accounts.add(acme('wrong', 'not the password'), 'ui')
    expect(!r.ok && r.code).toBe('PROVIDER_REJECTED')
    expect(!r.ok && r.details?.accountKept).toBe(false)
    const list = actions.views.accounts()
    expect(list.ok && list.value).toEqual([])
  })

  it('keeps the account and its uncertain token when the login may have minted', async () => {
    const { actions } = await actionFixture({ deadlineMs: 800 })
    const before = sandbox().tpstreams.liveTokenCount('acme')
    sandbox().tpstreams.setFault({ kind: 'mint-then-hang' }, { route: 'login', times: 1 })
    const r = await actions.accounts.add(acme('hang'), 'ui')
    expect(!r.ok && r.code).toBe('OUTCOME_UNKNOWN')
    expect(!r.ok && r.details?.accountKept).toBe(true)
    // The server holds one more live token ...
    expect(sandbox().tpstreams.liveTokenCount('acme')).toBe(before + 1)
    // ... and the vault still has the account, with an uncertain token counted toward the cap.
    const a = actions.views.account('hang')
    expect(a.ok && a.value.tokens.map((t) => t.state)).toEqual(['uncertain'])
    const orgs = actions.views.organizations()
    const org = orgs.ok ? orgs.value.find((o) => o.organizationId === 'acme') : undefined
    expect(org?.cap?.uncertain).toBe(1)
    expect(org?.cap?.used).toBe(1)
  })

  it('refuses an account that neither remembers its secret nor logs in', async () => {
    const { actions } = await actionFixture()
    const r = await actions.accounts.add({ ...acme('useless'), login: false }, 'ui')
    expect(!r.ok && r.code).toBe('VALIDATION_FAILED')
  })
})

describe('accounts.remove', () => {
  it('refuses while live tokens remain, revokes first when asked, then removes', async () => {
    const { actions } = await actionFixture()
    const added = await actions.accounts.add(acme('rm', tp.secret, true), 'ui')
    expect(added.ok).toBe(true)
    if (!added.ok) return
    const id = added.value.account.id
    expect((await actions.tokens.login(id, {}, 'ui')).ok).toBe(true)
    const refused = await actions.accounts.remove(id, {}, 'ui')
    expect(!refused.ok && refused.code).toBe('CONFLICT')
    const live = sandbox().tpstreams.liveTokenCount('acme')
    const removed = await actions.accounts.remove(id, { revokeFirst: true }, 'ui')
    expect(removed.ok && removed.value).toEqual({ label: 'rm', liveTokensLeft: 0 })
    expect(sandbox().tpstreams.liveTokenCount('acme')).toBe(live - 1)
  })
})

describe('accounts.signup', () => {
  it('creates the account on the server and adopts the token the signup returned', async () => {
    const { actions } = await actionFixture()
    const r = await actions.accounts.signup(
      {
        label: 'fresh',
        providerId: 'classic',
        baseUrl: sandbox().classic.baseUrl,
        fields: {
          username: 'fresh-signup',
          email: 'fresh-signup@example.test',
          password1: 'a good long password 1',
          password2: 'a good long password 1',
          accept_tos: 'true',
        },
        remember: true,
      },
      'ui',
    )
    if (!r.ok) throw new Error(`${r.code}: ${r.message} ${JSON.stringify(r.fields)}`)
    expect(r.value.current?.state).toBe('active')
    // The adopted token is reused, not minted again.
    const h = await actions.tokens.header(r.value.id, 'cli')
    expect(h.ok && h.value.reused).toBe(true)
  })
})
