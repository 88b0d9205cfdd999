// The agent's server (src/main/agent) on a real Unix socket over a real vault and the sandbox:
// answers through the core actions, refuses what is not the protocol without echoing it, keeps
// a slow or hostile client from blocking others, answers VAULT_LOCKED once the vault locks,
// refuses a directory others can write, and logs every request once (surface `agent`, who asked,
// never a token).
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { askAgent } from '../../src/main/agent/client'
import { startAgent } from '../../src/main/agent/host'
import { AGENT_PROTOCOL, MAX_LINE } from '../../src/main/agent/protocol'
import { sandboxPerTest } from '../helpers/actions'
import { agentsPerTest } from '../helpers/agent'
import { tempDir } from '../helpers/vault'

const sandbox = sandboxPerTest()
const agentOverVault = agentsPerTest(sandbox)

/** Sends raw text on a new connection; resolves with every answer line until it closes. */
function raw(endpoint: string, text: string, o: { waitMs?: number } = {}): Promise<string[]> {
  return new Promise((resolve) => {
    const s = net.connect(endpoint)
    let got = ''
    s.setEncoding('utf8')
    s.on('data', (d: string) => (got += d))
    s.on('error', () => {})
    s.on('close', () => resolve(got.split('\n').filter(Boolean)))
    s.on('connect', () => s.write(text))
    setTimeout(() => s.end(), o.waitMs ?? 300)
  })
}

const ask = (endpoint: string, what: Parameters<typeof askAgent>[1]) =>
  askAgent(endpoint, what, { command: 'agent-server.test' })

