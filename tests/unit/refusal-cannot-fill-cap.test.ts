// Attacker 5 of docs/security.md, a partly trusted client of the gateway or the agent, sends
// requests its policy allows that answer 401 while the token is valid (a plan or permission
// problem on one endpoint, as many APIs answer). Before this guarantee every such 401 ended the
// token in the ledger only and minted another: twenty requests filled TPStreams' 20 server-side
// slots while TokenDeck showed 1/20, and every colleague's login failed. Now a 401 makes a token
// suspect (still counted); only a confirmed refusal ends it; where the provider can revoke, the
// suspect token is revoked on the server before its replacement; and a replacement is minted at
// most once per refusalMintIntervalSeconds unless the previous one was seen to work. Everything
// runs against the real TPStreams sandbox over HTTP, through the real gateway and core.
import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { DEMO_USERS } from '../../src/main/sandbox'
import { actionsSource, startGateway, type RunningGateway } from '../../src/main/gateway'
import { actionFixture, sandboxPerTest, type ActionFixture } from '../helpers/actions'
import { probingTpstreams } from '../helpers/health-profiles'
import { manualClock } from '../helpers/vault'

const sandbox = sandboxPerTest()
const ACCESS = 'gateway-access-token-for-tests-0123456789'
const tp = DEMO_USERS.tpstreams[0]!
const ORG = tp.organizations![0]!

