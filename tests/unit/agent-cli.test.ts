// The headless agent with the real CLI as its client (real processes, a real Unix socket, the
// sandbox): `agent start` unlocks once, then token and status commands need no passphrase;
// `agent stop` ends it and the CLI falls back to opening the vault itself; a wrong passphrase
// starts nothing; and 25 calls through the agent plus 5 direct ones share exactly one login.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, addTpstreamsAccount, runCli, cheapVault } from '../helpers/cli'
import { TEST_PASSPHRASE, tempDir } from '../helpers/vault'

const tp = DEMO_USERS.tpstreams[0]!
const user = { username: tp.username, secret: tp.secret }
let sb: SandboxSet
beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
})
afterAll(async () => {
  await sb.close()
})

/** No passphrase in the environment: only the agent can answer. */
const NO_PASS = { TOKENDECK_PASSPHRASE: undefined }

async function vaultWithAccounts(labels: { label: string; org: string }[]) {
  const dir = path.join(tempDir(), 'vault')
  await cheapVault(dir)
  for (const { label, org } of labels) {
    const r = await addTpstreamsAccount(dir, { baseUrl: sb.tpstreams.baseUrl, label, org, ...user })
    expect(r.code).toBe(0)
  }
  return dir
}

describe('tokendeck agent', { timeout: 120_000 }, () => {
  it('start, then header, token, status and log without a passphrase; stop falls back', async () => {
    const dir = await vaultWithAccounts([{ label: 'acme-prod', org: 'acme' }])
    const started = await runCli(['agent', 'start', '--idle-timeout', '5'], dir)
    expect(started.code).toBe(0)
    const endpoint = started.stdout.trim().replace(/^TOKENDECK_AGENT_SOCK=/, '')
    expect(endpoint).toBe(path.join(dir, '.agent', 'agent.sock'))
    try {
      const before = sb.tpstreams.stats.loginRequests
      const h = await runCli(['header', 'acme-prod'], dir, { env: NO_PASS })
      expect(h).toMatchObject({ code: 0, stderr: '' })
      expect(h.stdout).toMatch(/^Authorization: Token [0-9a-f]{40}\n$/)
      const t = await runCli(['token', 'acme-prod', '--json'], dir, { env: NO_PASS })
      expect(JSON.parse(t.stdout)).toMatchObject({ reused: true, token: h.stdout.trim().slice(21) })
      expect(sb.tpstreams.stats.loginRequests - before).toBe(1)
      const st = await runCli(['status'], dir, { env: NO_PASS })
      expect(st.code).toBe(0)
      expect(st.stdout).toMatch(/acme-prod +dev@acme\.test +active/)
      // The same output as the direct path, which opens the vault itself.
      const direct = await runCli(['status'], dir, { env: { TOKENDECK_AGENT: 'off' } })
      expect(direct.stdout).toBe(st.stdout)
      const log = await runCli(['log', '--json', '--limit', '20'], dir, { env: NO_PASS })
      const events = JSON.parse(log.stdout) as {
        type: string
        surface?: string
        message: string
        client?: string
      }[]
      // Who asked is in the entry each request caused: the header's mint, the token's reuse.
      const asked = events.filter((e) => e.client !== undefined)
      expect(asked.length).toBeGreaterThanOrEqual(3)
      expect(asked.every((e) => e.surface === 'agent')).toBe(true)
      const minted = asked.find((e) => e.type === 'mint')
      expect(minted?.client).toMatch(/^"tokendeck header" \(pid \d+/)
      expect(minted?.message).toMatch(/Asked by "tokendeck header" \(pid \d+/)
      expect(log.stdout).not.toContain(h.stdout.trim().slice(21))
      const status = await runCli(['agent', 'status'], dir, { env: NO_PASS })
      expect(status.code).toBe(0)
      expect(status.stdout).toMatch(
        /a headless agent \(pid \d+\) serves .* vault unlocked; stops after 5 idle minutes\./,
      )
    } finally {
      const stop = await runCli(['agent', 'stop'], dir, { env: NO_PASS })
      expect(stop.code).toBe(0)
    }
    expect(fs.existsSync(endpoint)).toBe(false)
    // No agent: the CLI opens the vault itself, which needs the passphrase again.
    const locked = await runCli(['header', 'acme-prod'], dir, { env: NO_PASS })
    expect(locked.code).toBe(3)
    expect(locked.stderr).toMatch(
      /--passphrase-stdin, or start the agent once: tokendeck agent start/,
    )
    const direct = await runCli(['header', 'acme-prod'], dir)
    expect(direct.code).toBe(0)
  })

  it('reject, through the agent and directly: the refused token is suspect; the next header revokes it on the server, then mints once', async () => {
    const dir = await vaultWithAccounts([{ label: 'rej', org: 'acme' }])
    const first = await runCli(['header', 'rej'], dir)
    expect(first.code).toBe(0)
    expect((await runCli(['agent', 'start'], dir)).code).toBe(0)
    try {
      const before = sb.tpstreams.stats.loginRequests
      const r = await runCli(['reject', 'rej'], dir, { env: NO_PASS })
      expect(r).toMatchObject({ code: 0 })
      expect(r.stdout).toBe(
        'rej: the token is suspect and still counted toward the cap; the next request replaces it, revoking it on the server first, at most once every minute.\n',
      )
      const logouts = sb.tpstreams.stats.logoutRequests
      const second = await runCli(['header', 'rej'], dir, { env: NO_PASS })
      expect(second.code).toBe(0)
      expect(second.stdout).not.toBe(first.stdout)
      expect(sb.tpstreams.stats.loginRequests - before).toBe(1)
      expect(sb.tpstreams.stats.logoutRequests - logouts).toBe(1)
      // The refused token was revoked on the server before its replacement.
      const refusedToken = first.stdout.trim().split(' ').at(-1)!
      expect(sb.tpstreams.isTokenValid(refusedToken)).toBe(false)
      const st = await runCli(['status', 'rej', '--json'], dir, { env: NO_PASS })
      const tokens = (
        JSON.parse(st.stdout) as {
          accounts: { tokens: { state: string; note: string | null }[] }[]
        }
      ).accounts[0]!.tokens
      expect(tokens.map((t) => t.state)).toEqual(['active', 'revoked'])
      // The server still accepted it (the 401 was about something else): revoked before its
      // replacement, so it never outlives its slot.
      expect(tokens[1]!.note).toMatch(/Revoked on the server before its replacement/)
      // The organization-wide modes go through the agent too; two modes at once are refused.
      const org = await runCli(['revoke', 'rej', '--org', '--json'], dir, { env: NO_PASS })
      expect(org.code).toBe(0)
      expect(JSON.parse(org.stdout)).toMatchObject({ failures: [] })
      const both = await runCli(['revoke', 'rej', '--org', '--all'], dir, { env: NO_PASS })
      expect(both.code).toBe(2)
      const again = await runCli(['header', 'rej'], dir, { env: NO_PASS })
      expect(again.code).toBe(0)
      expect(again.stdout).not.toBe(second.stdout)
    } finally {
      await runCli(['agent', 'stop'], dir, { env: NO_PASS })
    }
    const direct = await runCli(['reject', 'rej', '--json'], dir, {
      env: { TOKENDECK_AGENT: 'off' },
    })
    expect(direct.code).toBe(0)
    expect(JSON.parse(direct.stdout)).toMatchObject({ label: 'rej', outcome: 'suspect' })
    expect((await runCli(['revoke', 'rej', '--all'], dir)).code).toBe(0)
    const none = await runCli(['reject', 'rej'], dir)
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/has no live token/)
  })

  it('accounts add and remove through the agent: the secret from stdin, no passphrase', async () => {
    const dir = await vaultWithAccounts([])
    expect((await runCli(['agent', 'start'], dir)).code).toBe(0)
    try {
      const args = ['accounts', 'add', '--provider', 'tpstreams', '--base-url']
      const add = await runCli(
        [...args, sb.tpstreams.baseUrl, '--label', 'added', '--username', tp.username],
        dir,
        { env: NO_PASS, input: `${tp.secret}\n` },
      )
      // Without --secret-stdin: the same field error as the direct path, nothing added.
      expect(add.code).toBe(2)
      expect(add.stderr).toMatch(/pass --secret-stdin/)
      const ok = await runCli(
        [
          ...args,
          sb.tpstreams.baseUrl,
          '--label',
          'added',
          '--username',
          tp.username,
          '--org',
          'acme',
          '--remember',
          '--secret-stdin',
        ],
        dir,
        { env: NO_PASS, input: `${tp.secret}\n` },
      )
      expect(ok).toMatchObject({ code: 0 })
      // The agent logged in with it, as the window's add does: the secret is known to work.
      expect(ok.stdout).toBe(
        'Added account "added" (TPStreams): logged in, the secret works; it is stored encrypted (no expiry).\n',
      )
      const h = await runCli(['header', 'added'], dir, { env: NO_PASS })
      expect(h.code).toBe(0)
      const rm = await runCli(['accounts', 'remove', 'added'], dir, { env: NO_PASS })
      expect(rm.code).toBe(2)
      expect(rm.stderr).toMatch(/--all first, or add --force/)
      const forced = await runCli(['accounts', 'remove', 'added', '--force'], dir, { env: NO_PASS })
      expect(forced.stdout).toMatch(/^Removed account "added"\. 1 live token\(s\) stay valid/)
      const log = await runCli(['log', '--json'], dir, { env: NO_PASS })
      // The account's own entry says who added it; no second `agent` entry beside it.
      expect(log.stdout).toContain(
        'Added account \\"added\\" (TPStreams). Asked by \\"tokendeck accounts add\\" (pid',
      )
      expect(log.stdout).not.toContain('asked to add the account')
      expect(log.stdout).not.toContain(tp.secret)
    } finally {
      await runCli(['agent', 'stop'], dir, { env: NO_PASS })
    }
  })

  it('a wrong passphrase starts no agent', async () => {
    const dir = await vaultWithAccounts([])
    const r = await runCli(['agent', 'start'], dir, {
      env: { TOKENDECK_PASSPHRASE: `${TEST_PASSPHRASE}-wrong` },
    })
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/Wrong passphrase/)
    expect(fs.existsSync(path.join(dir, '.agent', 'agent.sock'))).toBe(false)
    const s = await runCli(['agent', 'status'], dir, { env: NO_PASS })
    expect(s.code).toBe(3)
  })

  it('25 header calls through the agent and 5 direct ones, for a new account: one login', async () => {
    const dir = await vaultWithAccounts([{ label: 'fresh', org: 'globex' }])
    expect((await runCli(['agent', 'start'], dir)).code).toBe(0)
    try {
      const before = sb.tpstreams.stats.loginRequests
      const runs = await Promise.all([
        ...Array.from({ length: 25 }, () => runCli(['header', 'fresh'], dir, { env: NO_PASS })),
        ...Array.from({ length: 5 }, () =>
          runCli(['header', 'fresh'], dir, { env: { TOKENDECK_AGENT: 'off' } }),
        ),
      ])
      expect(runs.map((r) => r.code)).toEqual(Array(30).fill(0))
      expect(new Set(runs.map((r) => r.stdout)).size).toBe(1)
      expect(sb.tpstreams.stats.loginRequests - before).toBe(1)
    } finally {
      await runCli(['agent', 'stop'], dir, { env: NO_PASS })
    }
  })
})