describe('the agent server', { timeout: 30_000 }, () => {
  it('answers header, token, status and log through the core, reusing one token', async () => {
    const { endpoint, services } = await agentOverVault()
    const before = sandbox().tpstreams.stats.loginRequests
    const h = await ask(endpoint, { op: 'header', label: 'acme-prod' })
    expect(h?.ok).toBe(true)
    const header = h?.ok ? (h.value as { headerName: string; value: string }) : null
    expect(header?.headerName).toBe('Authorization')
    expect(header?.value).toMatch(/^Token [0-9a-f]{40}$/)
    const t = await ask(endpoint, { op: 'token', label: 'ACME-PROD' })
    expect(t?.ok && (t.value as { token: string }).token).toBe(header?.value.slice(6))
    expect(sandbox().tpstreams.stats.loginRequests - before).toBe(1)
    const st = await ask(endpoint, { op: 'status' })
    expect(st?.ok && (st.value as { accounts: { label: string }[] }).accounts[0]?.label).toBe(
      'acme-prod',
    )
    // Every request is logged once, with the surface `agent` and who asked; never the token. A
    // request the core logs (the header's mint, the token's reuse) is that entry, named for its
    // client; one it does not (status) is an `agent` entry.
    const events = services.vault.events.list().filter((e) => e.surface === 'agent')
    expect(events.map((e) => e.type)).toEqual(['agent', 'reuse', 'mint'])
    expect(events.every((e) => /^"agent-server.test" \(pid \d+/.test(e.client ?? ''))).toBe(true)
    expect(events[2]!.message).toMatch(
      /^Minted a token for "acme-prod"\. Asked by "agent-server.test" \(pid \d+.*\)\.$/,
    )
    expect(events[0]!.message).toMatch(
      /^"agent-server.test" \(pid \d+.*\) asked for status: answered\.$/,
    )
    const all = JSON.stringify(services.vault.events.list())
    expect(all).not.toContain(header!.value.slice(6))
    const served = await ask(endpoint, {
      op: 'match',
      url: `${sandbox().tpstreams.baseUrl}/api/v1/acme/assets/`,
    })
    expect(served?.ok && served.value).toMatchObject({ label: 'acme-prod' })
    const unknown = await ask(endpoint, { op: 'header', label: 'nobody' })
    expect(unknown?.ok === false && unknown.code).toBe('NOT_FOUND')
  })

  it('answers VAULT_LOCKED once the vault is locked, and nothing reaches the provider', async () => {
    const { endpoint, services } = await agentOverVault()
    services.vault.lock()
    const before = sandbox().tpstreams.stats.loginRequests
    const h = await ask(endpoint, { op: 'header', label: 'acme-prod' })
    expect(h?.ok === false && h.code).toBe('VAULT_LOCKED')
    expect(sandbox().tpstreams.stats.loginRequests).toBe(before)
    const ping = await ask(endpoint, { op: 'ping' })
    expect(ping?.ok && (ping.value as { unlocked: boolean }).unlocked).toBe(false)
  })

  it('refuses what is not the protocol, without echoing it, and keeps serving', async () => {
    const { endpoint } = await agentOverVault()
    const marker = 'ECHO-MARKER-hunter2'
    const lines = await raw(
      endpoint,
      [
        `not json ${marker}`,
        JSON.stringify({ v: 9, id: 'x', op: 'header', label: marker }),
        JSON.stringify({ v: AGENT_PROTOCOL, id: 'y', op: 'steal', label: marker }),
        JSON.stringify({ v: AGENT_PROTOCOL, id: 'z', op: 'header', label: 'a', extra: marker }),
      ].join('\n') + '\n',
    )
    expect(lines).toHaveLength(4)
    const answers = lines.map((l) => JSON.parse(l) as { ok: boolean; code: string })
    expect(answers.map((a) => a.code)).toEqual([
      'VALIDATION_FAILED',
      'UNSUPPORTED',
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
    ])
    expect(lines.join('\n')).not.toContain(marker)
    expect((await ask(endpoint, { op: 'ping' }))?.ok).toBe(true)
  })

  it('closes a connection that sends a line longer than 64 KiB', async () => {
    const { endpoint } = await agentOverVault()
    const lines = await raw(endpoint, 'x'.repeat(MAX_LINE + 10), { waitMs: 1000 })
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' })
  })

  it('a client that sends half a request and waits does not block another', async () => {
    const { endpoint } = await agentOverVault()
    const slow = net.connect(endpoint)
    await new Promise<void>((r) => slow.once('connect', () => r()))
    slow.write('{"v":1,"id":"slow","op":')
    const started = Date.now()
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => ask(endpoint, { op: 'header', label: 'acme-prod' })),
    )
    expect(answers.every((a) => a?.ok)).toBe(true)
    expect(Date.now() - started).toBeLessThan(10_000)
    slow.destroy()
  })

  it('any JSON value is answered with one protocol line that echoes nothing (fast-check)', async () => {
    const { endpoint } = await agentOverVault()
    const marker = 'PLANTED-7f3a'
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            v: fc.constantFrom(1, 2, '1'),
            id: fc.string({ maxLength: 80 }),
            op: fc.constantFrom('header', 'token', 'login', 'revoke', 'log', 'x', '__proto__'),
            label: fc.oneof(fc.constant(marker), fc.string({ maxLength: 300 })),
            client: fc.jsonValue(),
          }),
        ),
        async (value) => {
          const lines = await raw(endpoint, `${JSON.stringify(value)}\n`, { waitMs: 60 })
          expect(lines).toHaveLength(1)
          const a = JSON.parse(lines[0]!) as { v: number; ok: boolean }
          expect(a.v).toBe(AGENT_PROTOCOL)
          expect(a.ok).toBe(false)
          expect(lines[0]).not.toContain(marker)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('refuses to start in a directory group or others can write; the socket is 0600 in 0700', async () => {
    const { endpoint, services, actions } = await agentOverVault()
    expect(fs.statSync(endpoint).mode & 0o777).toBe(0o600)
    expect(fs.statSync(path.dirname(endpoint)).mode & 0o777).toBe(0o700)
    const open = tempDir('tokendeck-agent-open-')
    fs.chmodSync(open, 0o777)
    const r = await startAgent({
      endpoint: path.join(open, 'agent.sock'),
      vaultDir: services.dir,
      kind: 'headless',
      actions: () => actions,
      log: () => {},
      now: () => Date.now(),
      idleTimeoutMinutes: 0,
    })
    expect(!r.ok && r.code).toBe('AGENT_UNSAFE')
    expect(fs.existsSync(path.join(open, 'agent.sock'))).toBe(false)
    // A second agent on the same endpoint is refused while the first one answers.
    const twice = await startAgent({
      endpoint,
      vaultDir: services.dir,
      kind: 'headless',
      actions: () => actions,
      log: () => {},
      now: () => Date.now(),
      idleTimeoutMinutes: 0,
    })
    expect(!twice.ok && twice.code).toBe('CONFLICT')
    // The client refuses to talk through such a directory too.
    fs.chmodSync(path.dirname(endpoint), 0o777)
    const c = await ask(endpoint, { op: 'ping' })
    expect(c?.ok === false && c.code).toBe('AGENT_UNSAFE')
    fs.chmodSync(path.dirname(endpoint), 0o700)
  })
})
