// The app's agent and its consent (app-agent.ts, agent/approvals.ts) over a real socket, the
// real handler table and the sandbox: the first request of a terminal session waits for the
// window's answer (one prompt for concurrent requests), an approval lasts for that session until
// idle 10 minutes or 12 hours old, can be revoked, "don't ask" skips it, and locking the vault
// ends every approval and refuses what waits.
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { DEMO_USERS } from '../../src/main/sandbox'
import { INVOKE } from '../../src/shared/ipc/channels'
import { AGENT_PROTOCOL, type AgentClient } from '../../src/main/agent/protocol'
import { startTestApp, type TestApp } from '../helpers/app'
import { manualClock, TEST_PASSPHRASE } from '../helpers/vault'

const tp = DEMO_USERS.tpstreams[0]!
const apps: TestApp[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})

const terminal = (session: string, pid = 4242): AgentClient => ({
  pid,
  tty: `/dev/pts/${session}`,
  session,
  command: 'tokendeck header',
})

/** One request with the client it claims to be; resolves with the answer. */
function request(endpoint: string, client: AgentClient, body: Record<string, unknown>) {
  return new Promise<{ ok: boolean; code?: string; value?: unknown }>((resolve, reject) => {
    const s = net.connect(endpoint)
    let text = ''
    s.setEncoding('utf8')
    s.on('error', reject)
    s.on('data', (d: string) => {
      text += d
      if (text.includes('\n')) {
        s.destroy()
        resolve(JSON.parse(text.slice(0, text.indexOf('\n'))) as { ok: boolean })
      }
    })
    s.on('connect', () =>
      s.write(`${JSON.stringify({ v: AGENT_PROTOCOL, id: 'r', client, ...body })}\n`),
    )
  })
}

async function appWithAccount() {
  const clock = manualClock(Date.now())
  const app = await startTestApp({ agent: true, clock })
  apps.push(app)
  const h = app.handlers
  expect(
    (await h[INVOKE.vaultCreate]({ protection: 'passphrase', passphrase: TEST_PASSPHRASE })).ok,
  ).toBe(true)
  const added = await h[INVOKE.accountsAdd]({
    label: 'acme-prod',
    providerId: 'tpstreams',
    baseUrl: app.sandbox.tpstreams.baseUrl,
    fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
    remember: true,
    login: false,
  })
  expect(added.ok).toBe(true)
  let changes = 0
  app.onAgentChange(() => changes++)
  const header = (client: AgentClient) =>
    request(app.agentEndpoint, client, { op: 'header', label: 'acme-prod' })
  const pending = async () => {
    const r = await h[INVOKE.agentPending](undefined)
    return r.ok ? (r.value as { id: string; client: string; what: string; scope: string }[]) : []
  }
  /** Waits until a prompt is there (the request is on its way through the socket). */
  const nextPrompt = async () => {
    for (let i = 0; i < 200; i++) {
      const p = await pending()
      if (p.length > 0) return p[0]!
      await new Promise((r) => setTimeout(r, 10))
    }
    throw new Error('no prompt came')
  }
  return { app, clock, h, header, pending, nextPrompt, changes: () => changes }
}

