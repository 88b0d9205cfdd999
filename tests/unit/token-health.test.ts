// Token health (tokens.check) against the real TPStreams sandbox over HTTP: a token revoked on the
// server behind TokenDeck's back is found refused by the probe, marked rejected through the one
// rejection path, and the next header mints exactly one new token; a 5xx or a dropped connection
// is inconclusive and marks nothing; a probe path names only non-secret fields.
import { describe, expect, it } from 'vitest'
import { DEMO_USERS } from '../../src/main/sandbox'
import { parseProfile } from '../../src/shared/providers/profile'
import { probePath } from '../../src/main/providers/probe'
import { accountSummary } from '../../src/shared/state'
import { actionFixture, sandboxPerTest } from '../helpers/actions'
import { probingTpstreams } from '../helpers/health-profiles'

const sandbox = sandboxPerTest()
const TP = DEMO_USERS.tpstreams[0]!

async function probedAccount(org = 'acme') {
  const f = await actionFixture()
  const imported = await f.actions.providers.import(probingTpstreams())
  if (!imported.ok) throw new Error(imported.message)
  const added = await f.actions.accounts.add(
    {
      label: 'acme-probe',
      providerId: 'tp-probe',
      baseUrl: sandbox().tpstreams.baseUrl,
      fields: { username: TP.username, password: TP.secret, organization_id: org },
      remember: true,
    },
    'cli',
  )
  if (!added.ok) throw new Error(added.message)
  return { ...f, id: added.value.account.id }
}

