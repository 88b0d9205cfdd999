// The client interface over the agent (src/main/client): a profile longer than a protocol line
// imports through the agent in parts, and parts that do not add up are refused and forget what
// came before; a failure keeps its field errors across the socket; an answer of another shape
// than the operation's is AGENT_PROTOCOL, never read as if it were right. Real sockets, a real
// vault served by the real agent over the sandbox, and a process posing as an agent.
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AGENT_PROTOCOL, MAX_LINE } from '../../src/main/agent/protocol'
import { agentClient, askOp } from '../../src/main/client/over-agent'
import { OP_NAMES } from '../../src/main/client/operations'
import { sandboxPerTest } from '../helpers/actions'
import { agentsPerTest } from '../helpers/agent'
import { tempDir } from '../helpers/vault'

const sandbox = sandboxPerTest()
const agentOverVault = agentsPerTest(sandbox)
const COMMAND = 'agent-client-interface.test'

/** The fixture profile, padded with white space (which JSON ignores) to `bytes`. */
function paddedProfile(bytes: number): string {
  const text = fs.readFileSync(path.resolve('tests/fixtures/profiles/oauth-sandbox.json'), 'utf8')
  const i = text.indexOf('{') + 1
  return `${text.slice(0, i)}${' '.repeat(bytes - text.length)}${text.slice(i)}`
}

/** Sends `lines` on one connection; resolves with every answer line until it closes. */
function raw(endpoint: string, lines: string[], waitMs = 500): Promise<string[]> {
  return new Promise((resolve) => {
    const s = net.connect(endpoint)
    let got = ''
    s.setEncoding('utf8')
    s.on('data', (d: string) => (got += d))
    s.on('error', () => {})
    s.on('close', () => resolve(got.split('\n').filter(Boolean)))
    s.on('connect', () => s.write(lines.map((l) => `${l}\n`).join('')))
    setTimeout(() => s.end(), waitMs)
  })
}

const servers: net.Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
})