describe('the app agent asks the window', { timeout: 30_000 }, () => {
  it('a new session waits for approval; concurrent requests share one prompt; then it is remembered', async () => {
    const { h, header, pending, nextPrompt, changes } = await appWithAccount()
    const first = Promise.all([header(terminal('7')), header(terminal('7'))])
    const prompt = await nextPrompt()
    expect(prompt.client).toBe('"tokendeck header" (pid 4242, /dev/pts/7)')
    expect(prompt.what).toBe('for the header of "acme-prod"')
    expect(await pending()).toHaveLength(1)
    expect(changes()).toBeGreaterThan(0)
    expect((await h[INVOKE.agentDecide]({ id: prompt.id, allow: true })).ok).toBe(true)
    const answers = await first
    expect(answers.every((a) => a.ok)).toBe(true)
    // The same session again: no prompt.
    expect((await header(terminal('7', 5555))).ok).toBe(true)
    expect(await pending()).toEqual([])
    const sessions = await h[INVOKE.agentSessions](undefined)
    expect(sessions.ok && sessions.value).toMatchObject([
      { client: '"tokendeck header" (pid 4242, /dev/pts/7)' },
    ])
  })

  it('a refusal is AGENT_DENIED and sends nothing to the provider; another session asks anew', async () => {
    const { app, h, header, nextPrompt } = await appWithAccount()
    const before = app.sandbox.tpstreams.stats.loginRequests
    const asked = header(terminal('8'))
    const prompt = await nextPrompt()
    expect((await h[INVOKE.agentDecide]({ id: prompt.id, allow: false })).ok).toBe(true)
    expect(await asked).toMatchObject({ ok: false, code: 'AGENT_DENIED' })
    expect(app.sandbox.tpstreams.stats.loginRequests).toBe(before)
    const again = header(terminal('8'))
    const second = await nextPrompt()
    expect(second.id).not.toBe(prompt.id)
    expect((await h[INVOKE.agentDecide]({ id: second.id, allow: true })).ok).toBe(true)
    expect((await again).ok).toBe(true)
    expect((await h[INVOKE.agentDecide]({ id: second.id, allow: true })).ok).toBe(false)
  })

  it('an approval lapses after 10 idle minutes and after 12 hours, and can be revoked', async () => {
    const { h, clock, header, nextPrompt, pending } = await appWithAccount()
    const approve = async (client: AgentClient) => {
      const asked = header(client)
      const p = await nextPrompt()
      expect((await h[INVOKE.agentDecide]({ id: p.id, allow: true })).ok).toBe(true)
      expect((await asked).ok).toBe(true)
    }
    await approve(terminal('9'))
    clock.advance(9 * 60_000)
    expect((await header(terminal('9'))).ok).toBe(true) // used: the idle time starts again
    clock.advance(9 * 60_000)
    expect((await header(terminal('9'))).ok).toBe(true)
    clock.advance(11 * 60_000)
    await approve(terminal('9')) // idle too long: asked again
    // In use every 9 minutes: live until 12 hours after the approval, then asked again.
    for (let i = 1; i < 80; i++) {
      clock.advance(9 * 60_000)
      expect((await header(terminal('9'))).ok).toBe(true)
    }
    clock.advance(9 * 60_000)
    const late = header(terminal('9'))
    expect((await nextPrompt()).client).toContain('/dev/pts/9')
    expect(await pending()).toHaveLength(1)
    const p = await nextPrompt()
    expect((await h[INVOKE.agentDecide]({ id: p.id, allow: true })).ok).toBe(true)
    expect((await late).ok).toBe(true)
    const sessions = await h[INVOKE.agentSessions](undefined)
    const id = sessions.ok ? (sessions.value as { id: string }[])[0]!.id : ''
    expect((await h[INVOKE.agentRevokeSession]({ id })).ok).toBe(true)
    const afterRevoke = header(terminal('9'))
    expect((await nextPrompt()).client).toContain('/dev/pts/9')
    expect((await h[INVOKE.vaultLock](undefined)).ok).toBe(true)
    expect(await afterRevoke).toMatchObject({ ok: false })
  })

  it('"don\'t ask" answers without a prompt; locking ends approvals and answers VAULT_LOCKED', async () => {
    const { h, header, pending, nextPrompt } = await appWithAccount()
    expect((await h[INVOKE.settingsUpdate]({ agentApproval: 'dont-ask' })).ok).toBe(true)
    expect((await header(terminal('10'))).ok).toBe(true)
    expect(await pending()).toEqual([])
    expect((await h[INVOKE.settingsUpdate]({ agentApproval: 'ask' })).ok).toBe(true)
    const waiting = header(terminal('11'))
    await nextPrompt()
    expect((await h[INVOKE.vaultLock](undefined)).ok).toBe(true)
    expect(await waiting).toMatchObject({ ok: false, code: 'AGENT_DENIED' })
    expect(await header(terminal('11'))).toMatchObject({ ok: false, code: 'VAULT_LOCKED' })
    const s = await h[INVOKE.agentSessions](undefined)
    expect(s.ok && s.value).toEqual([])
  })
})

