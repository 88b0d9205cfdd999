// The agent's login notices on the wire (agent/server.ts, agent/host.ts, protocol.ts): while a
// headless agent runs an OAuth device login for a request, that request's client gets the prompt
// as a notice line before its answer, and a client asking for another account, on another
// connection of the same agent, never reads it (nor that account's id): the attacker is a second
// client of the agent (GUIDE.md threat 5) fishing for a code it could approve itself. A client
// that leaves while its login waits ends that login (nobody else can see its code). Real parts:
// a real vault, the real core, the sandbox's OAuth server, raw lines on the agent's Unix socket.
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createActions, type Actions } from '../../src/main/actions'
import { startAgent, type RunningAgent } from '../../src/main/agent/host'
import { AGENT_PROTOCOL, noticeSchema, responseSchema } from '../../src/main/agent/protocol'
import { createHttpClient } from '../../src/main/providers/http-client'
import { DEMO_USERS, startOauthSandbox, type OauthSandbox } from '../../src/main/sandbox'
import type { LoginPromptEvent } from '../../src/shared/login-prompt'
import { newVault, tempDir } from '../helpers/vault'
import { FakeTimers } from '../mocks/timers'

const user = DEMO_USERS.oauth[0]!
let sb: OauthSandbox
let actions: Actions
let agent: RunningAgent
let endpoint: string
let services: Awaited<ReturnType<typeof newVault>>
const ids: Record<string, string> = {}

beforeAll(async () => {
  sb = await startOauthSandbox({ device: { intervalMs: 1000, expiresInMs: 120_000 } })
  services = await newVault({ http: createHttpClient() })
  actions = createActions({ services: () => services, platform: 'linux', safeStorage: null })
  const profile = fs.readFileSync('tests/fixtures/profiles/oauth-device-sandbox.json', 'utf8')
  const imported = await actions.providers.import(profile)
  if (!imported.ok) throw new Error(imported.message)
  for (const label of ['dev-a', 'dev-b', 'dev-c', 'dev-d']) {
    const added = await actions.accounts.add(
      {
        label,
        providerId: 'oauth-device-sandbox',
        baseUrl: sb.baseUrl,
        fields: { user: user.username },
        remember: true,
        login: false,
      },
      'cli',
    )
    if (!added.ok) throw new Error(added.message)
    ids[label] = added.value.account.id
  }
  endpoint = path.join(tempDir('tokendeck-agent-'), 'run', 'agent.sock')
  const a = await startAgent({
    endpoint,
    vaultDir: services.dir,
    kind: 'headless',
    actions: () => (services.vault.unlocked ? actions : null),
    log: (e) => services.vault.log(e),
    now: () => Date.now(),
    idleTimeoutMinutes: 0,
  })
  if (!a.ok) throw new Error(a.message)
  agent = a.value
}, 30_000)
afterAll(async () => {
  await agent?.close()
  await sb?.close()
})

/** One connection asking for `label`'s header; its lines as they come, raw. */
function client(label: string, id: string, at = endpoint) {
  const s = net.connect(at)
  const lines: string[] = []
  const waiters = new Set<() => void>()
  let buffered = ''
  s.setEncoding('utf8')
  s.on('error', () => {})
  s.on('data', (d: string) => {
    buffered += d
    let i: number
    while ((i = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, i))
      buffered = buffered.slice(i + 1)
    }
    for (const w of [...waiters]) w()
  })
  s.on('connect', () => {
    const client = { pid: 1, tty: '', session: '', command: 'agent-login-notices.test' }
    s.write(`${JSON.stringify({ v: AGENT_PROTOCOL, id, client, op: 'header', label })}\n`)
  })
  /** The first line that `pick` accepts (parsed). */
  const next = <T>(pick: (raw: unknown) => T | null) =>
    new Promise<T>((resolve) => {
      const check = () => {
        for (const l of lines) {
          const v = pick(JSON.parse(l) as unknown)
          if (v !== null) {
            waiters.delete(check)
            return resolve(v)
          }
        }
      }
      waiters.add(check)
      check()
    })
  return {
    socket: s,
    lines,
    notice: () =>
      next((raw) => {
        const n = noticeSchema.safeParse(raw)
        return n.success ? n.data : null
      }),
    answer: () =>
      next((raw) => {
        const r = responseSchema.safeParse(raw)
        return r.success ? r.data : null
      }),
  }
}

