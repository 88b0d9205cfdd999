// Token health and login limits through the real CLI (node out/main/cli.js child processes against
// the sandbox over HTTP): `tokendeck status --probe` finds a token revoked behind TokenDeck's back,
// marks it rejected, and the next `header` mints exactly one new token (directly and through the
// headless agent); a 5xx probe is inconclusive and marks nothing; a 429 on one process's login
// makes another process refuse locally with RATE_LIMITED, sending nothing; `loginRateLimit` holds
// across processes.
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, runCli } from '../helpers/cli'
import { newVault } from '../helpers/vault'
import { probingTpstreams } from '../helpers/health-profiles'

const TP = DEMO_USERS.tpstreams[0]!
let sb: SandboxSet
beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
})
afterAll(() => sb.close())

/** A vault with probed TPStreams accounts (the imported profile), secrets remembered. */
async function vaultWith(labels: [string, string][], change: Record<string, unknown> = {}) {
  const v = await newVault()
  const imported = await v.vault.addProvider(probingTpstreams(change))
  if (!imported.ok) throw new Error(imported.message)
  for (const [label, org] of labels) {
    const r = await v.accounts.add({
      label,
      providerId: 'tp-probe',
      baseUrl: sb.tpstreams.baseUrl,
      fields: { username: TP.username, password: TP.secret, organization_id: org },
      remember: true,
    })
    if (!r.ok) throw new Error(r.message)
  }
  v.vault.lock()
  return v.dir
}

const tokenOf = (stdout: string) => /^Authorization: Token ([0-9a-f]{40})\n$/.exec(stdout)?.[1]

describe('tokendeck status --probe', { timeout: 120_000 }, () => {
  it.each([['directly'], ['through the agent']])(
    'marks a token the server refused as rejected; the next header mints one (%s)',
    async (how) => {
      const dir = await vaultWith([['acme-p', 'acme']])
      const viaAgent = how === 'through the agent'
      if (viaAgent) expect((await runCli(['agent', 'start'], dir)).code).toBe(0)
      const env = viaAgent ? { TOKENDECK_PASSPHRASE: undefined } : { TOKENDECK_AGENT: 'off' }
      try {
        const h = await runCli(['header', 'acme-p'], dir, { env })
        const token = tokenOf(h.stdout)
        expect(token).toBeDefined()
        const good = await runCli(['status', '--probe'], dir, { env })
        expect(good.code).toBe(0)
        expect(good.stdout).toMatch(/^Probe:\n {2}acme-p +token good +HTTP 200\n/)

        expect(sb.tpstreams.revokeToken(token!)).toBe(true)
        const probed = await runCli(['status', '--probe'], dir, { env })
        expect(probed).toMatchObject({ code: 0, stderr: '' })
        expect(probed.stdout).toMatch(/^Probe:\n {2}acme-p +refused: marked rejected +HTTP 401\n/)
        expect(probed.stdout).toMatch(/\n {2}acme-p +dev@acme\.test +rejected\n/)
        const st = await runCli(['status', 'acme-p', '--json'], dir, { env })
        const tokens = (
          JSON.parse(st.stdout) as { accounts: { tokens: { state: string; note: string }[] }[] }
        ).accounts[0]!.tokens
        expect(tokens[0]).toMatchObject({ state: 'revoked' })
        expect(tokens[0]!.note).toMatch(
          new RegExp(
            `^Refused by its server: its probe answered HTTP 401 \\(reported through ${viaAgent ? 'agent' : 'cli'}\\)`,
          ),
        )

        const before = sb.tpstreams.stats.loginRequests
        const next = await Promise.all([1, 2].map(() => runCli(['header', 'acme-p'], dir, { env })))
        const minted = next.map((r) => tokenOf(r.stdout))
        expect(minted[0]).toBeDefined()
        expect(minted[0]).toBe(minted[1])
        expect(minted[0]).not.toBe(token)
        expect(sb.tpstreams.stats.loginRequests - before).toBe(1)
      } finally {
        if (viaAgent) await runCli(['agent', 'stop'], dir, { env })
      }
    },
  )

  it('a 5xx probe is inconclusive: exit 1, nothing marked, the token still reused', async () => {
    const dir = await vaultWith([['acme-5xx', 'acme']])
    const env = { TOKENDECK_AGENT: 'off' }
    const h = await runCli(['header', 'acme-5xx'], dir, { env })
    sb.tpstreams.setFault({ kind: 'html', status: 502 }, { route: 'protected', times: 1 })
    const probed = await runCli(['status', '--probe', '--json'], dir, { env })
    expect(probed.code).toBe(1)
    const out = JSON.parse(probed.stdout) as { probes: { outcome: string; status: number }[] }
    expect(out.probes).toMatchObject([
      { outcome: 'inconclusive', status: 502, code: 'SERVER_ERROR' },
    ])
    const before = sb.tpstreams.stats.loginRequests
    const again = await runCli(['header', 'acme-5xx'], dir, { env })
    expect(again.stdout).toBe(h.stdout)
    expect(sb.tpstreams.stats.loginRequests).toBe(before)
  })
})

describe('login limits across processes', { timeout: 120_000 }, () => {
  it('a 429 with Retry-After: the next process refuses locally with RATE_LIMITED', async () => {
    const dir = await vaultWith([
      ['rl-a', 'acme'],
      ['rl-b', 'globex'],
    ])
    const env = { TOKENDECK_AGENT: 'off' }
    sb.tpstreams.setFault({ kind: 'rate-limit', retryAfter: '600' }, { route: 'login', times: 1 })
    const first = await runCli(['header', 'rl-a'], dir, { env })
    expect(first.code).toBe(1)
    expect(first.stderr).toMatch(/TokenDeck sends no login to this server for the next (9|10) m\./)
    const sent = sb.tpstreams.stats.loginRequests
    const second = await runCli(['header', 'rl-b', '--json'], dir, { env })
    expect(second.code).toBe(1)
    const err = JSON.parse(second.stdout || second.stderr) as { error: { code: string } }
    expect(JSON.stringify(err)).toContain('RATE_LIMITED')
    expect(sb.tpstreams.stats.loginRequests).toBe(sent)
    const st = await runCli(['status'], dir, { env })
    expect(st.stdout).toMatch(/\n {2}rl-a +dev@acme\.test +cooldown +next login in (9|10) m\n/)
  })

  it('loginRateLimit {max: 1}: a second process is refused and told when the next is allowed', async () => {
    const dir = await vaultWith(
      [
        ['lim-a', 'acme'],
        ['lim-b', 'globex'],
      ],
      { loginRateLimit: { max: 1, perSeconds: 3600 } },
    )
    // (Limits live in each vault: the 429 test's cooldown is in another vault.)
    const env = { TOKENDECK_AGENT: 'off' }
    const sent = sb.tpstreams.stats.loginRequests
    const first = await runCli(['header', 'lim-a'], dir, { env })
    expect(first.code).toBe(0)
    const second = await runCli(['header', 'lim-b'], dir, { env })
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(
      /No login was sent for "lim-b": the provider's login rate limit is used up\. The next login is allowed in (59 m|1 h)\./,
    )
    expect(sb.tpstreams.stats.loginRequests - sent).toBe(1)
  })
})
