// `tokendeck header L` and `token L` take a quick path through the agent (cli/quick-header.ts):
// no command table and no zod, the answer checked by hand. Proven here:
// - the hand check gives zod's verdict (the protocol's issuedSchema and answer envelope) on every
//   case of a corpus of valid answers and their mutations, so the copy cannot drift;
// - through a real agent, the quick path prints and fails exactly as the full CLI does, and a
//   failure after a login attempt is reported, never asked again: a provider that refuses the
//   password sees exactly one login, as with the vault opened directly;
// - where the full CLI takes over (the agent's vault locked, and this run can unlock it), the
//   result is the full CLI's.
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { issuedAnswer, valueOfAnswer } from '../../src/main/client/issued-check'
import { issuedSchema } from '../../src/main/client/operations'
import { AGENT_PROTOCOL, responseSchema } from '../../src/main/agent/protocol'
import { quickAsk } from '../../src/main/cli/quick-ask'
import { addTpstreamsAccount, cheapVault, runCli } from '../helpers/cli'
import { tempDir } from '../helpers/vault'
import * as z from 'zod/mini'

const base = {
  label: 'acme',
  tokenId: 'b1946ac9-2c54-4b0f-9d1a-6d9b8a0e0c11',
  headerName: 'Authorization',
  value: 'Token abc',
  reused: true,
  expiresAt: 1_800_000_000_000,
}