function get(gw: RunningGateway, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: '127.0.0.1',
        port: gw.port,
        path,
        headers: { 'x-tokendeck-gateway': ACCESS },
        agent: false,
      },
      (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

let gw: RunningGateway | undefined
afterEach(async () => {
  await gw?.close()
  gw = undefined
})

async function account(f: ActionFixture, providerId = 'tpstreams', label = 'acme') {
  const r = await f.actions.accounts.add(
    {
      label,
      providerId,
      baseUrl: sandbox().tpstreams.baseUrl,
      fields: { username: tp.username, password: tp.secret, organization_id: ORG },
      remember: true,
      login: false,
    },
    'cli',
  )
  if (!r.ok) throw new Error(r.message)
  return r.value.account.id
}

async function gateway(f: ActionFixture): Promise<RunningGateway> {
  const started = await startGateway({
    source: actionsSource(() => f.actions),
    accessToken: ACCESS,
    port: 0,
  })
  if (!started.ok) throw new Error(started.message)
  gw = started.value
  return gw
}

/** The cap TokenDeck shows for the organization, as the window and `status` show it. */
function shownCap(f: ActionFixture): number {
  const orgs = f.actions.views.organizations()
  if (!orgs.ok) throw new Error(orgs.message)
  return orgs.value.find((o) => o.organizationId === ORG)!.cap!.used
}

describe('a refusal cannot fill a cap', { timeout: 60_000 }, () => {
  it('25 permission-style 401s through the gateway leave at most 2 live tokens on the server, and the cap shown equals the server count', async () => {
    const f = await actionFixture()
    await account(f)
    const g = await gateway(f)
    const sb = sandbox().tpstreams
    expect((await get(g, `/acme/api/v1/${ORG}/assets/`)).status).toBe(200)
    const logins = sb.stats.loginRequests
    for (let i = 0; i < 25; i++) {
      const r = await get(g, `/acme/api/v1/${ORG}/premium/report`)
      // The client gets the server's own answer.
      expect(r.status).toBe(401)
      expect(r.body).toContain('Your plan does not include this feature.')
      expect(sb.liveTokenCount(ORG)).toBeLessThanOrEqual(2)
      expect(shownCap(f)).toBe(sb.liveTokenCount(ORG))
    }
    // One replacement in the minute, the refused token revoked on the server before it.
    expect(sb.stats.loginRequests - logins).toBe(1)
    expect(sb.liveTokenCount(ORG)).toBe(1)
    // The rest of the API still works, with the token the server holds.
    expect((await get(g, `/acme/api/v1/${ORG}/assets/`)).status).toBe(200)
    expect(shownCap(f)).toBe(sb.liveTokenCount(ORG))
  })

  it('25 rejects straight at the one action (a scripted agent client): at most one login a minute, never past the server count', async () => {
    const clock = manualClock(Date.now())
    const f = await actionFixture({ clock })
    const id = await account(f)
    const sb = sandbox().tpstreams
    const logins = sb.stats.loginRequests
    for (let i = 0; i < 25; i++) {
      const h = await f.actions.tokens.header(id, 'agent')
      expect(h.ok).toBe(true)
      const r = await f.actions.tokens.reject(id, 'agent', h.ok ? h.value.tokenId : undefined)
      expect(r.ok && r.value.outcome).toBe('suspect')
      expect(shownCap(f)).toBe(sb.liveTokenCount(ORG))
    }
    // The first header logged in; the first refusal's replacement is the only other login.
    expect(sb.stats.loginRequests - logins).toBe(2)
    expect(sb.liveTokenCount(ORG)).toBe(1)
    // A minute later one more replacement may be minted, no more.
    clock.advance(61_000)
    for (let i = 0; i < 5; i++) {
      const h = await f.actions.tokens.header(id, 'agent')
      expect(h.ok).toBe(true)
      expect((await f.actions.tokens.reject(id, 'agent')).ok).toBe(true)
    }
    expect(sb.stats.loginRequests - logins).toBe(3)
    expect(sb.liveTokenCount(ORG)).toBe(1)
    expect(shownCap(f)).toBe(1)
  })

  it('a suspect token still counts; handed out as it is while no replacement may be minted; the interval is a setting', async () => {
    const clock = manualClock(Date.now())
    const f = await actionFixture({ clock })
    const id = await account(f)
    expect((await f.actions.settings.update({ refusalMintIntervalSeconds: 300 })).ok).toBe(true)
    const first = await f.actions.tokens.header(id, 'cli')
    if (!first.ok) throw new Error(first.message)
    expect((await f.actions.tokens.reject(id, 'gateway', first.value.tokenId)).ok).toBe(true)
    let view = f.actions.views.account(id)
    expect(view.ok && view.value.tokens[0]).toMatchObject({ state: 'active', suspect: true })
    expect(shownCap(f)).toBe(1)
    const second = await f.actions.tokens.header(id, 'cli')
    if (!second.ok) throw new Error(second.message)
    expect(second.value.tokenId).not.toBe(first.value.tokenId)
    expect(sandbox().tpstreams.isTokenValid(first.value.token)).toBe(false)
    // The replacement is refused too, within the interval: handed out as it is, nothing minted.
    expect((await f.actions.tokens.reject(id, 'gateway', second.value.tokenId)).ok).toBe(true)
    const logins = sandbox().tpstreams.stats.loginRequests
    clock.advance(120_000)
    const third = await f.actions.tokens.header(id, 'cli')
    expect(third.ok && third.value).toMatchObject({ tokenId: second.value.tokenId, suspect: true })
    expect(sandbox().tpstreams.stats.loginRequests).toBe(logins)
    view = f.actions.views.account(id)
    expect(view.ok && view.value.current).toBeNull()
    clock.advance(200_000)
    const fourth = await f.actions.tokens.header(id, 'cli')
    expect(fourth.ok && fourth.value.tokenId).not.toBe(second.value.tokenId)
    expect(sandbox().tpstreams.stats.loginRequests).toBe(logins + 1)
  })

  it('a 2xx through the gateway clears the suspicion and confirms the replacement works', async () => {
    const clock = manualClock(Date.now())
    const f = await actionFixture({ clock })
    const id = await account(f)
    const g = await gateway(f)
    const sb = sandbox().tpstreams
    expect((await get(g, `/acme/api/v1/${ORG}/premium/x`)).status).toBe(401)
    // The replacement answered 401 too (it is suspect), then a 2xx with it elsewhere.
    expect((await get(g, `/acme/api/v1/${ORG}/assets/`)).status).toBe(200)
    await g.close()
    gw = undefined
    const view = f.actions.views.account(id)
    if (!view.ok) throw new Error(view.message)
    expect(view.value.current?.suspect).toBeUndefined()
    expect(view.value.current).not.toBeNull()
    // Seen to work: a later refusal may replace it at once (revoked first), within the minute.
    const logins = sb.stats.loginRequests
    const cur = view.value.current!
    expect((await f.actions.tokens.reject(id, 'gateway', cur.id)).ok).toBe(true)
    const h = await f.actions.tokens.header(id, 'cli')
    expect(h.ok && h.value.tokenId).not.toBe(cur.id)
    expect(sb.stats.loginRequests).toBe(logins + 1)
    expect(sb.liveTokenCount(ORG)).toBe(1)
  })

  it("a confirmed refusal ends the token: the profile's probe answering 401", async () => {
    const f = await actionFixture()
    expect((await f.services.vault.addProvider(probingTpstreams())).ok).toBe(true)
    const id = await account(f, 'tp-probe')
    const first = await f.actions.tokens.header(id, 'cli')
    if (!first.ok) throw new Error(first.message)
    // A permission-style 401 elsewhere: the probe accepts the token, it is kept, nothing minted.
    const kept = await f.actions.tokens.reject(id, 'gateway', first.value.tokenId)
    expect(kept.ok && kept.value.outcome).toBe('accepted')
    const again = await f.actions.tokens.header(id, 'cli')
    expect(again.ok && again.value).toMatchObject({ tokenId: first.value.tokenId, reused: true })
    // Revoked on the server behind TokenDeck's back: the probe confirms the refusal.
    expect(sandbox().tpstreams.revokeToken(first.value.token)).toBe(true)
    const ended = await f.actions.tokens.reject(id, 'gateway', first.value.tokenId)
    expect(ended.ok && ended.value.outcome).toBe('rejected')
    const view = f.actions.views.account(id)
    expect(view.ok && view.value.tokens[0]).toMatchObject({ state: 'revoked' })
    expect(shownCap(f)).toBe(0)
  })

  it("a confirmed refusal ends the token: the provider's revoke answering it was already invalid", async () => {
    const f = await actionFixture()
    const id = await account(f)
    const first = await f.actions.tokens.header(id, 'cli')
    if (!first.ok) throw new Error(first.message)
    expect(sandbox().tpstreams.revokeToken(first.value.token)).toBe(true)
    expect((await f.actions.tokens.reject(id, 'cli', first.value.tokenId)).ok).toBe(true)
    const next = await f.actions.tokens.header(id, 'cli')
    expect(next.ok && next.value.tokenId).not.toBe(first.value.tokenId)
    const view = f.actions.views.account(id)
    if (!view.ok) throw new Error(view.message)
    const old = view.value.tokens.find((t) => t.id === first.value.tokenId)!
    expect(old.state).toBe('revoked')
    expect(old.note).toMatch(
      /^Refused by its server: its revoke answered that it was already invalid/,
    )
    expect(shownCap(f)).toBe(sandbox().tpstreams.liveTokenCount(ORG))
  })

  it('no revoke endpoint: suspect tokens keep counting; at the cap the suspect one is handed out, never past it', async () => {
    const clock = manualClock(Date.now())
    const f = await actionFixture({ clock })
    // TPStreams as a user might import it without its logout, capped at 3 by the profile.
    const p = JSON.parse(probingTpstreams({ id: 'tp-norevoke', name: 'No revoke' })) as Record<
      string,
      unknown
    >
    delete p.revoke
    delete p.probe
    p.cap = { max: 3, scope: 'organization' }
    expect((await f.services.vault.addProvider(JSON.stringify(p))).ok).toBe(true)
    const id = await account(f, 'tp-norevoke')
    const sb = sandbox().tpstreams
    for (let i = 0; i < 6; i++) {
      const h = await f.actions.tokens.header(id, 'gateway')
      expect(h.ok).toBe(true)
      expect((await f.actions.tokens.reject(id, 'gateway', h.ok ? h.value.tokenId : '')).ok).toBe(
        true,
      )
      clock.advance(61_000)
      expect(shownCap(f)).toBe(sb.liveTokenCount(ORG))
      expect(sb.liveTokenCount(ORG)).toBeLessThanOrEqual(3)
    }
    const last = await f.actions.tokens.header(id, 'gateway')
    expect(last.ok && last.value.suspect).toBe(true)
    expect(sb.liveTokenCount(ORG)).toBe(3)
  })
})
