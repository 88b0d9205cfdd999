// Logins beyond a password, through the real CLI against the sandbox's OAuth server: a password
// login with a TOTP step computed from the seed the vault keeps (tests/fixtures/profiles/
// totp-sandbox.json) and an OAuth client-credentials login (client-credentials-sandbox.json),
// both imported with `providers add` as a user would, exactly as docs/providers.md shows them.
// Their tokens then work like any other: `header` reuses them (one grant each), the server's API
// accepts them, the gateway adds them, and `git credential fill` hands them out through a route.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DEMO_OAUTH_CLIENTS,
  DEMO_USERS,
  startSandbox,
  type SandboxSet,
} from '../../src/main/sandbox'
import { parseProfile } from '../../src/shared/providers/profile'
import { CLI, cheapVault, runCli } from '../helpers/cli'
import { TEST_PASSPHRASE, tempDir } from '../helpers/vault'

const TOTP = path.resolve('tests/fixtures/profiles/totp-sandbox.json')
const M2M = path.resolve('tests/fixtures/profiles/client-credentials-sandbox.json')
const M2M_BASIC = path.resolve('tests/fixtures/profiles/client-credentials-basic-sandbox.json')
const otpUser = DEMO_USERS.oauth.find((u) => u.totpSeed)!
const server = DEMO_OAUTH_CLIENTS.find((c) => c.clientId === 'tokendeck-server')!

let sb: SandboxSet
let dir: string
beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  dir = path.join(tempDir(), 'vault')
  await cheapVault(dir)
  for (const file of [TOTP, M2M, M2M_BASIC]) {
    const r = await runCli(['providers', 'add', file], dir)
    if (r.code !== 0) throw new Error(r.stderr)
  }
}, 60_000)
afterAll(async () => {
  await sb.close()
})

const base = () => sb.oauth.baseUrl
const add = (provider: string, label: string, username: string, secrets: string[]) =>
  runCli(
    ['accounts', 'add', '--provider', provider, '--base-url', base(), '--label', label].concat([
      '--username',
      username,
      '--remember',
      '--secret-stdin',
    ]),
    dir,
    { input: `${secrets.join('\n')}\n` },
  )