/** Valid answers, then each broken in one way a hostile or older agent might break it. */
function corpus(): unknown[] {
  const valid: Record<string, unknown>[] = [
    base,
    { ...base, expiresAt: null },
    { ...base, warning: 'expires soon' },
    { ...base, evicted: { label: 'old', tokenId: 'x' } },
    { ...base, token: 'abc' },
    { ...base, token: 'abc', evicted: { label: 'old', tokenId: 'x' }, warning: '' },
  ]
  const out: unknown[] = [...valid, null, 1, 'x', [], [base], {}]
  for (const v of valid) {
    for (const key of [...Object.keys(v), 'token']) {
      const { [key]: _dropped, ...without } = v
      out.push(without)
      for (const bad of [null, 1, '1', true, [], {}, undefined, Number.NaN]) {
        out.push({ ...v, [key]: bad })
      }
    }
    out.push({ ...v, extra: 1 }, { ...v, evicted: { label: 'old' } })
    out.push({ ...v, evicted: { label: 'old', tokenId: 'x', more: 1 } }, { ...v, evicted: null })
    out.push(JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(v).slice(1)}`))
    out.push(Object.assign(Object.create({ label: 'inherited' }), v))
  }
  return out
}

describe('the hand check of the quick path', () => {
  it("gives the protocol's verdict on every answer of the corpus, for header and token", () => {
    const tokenSchema = z.extend(issuedSchema, { token: z.string() })
    // As answers arrive: JSON (no undefined, NaN or inherited keys survive the socket).
    const cases = corpus().map((c) => JSON.parse(JSON.stringify(c) ?? 'null') as unknown)
    expect(cases.length).toBeGreaterThan(300)
    for (const c of cases) {
      expect(issuedAnswer(c, false) !== null, JSON.stringify(c)).toBe(
        issuedSchema.safeParse(c).success,
      )
      expect(issuedAnswer(c, true) !== null, JSON.stringify(c)).toBe(
        tokenSchema.safeParse(c).success,
      )
    }
  })

  it('reads a value only from an envelope the protocol reads as one', () => {
    const ok = { v: AGENT_PROTOCOL, id: '1-2', ok: true, value: base }
    const envelopes: unknown[] = [
      ok,
      { ...ok, v: 2 },
      { ...ok, id: 3 },
      { ...ok, ok: 'true' },
      { ...ok, extra: 1 },
      { v: AGENT_PROTOCOL, id: '1', ok: true },
      { v: AGENT_PROTOCOL, id: '1', ok: false, code: 'NOT_FOUND', message: 'no' },
      null,
      [ok],
    ]
    for (const e of envelopes) {
      const protocol = responseSchema.safeParse(e)
      const readsValue = protocol.success && protocol.data.ok
      // `{ok: true}` without a value: zod reads value as undefined; the hand check refuses it,
      // and the full CLI then takes over (and says AGENT_PROTOCOL: undefined is no answer).
      const missingValue = typeof e === 'object' && e !== null && !('value' in e) && readsValue
      expect(valueOfAnswer(e, AGENT_PROTOCOL) !== undefined, JSON.stringify(e)).toBe(
        readsValue && !missingValue,
      )
    }
  })

  it('is taken for exactly `header L` and `token L`, and never with TOKENDECK_AGENT=off', () => {
    expect(quickAsk(['header', 'acme'], {})).toEqual({ op: 'header', label: 'acme' })
    expect(quickAsk(['token', 'acme'], {})).toEqual({ op: 'token', label: 'acme' })
    for (const argv of [
      ['header'],
      ['header', 'acme', '--json'],
      ['header', '--json'],
      ['header', 'acme', '--yes'],
      ['header', ''],
      ['login', 'acme'],
      ['token', '-x'],
    ]) {
      expect(quickAsk(argv, {}), argv.join(' ')).toBeNull()
    }
    expect(quickAsk(['header', 'acme'], { TOKENDECK_AGENT: 'off' })).toBeNull()
  })
})

describe('through a real agent', { timeout: 120_000 }, () => {
  const tp = DEMO_USERS.tpstreams[0]!
  let sb: SandboxSet
  let viaAgent: string
  let direct: string

  async function vault(): Promise<string> {
    const dir = path.join(tempDir(), 'vault')
    await cheapVault(dir)
    const o = { baseUrl: sb.tpstreams.baseUrl, org: 'acme', username: tp.username }
    for (const r of [
      await addTpstreamsAccount(dir, { ...o, label: 'acme', secret: tp.secret }),
      await addTpstreamsAccount(dir, { ...o, label: 'wrong', secret: 'not the password' }),
    ]) {
      if (r.code !== 0) throw new Error(r.stderr)
    }
    return dir
  }

  beforeAll(async () => {
    sb = await startSandbox()
    viaAgent = await vault()
    direct = await vault()
    const started = await runCli(['agent', 'start', '--idle-timeout', '10'], viaAgent)
    if (started.code !== 0) throw new Error(started.stderr)
  }, 120_000)
  afterAll(async () => {
    await runCli(['agent', 'stop'], viaAgent)
    await sb.close()
  })

  /** The agent's vault is asked with no passphrase; the direct one opens its own. */
  const agentRun = (args: string[]) =>
    runCli(args, viaAgent, { env: { TOKENDECK_PASSPHRASE: undefined } })
  const directRun = (args: string[]) => runCli(args, direct, { env: { TOKENDECK_AGENT: 'off' } })

  it('prints the header and the token as the full CLI does', async () => {
    for (const args of [
      ['header', 'acme'],
      ['token', 'acme'],
      ['header', 'nosuch'],
    ]) {
      const [a, d] = [await agentRun(args), await directRun(args)]
      expect(a.code, args.join(' ')).toBe(d.code)
      const shape = (s: string) => s.replace(/[0-9a-f]{40}/g, '<token>')
      expect(shape(a.stdout)).toBe(shape(d.stdout))
      expect(a.stderr).toBe(d.stderr)
    }
    expect((await agentRun(['header', 'acme'])).stdout).toMatch(
      /^Authorization: Token [0-9a-f]{40}\n$/,
    )
    // The agent answered them: the log names the command.
    const log = await agentRun(['log', '--type', 'agent', '--json'])
    expect(log.stdout).toContain('tokendeck header')
  })

  it('a refused password is reported at once: one login at the server, as when direct', async () => {
    const before = sb.tpstreams.stats.loginRequests
    const a = await agentRun(['header', 'wrong'])
    expect(sb.tpstreams.stats.loginRequests - before).toBe(1)
    const d = await directRun(['header', 'wrong'])
    expect(sb.tpstreams.stats.loginRequests - before).toBe(2)
    expect(a.code).toBe(d.code)
    expect(a.code).not.toBe(0)
    expect(a.stderr).toBe(d.stderr)
    expect(a.stdout).toBe('')
  })

  /** An agent stand-in on a private socket that answers every request with `answer`. */
  async function fakeAgent(answer: (id: string) => unknown) {
    const dir = tempDir()
    fs.chmodSync(dir, 0o700)
    const sock = path.join(dir, 'agent.sock')
    let asked = 0
    const server = net.createServer((c) => {
      let text = ''
      c.on('data', (d) => {
        text += d.toString()
        const i = text.indexOf('\n')
        if (i < 0) return
        asked++
        const { id } = JSON.parse(text.slice(0, i)) as { id: string }
        c.end(`${JSON.stringify(answer(id))}\n`)
      })
    })
    await new Promise<void>((resolve) => server.listen(sock, resolve))
    return {
      env: { TOKENDECK_AGENT_SOCK: sock },
      asked: () => asked,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    }
  }

  it("the agent's vault locked and a passphrase here: the full CLI asks again, then unlocks here", async () => {
    const agent = await fakeAgent((id) => ({
      v: AGENT_PROTOCOL,
      id,
      ok: false,
      code: 'VAULT_LOCKED',
      message: 'The vault is locked.',
    }))
    try {
      const here = await runCli(['header', 'acme'], direct, { env: agent.env })
      expect(here.stderr).toBe('')
      expect(here.stdout).toMatch(/^Authorization: Token [0-9a-f]{40}\n$/)
      expect(agent.asked()).toBe(2) // the quick path, then the full CLI (which passed it over)
      // No passphrase here: the agent's words, asked once more by the full CLI.
      const none = await runCli(['header', 'acme'], direct, {
        env: { ...agent.env, TOKENDECK_PASSPHRASE: undefined },
      })
      expect(none.code).toBe(3)
      expect(none.stderr).toContain('The vault is locked.')
    } finally {
      await agent.close()
    }
  })

  it('an answer outside the protocol: the full CLI says AGENT_PROTOCOL, and nothing is printed', async () => {
    const agent = await fakeAgent((id) => ({
      v: AGENT_PROTOCOL,
      id,
      ok: true,
      value: { token: 1 },
    }))
    try {
      const r = await runCli(['header', 'acme'], direct, { env: agent.env })
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(/outside the protocol/)
      expect(r.code).not.toBe(0)
    } finally {
      await agent.close()
    }
  })
})