describe('tokens.check against the sandbox', () => {
  it('a token the server revoked is refused, marked rejected, and the next header mints one', async () => {
    const { actions, id } = await probedAccount()
    const first = await actions.tokens.header(id, 'cli')
    expect(first.ok).toBe(true)
    if (!first.ok) return
    const good = await actions.tokens.check(id, 'ui')
    expect(good).toMatchObject({ ok: true, value: { outcome: 'good', status: 200 } })

    // Revoked on the server, not through TokenDeck: the vault still thinks it is live.
    expect(sandbox().tpstreams.revokeToken(first.value.token)).toBe(true)
    const reused = await actions.tokens.header(id, 'cli')
    expect(reused.ok && reused.value.token).toBe(first.value.token)

    const checked = await actions.tokens.check(id, 'ui')
    expect(checked).toMatchObject({
      ok: true,
      value: { outcome: 'refused', status: 401, tokenId: first.value.tokenId },
    })
    const view = actions.views.account('acme-probe')
    if (!view.ok) throw new Error(view.message)
    const t = view.value.tokens.find((x) => x.id === first.value.tokenId)!
    expect(t.state).toBe('revoked')
    expect(t.note).toMatch(
      /^Refused by its server: its probe answered HTTP 401 \(reported through ui\)/,
    )
    expect(accountSummary(view.value, Date.now()).word).toBe('rejected')
    const events = actions.views.events({ limit: 1 })
    expect(events.ok && events.value.events[0]).toMatchObject({
      type: 'revoke',
      surface: 'ui',
      tokenId: first.value.tokenId,
      message:
        'The server confirmed it refuses the token of "acme-probe" (its probe answered HTTP 401); the next request gets a new one.',
    })

    const before = sandbox().tpstreams.stats.loginRequests
    const next = await Promise.all([1, 2, 3].map(() => actions.tokens.header(id, 'cli')))
    expect(sandbox().tpstreams.stats.loginRequests - before).toBe(1)
    expect(next.every((r) => r.ok && r.value.token !== first.value.token)).toBe(true)
    const after = await actions.tokens.check(id, 'ui')
    expect(after).toMatchObject({ ok: true, value: { outcome: 'good' } })
  })

  it('a 5xx or a reset connection is inconclusive: nothing is marked, nothing minted', async () => {
    const { actions, id } = await probedAccount()
    const h = await actions.tokens.header(id, 'cli')
    if (!h.ok) throw new Error(h.message)
    sandbox().tpstreams.setFault({ kind: 'html', status: 503 }, { route: 'protected', times: 1 })
    const r503 = await actions.tokens.check(id, 'ui')
    expect(r503).toMatchObject({
      ok: true,
      value: { outcome: 'inconclusive', status: 503, code: 'SERVER_ERROR' },
    })
    sandbox().tpstreams.setFault({ kind: 'reset' }, { route: 'protected', times: 1 })
    const reset = await actions.tokens.check(id, 'ui')
    expect(reset).toMatchObject({ ok: true, value: { outcome: 'inconclusive', status: null } })
    expect(reset.ok && reset.value.message).not.toContain(h.value.token)
    const before = sandbox().tpstreams.stats.loginRequests
    const again = await actions.tokens.header(id, 'cli')
    expect(again.ok && again.value).toMatchObject({ reused: true, tokenId: h.value.tokenId })
    expect(sandbox().tpstreams.stats.loginRequests).toBe(before)
  })

  it('a 403 is a refusal too; a 404 or 429 is not', async () => {
    const { actions, id } = await probedAccount()
    const h = await actions.tokens.header(id, 'cli')
    if (!h.ok) throw new Error(h.message)
    const tp = sandbox().tpstreams
    for (const status of [404, 429]) {
      tp.setFault(
        { kind: 'json', status, body: { detail: 'no' } },
        { route: 'protected', times: 1 },
      )
      const r = await actions.tokens.check(id, 'ui')
      expect(r.ok && [r.value.outcome, r.value.status]).toEqual(['inconclusive', status])
    }
    tp.setFault(
      { kind: 'json', status: 403, body: { detail: 'no' } },
      { route: 'protected', times: 1 },
    )
    const r = await actions.tokens.check(id, 'ui')
    expect(r.ok && [r.value.outcome, r.value.status, r.value.tokenId]).toEqual([
      'refused',
      403,
      h.value.tokenId,
    ])
  })

  it('no live token: nothing is minted to be checked; no probe declared: unsupported', async () => {
    const { actions, id } = await probedAccount()
    const before = sandbox().tpstreams.stats.loginRequests
    const r = await actions.tokens.check(id, 'ui')
    expect(r).toMatchObject({ ok: true, value: { outcome: 'no-token', tokenId: null } })
    expect(sandbox().tpstreams.stats.loginRequests).toBe(before)
    const plain = await actions.accounts.add(
      {
        label: 'plain',
        providerId: 'tpstreams',
        baseUrl: sandbox().tpstreams.baseUrl,
        fields: { username: TP.username, password: TP.secret, organization_id: 'acme' },
        remember: true,
      },
      'cli',
    )
    if (!plain.ok) throw new Error(plain.message)
    const u = await actions.tokens.check(plain.value.account.id, 'ui')
    expect(u).toMatchObject({ ok: true, value: { outcome: 'unsupported' } })
  })
})

describe('probe paths', () => {
  it('name non-secret fields only, each replaced as one encoded segment', () => {
    const ok = parseProfile(JSON.parse(probingTpstreams()))
    expect(ok.ok).toBe(true)
    const secret = parseProfile(JSON.parse(probingTpstreams({ probe: { path: '/x/{password}/' } })))
    expect(!secret.ok && secret.details?.problems).toEqual([
      'probe.path: "{password}" is a secret field: a probe path can only name non-secret fields',
    ])
    const unknown = parseProfile(JSON.parse(probingTpstreams({ probe: { path: '/x/{nope}' } })))
    expect(!unknown.ok && unknown.details?.problems).toEqual([
      'probe.path: "{nope}" is not a field of this profile',
    ])
    expect(probePath('/api/v1/{organization_id}/assets/', { organization_id: 'a/b c' })).toEqual({
      ok: true,
      value: '/api/v1/a%2Fb%20c/assets/',
    })
    expect(probePath('/api/v1/{organization_id}/', {}).ok).toBe(false)
  })
})
