// A hostile client of the agent holds only its own connection, and not for long (attacker 5 of
// the threat model): a client trickling bytes of a line it never completes is closed at the
// deadline however often it sends, while a request waiting for the window's approval is not cut;
// the queued work of a client that writes thousands of requests and leaves is dropped, not done;
// and connections past the cap are answered AGENT_BUSY. A real agent on a real socket over the
// core actions and the sandbox.
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { AgentApprovals } from '../../src/main/agent/approvals'
import { askAgent } from '../../src/main/agent/client'
import { AGENT_PROTOCOL } from '../../src/main/agent/protocol'
import { MAX_IN_FLIGHT } from '../../src/main/agent/server'
import { sandboxPerTest } from '../helpers/actions'
import { agentsPerTest } from '../helpers/agent'

const sandbox = sandboxPerTest()
const agentOverVault = agentsPerTest(sandbox)

const client = (command: string, session = 's1') => ({ pid: 7, tty: '', session, command })
const line = (command: string, i: number, session?: string) =>
  `${JSON.stringify({ v: AGENT_PROTOCOL, id: `r${i}`, client: client(command, session), op: 'header', label: 'acme-prod' })}\n`

/** Waits (polling) until `check` holds; for states the agent reaches on its own. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`never: ${what}`)
}

/** Connects and resolves once connected; the socket records whether the agent closed it. */
async function connect(endpoint: string) {
  const s = net.connect(endpoint)
  s.on('error', () => {})
  const closed = new Promise<void>((resolve) => s.once('close', () => resolve()))
  await new Promise<void>((resolve) => s.once('connect', () => resolve()))
  return { s, closed }
}

/** Sends one more byte of a request that never ends, every 40 ms, until the socket closes. */
function trickle(s: net.Socket): { sent: () => number } {
  const text = '{"v":1,"id":"slow","client":{"pid":1,"tty":"","session":"","command":"slow"},"op":'
  let sent = 0
  const timer = setInterval(() => {
    if (s.destroyed) return clearInterval(timer)
    s.write(text[sent % text.length]!)
    sent++
  }, 40)
  s.once('close', () => clearInterval(timer))
  return { sent: () => sent }
}

describe('hostile clients of the agent', { timeout: 60_000 }, () => {
  it('a line trickled byte by byte is closed at the deadline; others are served meanwhile', async () => {
    const { endpoint } = await agentOverVault({ limits: { connectionIdleMs: 400 } })
    const slow = await connect(endpoint)
    const t = trickle(slow.s)
    expect((await askAgent(endpoint, { op: 'ping' }, { command: 'other' }))?.ok).toBe(true)
    // Every byte is activity, but no line completes: the agent closes it (we never do).
    await slow.closed
    expect(t.sent()).toBeGreaterThan(1)
    expect((await askAgent(endpoint, { op: 'ping' }, { command: 'other' }))?.ok).toBe(true)
  })

  it('a request waiting for approval is not cut by the deadline; it is answered once allowed', async () => {
    const approvals = new AgentApprovals({
      now: () => Date.now(),
      dontAsk: () => false,
      notify: () => {},
    })
    const { endpoint } = await agentOverVault({ approvals, limits: { connectionIdleMs: 300 } })
    const waiting = await connect(endpoint)
    let answer = ''
    waiting.s.setEncoding('utf8').on('data', (d: string) => (answer += d))
    waiting.s.write(line('tokendeck header', 1))
    await until(() => approvals.pending().length === 1, 'a prompt')
    // A trickling client connected after it is closed at its deadline: the deadline has passed
    // for the waiting one too, which must stay open, its request running.
    const slow = await connect(endpoint)
    trickle(slow.s)
    await slow.closed
    expect(waiting.s.destroyed).toBe(false)
    expect(approvals.decide(approvals.pending()[0]!.id, true)).toBe(true)
    await until(() => answer.includes('\n'), 'the answer')
    expect(JSON.parse(answer)).toMatchObject({ id: 'r1', ok: true, value: { label: 'acme-prod' } })
    waiting.s.destroy()
  })

  it('3,000 requests written before leaving: the queued ones are dropped, not answered', async () => {
    const { endpoint, agent, services } = await agentOverVault()
    const gone = await connect(endpoint)
    gone.s.write(Array.from({ length: 3_000 }, (_, i) => line('gone', i)).join(''))
    gone.s.destroy()
    await until(() => agent.server.connections() === 0, 'the agent noticed the close')
    // It answered at most what it had taken in before it noticed; the rest never ran. Each
    // request that ran left one entry naming who asked (the reuse it caused).
    const done = services.vault.events.list().filter((e) => e.client?.startsWith('"gone"'))
    expect(done.length).toBeGreaterThan(0)
    expect(done.length).toBeLessThanOrEqual(MAX_IN_FLIGHT)
    expect(
      (await askAgent(endpoint, { op: 'header', label: 'acme-prod' }, { command: 'x' }))?.ok,
    ).toBe(true)
  })

  it('connections past the cap are answered AGENT_BUSY; a freed slot serves again', async () => {
    const { endpoint, agent } = await agentOverVault({ limits: { maxConnections: 3 } })
    const held = await Promise.all([connect(endpoint), connect(endpoint), connect(endpoint)])
    await until(() => agent.server.connections() === 3, 'three connections')
    const busy = await askAgent(endpoint, { op: 'ping' }, { command: 'fourth' })
    expect(busy?.ok === false && busy.code).toBe('AGENT_BUSY')
    held[0]!.s.destroy()
    await until(() => agent.server.connections() === 2, 'a freed slot')
    expect((await askAgent(endpoint, { op: 'ping' }, { command: 'fourth' }))?.ok).toBe(true)
    for (const h of held) h.s.destroy()
  })
})