/** A process posing as the agent: answers every request with `answer(op)`. */
async function fakeAgent(answer: (op: string) => unknown): Promise<string> {
  const dir = tempDir('tokendeck-fake-agent-')
  fs.chmodSync(dir, 0o700)
  const endpoint = path.join(dir, 'agent.sock')
  const server = net.createServer((s) => {
    let text = ''
    s.setEncoding('utf8')
    s.on('error', () => {})
    s.on('data', (d: string) => {
      text += d
      const i = text.indexOf('\n')
      if (i < 0) return
      const req = JSON.parse(text.slice(0, i)) as { id: string; op: string }
      s.write(
        `${JSON.stringify({ v: AGENT_PROTOCOL, id: req.id, ok: true, value: answer(req.op) })}\n`,
      )
    })
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(endpoint, r))
  fs.chmodSync(endpoint, 0o600)
  return endpoint
}

describe('the client over the agent', { timeout: 30_000 }, () => {
  it('imports a profile three times longer than a line, in parts, as one request', async () => {
    const { endpoint, actions } = await agentOverVault()
    const text = paddedProfile(3 * MAX_LINE)
    expect(Buffer.byteLength(JSON.stringify({ text }))).toBeGreaterThan(MAX_LINE)
    const r = await askOp(endpoint, 'import', { text }, { command: COMMAND })
    expect(r?.ok && r.value).toMatchObject({ id: 'oauth-sandbox', builtin: false })
    const listed = await agentClient(endpoint, COMMAND).providers({})
    expect(listed.ok && listed.value.map((p) => p.id)).toContain('oauth-sandbox')
    // Imported into the vault the agent serves.
    const held = actions.providers.profile('oauth-sandbox')
    expect(held.ok && held.value.name).toBe('OAuth sandbox')
  })

  it('refuses parts out of order, too many, or a part inside a part, and forgets them', async () => {
    const { endpoint } = await agentOverVault()
    const part = (part: number, parts: number, chunk: string) =>
      JSON.stringify({ v: AGENT_PROTOCOL, id: 'p', part, parts, chunk })
    const ping = JSON.stringify({
      v: AGENT_PROTOCOL,
      id: 'x',
      client: { pid: 1, tty: '', session: '', command: COMMAND },
      op: 'ping',
    })
    // Out of order: part 1 before part 0.
    const [outOfOrder] = await raw(endpoint, [part(1, 2, ping.slice(10))])
    expect(JSON.parse(outOfOrder!)).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' })
    // In order, the two halves make the ping: one answer, for the whole.
    const whole = await raw(endpoint, [part(0, 2, ping.slice(0, 10)), part(1, 2, ping.slice(10))])
    expect(whole).toHaveLength(1)
    expect(JSON.parse(whole[0]!)).toMatchObject({ ok: true, id: 'x' })
    // A refused part forgets what came before: the next part 1 does not complete anything.
    const forgot = await raw(endpoint, [
      part(0, 3, ping.slice(0, 10)),
      part(2, 3, 'x'),
      part(1, 3, ping.slice(10)),
    ])
    expect(forgot.map((l) => (JSON.parse(l) as { code?: string }).code)).toEqual([
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
    ])
    // More parts than make 1 MiB: every one refused, nothing assembled or answered as a request.
    const big = 'x'.repeat(32_768)
    const many = Array.from({ length: 33 }, (_, i) => part(i, 33, big))
    const tooMuch = await raw(endpoint, many, 1500)
    expect(tooMuch).toHaveLength(33)
    for (const l of tooMuch) {
      expect(JSON.parse(l)).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' })
    }
    // A part holding another part is not a request.
    const nested = JSON.stringify({ v: AGENT_PROTOCOL, id: 'n', part: 0, parts: 2, chunk: 'a' })
    const inner = await raw(endpoint, [part(0, 2, nested.slice(0, 5)), part(1, 2, nested.slice(5))])
    expect(JSON.parse(inner[0]!)).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' })
  })

  it('a failure keeps its field errors across the socket', async () => {
    const { endpoint } = await agentOverVault()
    const r = await agentClient(endpoint, COMMAND).add({
      account: {
        label: 'acme-prod',
        providerId: 'tpstreams',
        baseUrl: sandbox().tpstreams.baseUrl,
        fields: { username: 'someone@acme.test', organization_id: 'acme', password: 'x' },
        remember: true,
      },
    })
    expect(r.ok).toBe(false)
    expect(!r.ok && r.fields && Object.keys(r.fields)).toContain('label')
  })

  it('an answer of another shape is AGENT_PROTOCOL for every operation', async () => {
    // Every op answered with a value no operation answers.
    const endpoint = await fakeAgent(() => ({ value: 42, token: ['not', 'a', 'token'] }))
    const client = agentClient(endpoint, COMMAND)
    const requests: Record<string, unknown> = {
      header: { label: 'a' },
      token: { label: 'a' },
      login: { label: 'a', force: false },
      revoke: { label: 'a', mode: 'current' },
      reject: { label: 'a' },
      check: {},
      targets: { labels: [] },
      policy: { label: 'a' },
      record: {
        entries: [{ label: 'a', method: 'GET', path: '/', status: 200, durationMs: 1 }],
      },
      log: { limit: 1 },
      profile: { providerId: 'p' },
      import: { text: '{}' },
      add: { account: { label: 'a', providerId: 'p', fields: {}, remember: false } },
      remove: { label: 'a', force: false },
      keepReady: { label: 'a', on: true },
      match: { url: 'https://a.test/' },
      route: { prefix: 'https://a.test/', label: 'a' },
      unroute: { prefix: 'https://a.test/' },
    }
    for (const op of OP_NAMES) {
      const call = client[op] as (req: unknown) => Promise<{ ok: boolean; code?: string }>
      const r = await call(requests[op] ?? {})
      expect(r.ok, op).toBe(false)
      expect(r.code, op).toBe('AGENT_PROTOCOL')
    }
  })
})
