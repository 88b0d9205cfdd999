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
    return r.ok ? (r.value as { id: string; client: string; what: string }[]) : []
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