describe('approval scopes: reading tokens is not changing the vault', { timeout: 60_000 }, () => {
  it('a read approval does not let a change through: it asks again, saying so; a change approval covers both', async () => {
    const { app, h, header, pending, nextPrompt } = await appWithAccount()
    const t = terminal('21')
    const asked = header(t)
    const first = await nextPrompt()
    expect(first.scope).toBe('read')
    expect((await h[INVOKE.agentDecide]({ id: first.id, allow: true })).ok).toBe(true)
    const got = await asked
    expect(got.ok).toBe(true)
    const value = (got.value as { value: string }).value
    const revokesBefore = app.sandbox.tpstreams.stats.logoutRequests
    // A revoke from the same, read-approved session: asked again, as a change.
    const revoke = request(app.agentEndpoint, t, {
      op: 'revoke',
      label: 'acme-prod',
      mode: 'current',
    })
    const change = await nextPrompt()
    expect(change).toMatchObject({ scope: 'change', what: 'to revoke the token of "acme-prod"' })
    expect((await h[INVOKE.agentDecide]({ id: change.id, allow: false })).ok).toBe(true)
    expect(await revoke).toMatchObject({ ok: false, code: 'AGENT_DENIED' })
    expect(app.sandbox.tpstreams.stats.logoutRequests).toBe(revokesBefore)
    // Still allowed to read, and the token was not touched.
    expect(await header(t)).toMatchObject({ ok: true, value: { value } })
    expect(await pending()).toEqual([])
    let sessions = await h[INVOKE.agentSessions](undefined)
    expect(sessions.ok && sessions.value).toMatchObject([{ scope: 'read' }])
    // Allowed as a change: the session may change and read from then on, without asking.
    const again = request(app.agentEndpoint, t, {
      op: 'revoke',
      label: 'acme-prod',
      mode: 'current',
    })
    const p = await nextPrompt()
    expect((await h[INVOKE.agentDecide]({ id: p.id, allow: true })).ok).toBe(true)
    expect((await again).ok).toBe(true)
    expect(app.sandbox.tpstreams.stats.logoutRequests).toBe(revokesBefore + 1)
    sessions = await h[INVOKE.agentSessions](undefined)
    expect(sessions.ok && sessions.value).toMatchObject([{ scope: 'change' }])
    // Let through without asking (it has no token left to reject, so it is refused by the core).
    const reject = await request(app.agentEndpoint, t, { op: 'reject', label: 'acme-prod' })
    expect(reject.code).not.toBe('AGENT_DENIED')
    expect(await header(t)).toMatchObject({ ok: true })
    expect(await pending()).toEqual([])
  })

  it('every change asks a read-approved session again; every read is answered without asking', async () => {
    const { app, h, header, pending, nextPrompt } = await appWithAccount()
    const t = terminal('22')
    const asked = header(t)
    const p = await nextPrompt()
    expect((await h[INVOKE.agentDecide]({ id: p.id, allow: true })).ok).toBe(true)
    expect((await asked).ok).toBe(true)
    const base = app.sandbox.tpstreams.baseUrl
    const changes: Record<string, unknown>[] = [
      { op: 'revoke', label: 'acme-prod', mode: 'current' },
      { op: 'revoke', label: 'acme-prod', mode: 'all' },
      { op: 'revoke', label: 'acme-prod', mode: 'oldest' },
      { op: 'revoke', label: 'acme-prod', mode: 'org' },
      { op: 'revoke', label: 'acme-prod', mode: 'uncertain' },
      { op: 'login', label: 'acme-prod', force: true },
      { op: 'header', label: 'acme-prod', confirmEviction: true },
      { op: 'token', label: 'acme-prod', confirmEviction: true },
      { op: 'policy', label: 'acme-prod', set: { origins: [], methods: ['GET'], paths: [] } },
      { op: 'remove', label: 'acme-prod', force: true },
      {
        op: 'add',
        account: {
          label: 'x',
          providerId: 'tpstreams',
          baseUrl: base,
          fields: {},
          remember: false,
        },
      },
    ]
    for (const body of changes) {
      const r = request(app.agentEndpoint, t, body)
      const prompt = await nextPrompt()
      expect([body.op, prompt.scope]).toEqual([body.op, 'change'])
      expect((await h[INVOKE.agentDecide]({ id: prompt.id, allow: false })).ok).toBe(true)
      expect(await r).toMatchObject({ ok: false, code: 'AGENT_DENIED' })
    }
    const reads: Record<string, unknown>[] = [
      { op: 'token', label: 'acme-prod' },
      // A 401 a reading client saw (git's erase, the gateway): the token becomes suspect only.
      { op: 'reject', label: 'acme-prod' },
      { op: 'login', label: 'acme-prod', force: false },
      { op: 'status' },
      { op: 'accounts' },
      { op: 'check', label: 'acme-prod' },
      { op: 'log', limit: 5 },
      { op: 'match', url: `${base}/api/v1/acme/assets/` },
      { op: 'targets', labels: [] },
      { op: 'policy', label: 'acme-prod' },
      { op: 'profile', providerId: 'tpstreams' },
      {
        op: 'record',
        entries: [{ label: 'acme-prod', method: 'GET', path: '/x', status: 200, durationMs: 1 }],
      },
    ]
    for (const body of reads) {
      expect([body.op, await request(app.agentEndpoint, t, body)]).toMatchObject([
        body.op,
        { ok: true },
      ])
    }
    expect(await pending()).toEqual([])
    const sessions = await h[INVOKE.agentSessions](undefined)
    expect(sessions.ok && sessions.value).toMatchObject([{ scope: 'read' }])
  })
})
