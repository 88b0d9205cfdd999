// Refresh tokens through the real CLI and agent (real processes, the OAuth sandbox on the real
// clock): the sandbox profile imported with `tokendeck providers add`, then, once the access token
// is within the renewal margin, 6 header calls through the agent and 4 that open the vault
// themselves share exactly one refresh request and no login; no CLI output, status or log line
// holds the refresh token.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, runCli, cheapVault } from '../helpers/cli'
import { tempDir } from '../helpers/vault'

const PROFILE = path.resolve('tests/fixtures/profiles/oauth-sandbox.json')
const user = DEMO_USERS.oauth[0]!
/** 65 s access tokens: with the default 60 s margin, within it about 5 s after issue. */
const ACCESS_TTL_MS = 65_000
/**
 * What the refresh issues: a token that stays outside the margin while the 10 processes run. With
 * 65 s, a process that read the vault more than 5 s after the refresh (a loaded machine: each
 * direct process first unlocks with scrypt) rightly refreshed again and printed another header.
 */
const REFRESHED_TTL_MS = 5 * 60_000
const NO_PASS = { TOKENDECK_PASSPHRASE: undefined }

let sb: SandboxSet
beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox({ oauth: { accessTtlMs: ACCESS_TTL_MS } })
})
afterAll(async () => {
  await sb.close()
})

interface StatusToken {
  state: string
  expiresAt: number | null
  refreshable?: boolean
}
async function tokensOf(dir: string, label: string): Promise<StatusToken[]> {
  const st = await runCli(['status', label, '--json'], dir)
  expect(st.code).toBe(0)
  return (JSON.parse(st.stdout) as { accounts: { tokens: StatusToken[] }[] }).accounts[0]!.tokens
}

describe('refresh through the CLI and the agent', { timeout: 120_000 }, () => {
  it('`tokendeck sandbox --json` runs the OAuth sandbox too: login, then a rotating refresh', async () => {
    const child = spawn(process.execPath, [CLI, 'sandbox', '--json'], { env: { HOME: tempDir() } })
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString()
          if (out.includes('\n')) resolve(out.split('\n')[0]!)
        })
        child.on('exit', () => reject(new Error(`sandbox exited early: ${out}`)))
      })
      const info = JSON.parse(line) as { oauth: string; users: { oauth: { username: string }[] } }
      expect(info.users.oauth[0]!.username).toBe(user.username)
      const login = await fetch(`${info.oauth}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: user.username, password: user.secret, client_id: 'x' }),
      })
      const body = (await login.json()) as { refresh_token: string; expires_in: number }
      expect(body.expires_in).toBe(300)
      const form = {
        grant_type: 'refresh_token',
        refresh_token: body.refresh_token,
        client_id: 'x',
      }
      const refresh = () =>
        fetch(`${info.oauth}/oauth/token`, { method: 'POST', body: new URLSearchParams(form) })
      expect((await refresh()).status).toBe(200)
      const again = await refresh()
      expect(again.status).toBe(400)
      expect(await again.json()).toMatchObject({ error: 'invalid_grant' })
    } finally {
      child.kill('SIGTERM')
    }
  })

  it('10 concurrent processes (6 through the agent, 4 direct): one refresh, no login', async () => {
    const dir = path.join(tempDir(), 'vault')
    await cheapVault(dir)
    const imported = await runCli(['providers', 'add', PROFILE], dir)
    expect(imported).toMatchObject({ code: 0 })
    const added = await runCli(
      [
        'accounts',
        'add',
        '--provider',
        'oauth-sandbox',
        '--base-url',
        sb.oauth.baseUrl,
        '--label',
        'api',
        '--username',
        user.username,
        '--remember',
        '--secret-stdin',
      ],
      dir,
      { input: `${user.secret}\n` },
    )
    expect(added).toMatchObject({ code: 0 })
    const first = await runCli(['header', 'api'], dir)
    expect(first.code).toBe(0)
    const [t0] = await tokensOf(dir, 'api')
    expect(t0).toMatchObject({ state: 'active', refreshable: true })

    // Wait until the token is inside the 60 s renewal margin (not yet expired).
    const waitMs = t0!.expiresAt! - 60_000 - Date.now() + 300
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs))

    expect((await runCli(['agent', 'start'], dir)).code).toBe(0)
    sb.oauth.setAccessTtlMs(REFRESHED_TTL_MS)
    const before = { ...sb.oauth.stats }
    let outputs = ''
    try {
      const runs = await Promise.all([
        ...Array.from({ length: 6 }, () => runCli(['header', 'api'], dir, { env: NO_PASS })),
        ...Array.from({ length: 4 }, () =>
          runCli(['header', 'api'], dir, { env: { TOKENDECK_AGENT: 'off' } }),
        ),
      ])
      expect(runs.map((r) => r.code)).toEqual(Array(10).fill(0))
      expect(new Set(runs.map((r) => r.stdout)).size).toBe(1)
      expect(runs[0]!.stdout).not.toBe(first.stdout)
      expect(sb.oauth.stats.refreshRequests - before.refreshRequests).toBe(1)
      expect(sb.oauth.stats.loginRequests - before.loginRequests).toBe(0)
      const token = runs[0]!.stdout.trim().replace(/^Authorization: Bearer /, '')
      expect(sb.oauth.isTokenValid(token)).toBe(true)
      outputs += runs.map((r) => r.stdout + r.stderr).join('')
      const log = await runCli(['log', '--json', '--limit', '50'], dir, { env: NO_PASS })
      const events = JSON.parse(log.stdout) as { type: string; message: string }[]
      expect(events.filter((e) => e.type === 'refresh')).toHaveLength(1)
      outputs += log.stdout
    } finally {
      sb.oauth.setAccessTtlMs(ACCESS_TTL_MS)
      await runCli(['agent', 'stop'], dir, { env: NO_PASS })
    }
    const tokens = await tokensOf(dir, 'api')
    expect(tokens.map((t) => t.state)).toEqual(['active', 'forgotten'])
    expect(tokens[0]!.refreshable).toBe(true)
    const status = await runCli(['status', '--json'], dir)
    outputs += status.stdout + (await runCli(['accounts', 'list'], dir)).stdout
    // The sandbox's refresh tokens are rt_<48 hex>: none is ever printed.
    expect(outputs).not.toMatch(/rt_[0-9a-f]{48}/)
    expect(sb.oauth.liveRefreshTokenCount()).toBeGreaterThanOrEqual(1)
    for (const f of fs.readdirSync(dir)) {
      const p = path.join(dir, f)
      if (fs.statSync(p).isFile())
        expect(fs.readFileSync(p, 'latin1')).not.toMatch(/rt_[0-9a-f]{48}/)
    }
  })
})