describe('login notices through the agent', { timeout: 60_000 }, () => {
  it("each client reads its own account's prompt, never another's; the answer follows", async () => {
    const a = client('dev-a', 'req-a')
    const na = await a.notice()
    expect(na).toMatchObject({
      v: AGENT_PROTOCOL,
      id: 'req-a',
      notice: { browserOpened: false, loginPrompt: { kind: 'device', label: 'dev-a' } },
    })
    expect(na.notice.loginPrompt.accountId).toBe(ids['dev-a'])
    const codeA = na.notice.loginPrompt.userCode!
    // Another client of the same agent, for another account, while dev-a's code is shown.
    const b = client('dev-b', 'req-b')
    const nb = await b.notice()
    expect(nb.notice.loginPrompt).toMatchObject({ label: 'dev-b', accountId: ids['dev-b'] })
    expect(sb.approveDevice(nb.notice.loginPrompt.userCode!, user.username)).toBe(true)
    expect(await b.answer()).toMatchObject({ id: 'req-b', ok: true })
    const seenByB = b.lines.join('\n')
    expect(seenByB).not.toContain(codeA)
    expect(seenByB).not.toContain(ids['dev-a'])
    expect(seenByB).not.toContain(na.notice.loginPrompt.id)
    b.socket.destroy()
    expect(sb.approveDevice(codeA, user.username)).toBe(true)
    expect(await a.answer()).toMatchObject({ id: 'req-a', ok: true })
    // Each notice came before its answer, on its own connection only.
    expect(a.lines.map((l) => ('notice' in JSON.parse(l) ? 'notice' : 'answer'))).toEqual([
      'notice',
      'answer',
    ])
    expect(a.lines.join('\n')).not.toContain(nb.notice.loginPrompt.userCode!)
    a.socket.destroy()
  })

  it('a headless agent does not stop for idleness while a login waits for the person', async () => {
    const timers = new FakeTimers()
    let stops = 0
    const at = path.join(tempDir('tokendeck-agent-'), 'run', 'agent.sock')
    const idle = await startAgent({
      endpoint: at,
      vaultDir: services.dir,
      kind: 'headless',
      actions: () => actions,
      log: () => {},
      now: () => Date.now(),
      idleTimeoutMinutes: 1,
      onStop: () => stops++,
      timers,
    })
    if (!idle.ok) throw new Error(idle.message)
    try {
      const d = client('dev-d', 'req-d', at)
      const n = await d.notice()
      // Five idle minutes pass while the person finds the code: the agent is busy, not idle.
      timers.advance(5 * 60_000)
      expect(stops).toBe(0)
      expect(sb.approveDevice(n.notice.loginPrompt.userCode!, user.username)).toBe(true)
      expect(await d.answer()).toMatchObject({ id: 'req-d', ok: true })
      d.socket.destroy()
      // The idle minute counts from the answer.
      timers.advance(59_000)
      expect(stops).toBe(0)
      timers.advance(2_000)
      expect(stops).toBe(1)
    } finally {
      await idle.value.close()
    }
  })

  it('a client that leaves while its code waits ends the login in a headless agent', async () => {
    const c = client('dev-c', 'req-c')
    const n = await c.notice()
    const ended = new Promise<LoginPromptEvent>((resolve) => {
      const stop = actions.logins.subscribe((e) => {
        if (e.type === 'ended' && e.id === n.notice.loginPrompt.id) {
          stop()
          resolve(e)
        }
      })
    })
    const grants = sb.issuedByGrant.device_code
    c.socket.destroy()
    expect(await ended).toMatchObject({ outcome: 'cancelled', accountId: ids['dev-c'] })
    // Approving the code now mints nothing: nobody polls for it any more.
    expect(actions.logins.prompts()).toEqual([])
    expect(sb.issuedByGrant.device_code).toBe(grants)
  })
})