async function me(header: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const [name, value] = header.trim().split(/: (.*)/s) as [string, string]
  const res = await fetch(`${base()}/api/me`, { headers: { [name]: value } })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('TOTP and client credentials through the CLI', { timeout: 120_000 }, () => {
  it("docs/providers.md's two examples are the fixtures used here, and they validate", () => {
    const md = fs.readFileSync(path.resolve('docs/providers.md'), 'utf8')
    for (const [marker, file] of [
      ['totp-example', TOTP],
      ['client-credentials-example', M2M],
      ['client-credentials-basic-example', M2M_BASIC],
    ] as const) {
      const fence = '`'.repeat(3)
      const m = new RegExp(`<!-- ${marker}:start -->\\s*${fence}json\\n([\\s\\S]*?)${fence}`).exec(
        md,
      )
      expect(m?.[1], marker).toBeDefined()
      const fixture = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown
      expect(JSON.parse(m![1]!)).toEqual(fixture)
      expect(parseProfile(fixture).ok).toBe(true)
    }
  })

  it('accounts add logs in with the computed code; header reuses the token; the API takes it', async () => {
    const added = await add('otp-sandbox', 'otp', otpUser.username, [
      otpUser.secret,
      otpUser.totpSeed!,
    ])
    expect(added.stderr).toBe('')
    expect(added.code).toBe(0)
    const grants = sb.oauth.issuedByGrant.password
    const h = await runCli(['header', 'otp'], dir)
    expect(h.code).toBe(0)
    expect(h.stdout).toMatch(/^Authorization: Bearer [\w-]+\.[\w-]+\.[\w-]+\n$/)
    expect(sb.oauth.issuedByGrant.password).toBe(grants) // reused: no second code sent
    expect(await me(h.stdout)).toMatchObject({ status: 200, body: { username: otpUser.username } })
    // Neither the seed nor a code is in anything the CLI shows or logs.
    const shown = [
      (await runCli(['status', 'otp', '--json'], dir)).stdout,
      (await runCli(['log', '--json'], dir)).stdout,
      (await runCli(['accounts', 'list', '--json'], dir)).stdout,
    ].join('\n')
    expect(shown).not.toContain(otpUser.totpSeed)
    expect(shown).not.toContain(otpUser.secret)
  })

  it('a wrong seed: the server refuses the code, nothing is kept', async () => {
    const r = await add('otp-sandbox', 'otp-wrong', otpUser.username, [
      otpUser.secret,
      'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
    ])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/one-time code|wrong/i)
    expect(r.stderr).not.toContain('GEZDGNBV')
    const list = await runCli(['accounts', 'list', '--json'], dir)
    expect(list.stdout).not.toContain('otp-wrong')
  })

  it('client credentials: one grant, reused; the API sees the client', async () => {
    const before = sb.oauth.issuedByGrant.client_credentials
    const added = await add('m2m-sandbox', 'm2m', server.clientId, [server.secret!])
    expect(added.code).toBe(0)
    const h = await runCli(['header', 'm2m'], dir)
    expect(h.code).toBe(0)
    expect(await me(h.stdout)).toMatchObject({ status: 200 })
    expect(sb.oauth.issuedByGrant.client_credentials - before).toBe(1)
    const wrong = await add('m2m-sandbox', 'm2m-wrong', server.clientId, ['not-the-secret'])
    expect(wrong.code).not.toBe(0)
    expect(wrong.stderr).not.toContain('not-the-secret')
  })

  it('client credentials with HTTP Basic (oauth-client): a token, reused, revoked per RFC 7009', async () => {
    const before = sb.oauth.issuedByGrant.client_credentials
    const added = await add('m2m-basic-sandbox', 'm2m-basic', server.clientId, [server.secret!])
    expect(added.stderr).toBe('')
    expect(added.code).toBe(0)
    const h = await runCli(['header', 'm2m-basic'], dir)
    expect(h.code).toBe(0)
    expect(await me(h.stdout)).toMatchObject({ status: 200 })
    expect(sb.oauth.issuedByGrant.client_credentials - before).toBe(1)
    // The revoke authenticates the client with the remembered secret, opened for it alone.
    const token = h.stdout.trim().split(' ').at(-1)!
    const revoked = await runCli(['revoke', 'm2m-basic'], dir)
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(sb.oauth.isAccessTokenValid(token)).toBe(false)
    const wrong = await add('m2m-basic-sandbox', 'm2m-basic-wrong', server.clientId, ['nope-1234'])
    expect(wrong.code).not.toBe(0)
    expect(wrong.stderr).toMatch(/invalid_client/)
    expect(wrong.stderr).not.toContain('nope-1234')
  })

  it('the gateway adds their headers, and git gets them through a route', async () => {
    const gw = spawn(process.execPath, [CLI, 'gateway', '--json'], {
      env: {
        ...process.env,
        HOME: tempDir(),
        TOKENDECK_VAULT: dir,
        TOKENDECK_PASSPHRASE: TEST_PASSPHRASE,
        TOKENDECK_AGENT: 'off',
      },
    })
    try {
      const info = await new Promise<{ origin: string; accessToken: string }>((resolve, reject) => {
        let out = ''
        gw.stdout.on('data', (d: Buffer) => {
          out += d.toString()
          try {
            resolve(JSON.parse(out) as { origin: string; accessToken: string })
          } catch {
            /* not whole yet */
          }
        })
        gw.on('exit', (code) => reject(new Error(`gateway exited ${code}: ${out}`)))
      })
      for (const [label, who] of [
        ['otp', otpUser.username],
        ['m2m', server.clientId],
      ] as const) {
        const res = await fetch(`${info.origin}/${label}/api/me`, {
          headers: { 'x-tokendeck-gateway': info.accessToken },
        })
        expect(res.status, label).toBe(200)
        const body = (await res.json()) as Record<string, unknown>
        expect(JSON.stringify(body)).toContain(who)
      }
    } finally {
      gw.kill('SIGTERM')
    }
    expect((await runCli(['route', 'add', `${base()}/`, 'm2m'], dir)).code).toBe(0)
    const host = new URL(base()).host
    const fill = await runCli(['git-credential', 'get'], dir, {
      input: `protocol=http\nhost=${host}\npath=repo.git\n\n`,
    })
    expect(fill.code).toBe(0)
    expect(fill.stdout).toMatch(/password=/)
  })
})
