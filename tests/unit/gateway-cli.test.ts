// `tokendeck gateway` as a user runs it (a real process, with the vault opened once or through a
// running agent) and real clients through it: curl and Python's standard library. A token
// revoked on the server behind TokenDeck's back costs exactly one new login; requests without
// the access token or from a web page are refused; every request lands in the event log.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, addTpstreamsAccount, runCli, cheapVault } from '../helpers/cli'
import { TEST_PASSPHRASE, tempDir } from '../helpers/vault'

const run = promisify(execFile)
const tp = DEMO_USERS.tpstreams[0]!
let sb: SandboxSet
beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
})
afterAll(async () => {
  await sb.close()
})

interface Started {
  child: ChildProcess
  origin: string
  accessToken?: string
  accounts: { label: string; url: string; baseUrl: string; policy: string }[]
  stderr: () => string
}

const children: ChildProcess[] = []
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
})

/** Starts `tokendeck gateway --json` and reads the line it prints when it listens. */
function startGateway(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const home = tempDir('tokendeck-gw-home-')
  const child = spawn(process.execPath, [CLI, 'gateway', '--json', ...args], {
    env: { PATH: process.env.PATH, HOME: home, TOKENDECK_VAULT: dir, ...env },
  })
  children.push(child)
  child.stdin.end()
  let out = ''
  let err = ''
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('\n')) {
        resolve({ child, ...(JSON.parse(out) as Omit<Started, 'child'>), stderr: () => err })
      }
    })
    child.on('exit', (code) => reject(new Error(`gateway exited ${code}: ${err}`)))
  })
}

async function vaultWithAccount(label = 'acme') {
  const dir = path.join(tempDir(), 'vault')
  await cheapVault(dir)
  const r = await addTpstreamsAccount(dir, {
    baseUrl: sb.tpstreams.baseUrl,
    label,
    org: 'acme',
    username: tp.username,
    secret: tp.secret,
  })
  expect(r.code).toBe(0)
  return dir
}

/** curl's status code and body (the access token is the gateway's, not a provider token). */
async function curl(url: string, headers: string[], extra: string[] = []) {
  const args = ['-sS', '-o', '-', '-w', '\n%{http_code}', ...headers.flatMap((h) => ['-H', h])]
  const { stdout } = await run('curl', [...args, ...extra, url])
  const nl = stdout.lastIndexOf('\n')
  return { status: Number(stdout.slice(nl + 1)), body: stdout.slice(0, nl) }
}

function stop(g: Started): Promise<number | null> {
  return new Promise((resolve) => {
    g.child.once('exit', (code) => resolve(code))
    g.child.kill('SIGTERM')
  })
}

const DIRECT = { TOKENDECK_PASSPHRASE: TEST_PASSPHRASE, TOKENDECK_AGENT: 'off' }

describe('tokendeck gateway', { timeout: 120_000 }, () => {
  it('serves curl and Python; refuses no access token and web pages; one login after a server-side revoke', async () => {
    const dir = await vaultWithAccount()
    const g = await startGateway(dir, [], DIRECT)
    expect(g.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(g.accounts).toEqual([
      {
        label: 'acme',
        url: `${g.origin}/acme/`,
        baseUrl: sb.tpstreams.baseUrl,
        policy: 'any method; any path; no web origin',
      },
    ])
    const access = `X-TokenDeck-Gateway: ${g.accessToken}`
    const assets = `${g.origin}/acme/api/v1/acme/assets/`

    const ok = await curl(assets, [access])
    expect(ok).toEqual({ status: 200, body: '{"count":0,"results":[]}' })
    expect((await curl(assets, [])).status).toBe(401)
    expect((await curl(assets, [access, 'Origin: https://evil.example'])).status).toBe(403)

    // Python's standard library, posting a body.
    const py = await run('python3', [
      '-c',
      [
        'import json, sys, urllib.request',
        'req = urllib.request.Request(sys.argv[1], data=b"from python", method="POST",',
        '  headers={"X-TokenDeck-Gateway": sys.argv[2], "Content-Type": "text/plain"})',
        'print(json.dumps(json.load(urllib.request.urlopen(req))))',
      ].join('\n'),
      `${g.origin}/acme/api/v1/acme/echo/py`,
      g.accessToken!,
    ])
    expect(JSON.parse(py.stdout)).toMatchObject({
      method: 'POST',
      bytes: 11,
      sha256: createHash('sha256').update('from python').digest('hex'),
    })

    // Behind TokenDeck's back, the server revokes the token the gateway holds.
    const token = await runCli(['token', 'acme', '--json'], dir, { env: DIRECT })
    const value = (JSON.parse(token.stdout) as { token: string }).token
    expect(sb.tpstreams.revokeToken(value)).toBe(true)
    const logins = sb.tpstreams.stats.loginRequests
    const again = await curl(assets, [access])
    expect(again.status).toBe(200)
    expect(sb.tpstreams.stats.loginRequests - logins).toBe(1)

    expect(await stop(g)).toBe(0)
    const log = await runCli(['log', '--json', '--limit', '50'], dir, { env: DIRECT })
    const events = JSON.parse(log.stdout) as { type: string; message: string; surface?: string }[]
    const through = events.filter((e) => e.type === 'gateway').map((e) => e.message)
    expect(through).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GET \/acme\/api\/v1\/acme\/assets\/ -> 200 in \d+ ms$/),
        expect.stringMatching(/^GET \/acme\/api\/v1\/acme\/assets\/ -> 403 in \d+ ms$/),
        expect.stringMatching(/^POST \/acme\/api\/v1\/acme\/echo\/py -> 200 in \d+ ms$/),
        expect.stringMatching(/-> 200 in \d+ ms \(401: token reported, sent again/),
      ]),
    )
    // Without the access token, nothing is known of the caller: not logged (no page fills the log).
    expect(through.filter((m) => m.includes('-> 401'))).toEqual([])
    // The 401 made the token suspect; revoking it before its replacement confirmed the refusal.
    expect(events.some((e) => e.type === 'refusal' && /refused the token/.test(e.message))).toBe(
      true,
    )
    expect(events.some((e) => e.type === 'revoke' && /already invalid/.test(e.message))).toBe(true)
    expect(log.stdout).not.toContain(value)
    expect(g.stderr()).not.toContain(value)
  })

  it('through a running agent: no passphrase; the policy set through the agent applies', async () => {
    const dir = await vaultWithAccount('acme-agent')
    const started = await runCli(['agent', 'start', '--idle-timeout', '5'], dir)
    expect(started.code).toBe(0)
    const NO_PASS = { TOKENDECK_PASSPHRASE: undefined }
    try {
      const policy = await runCli(
        ['gateway', 'policy', 'acme-agent', '--method', 'get', '--path', '/api/v1/acme/assets'],
        dir,
        { env: NO_PASS },
      )
      expect(policy).toMatchObject({ code: 0, stderr: '' })
      expect(policy.stdout).toBe(
        'acme-agent: methods GET; 1 path (/api/v1/acme/assets); no web origin\n',
      )
      const g = await startGateway(dir, ['--account', 'acme-agent'], {
        TOKENDECK_GATEWAY_TOKEN: 'a-token-of-my-own-choosing',
      })
      expect(g.accessToken).toBeUndefined()
      const access = 'X-TokenDeck-Gateway: a-token-of-my-own-choosing'
      const base = `${g.origin}/acme-agent/api/v1/acme`
      expect((await curl(`${base}/assets/`, [access])).status).toBe(200)
      expect((await curl(`${base}/echo/x`, [access], ['-X', 'POST', '-d', 'x'])).status).toBe(403)
      expect(await stop(g)).toBe(0)
      const log = await runCli(['log', '--json', '--limit', '20'], dir, { env: NO_PASS })
      const events = JSON.parse(log.stdout) as { type: string; message: string }[]
      expect(events.filter((e) => e.type === 'gateway').map((e) => e.message)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^GET \/acme-agent\/api\/v1\/acme\/assets\/ -> 200/),
          expect.stringMatching(/^POST \/acme-agent\/api\/v1\/acme\/echo\/x -> 403/),
        ]),
      )
    } finally {
      expect((await runCli(['agent', 'stop'], dir, { env: NO_PASS })).code).toBe(0)
    }
  })

  it('refuses a short access token, a bad port, and a label the vault does not have', async () => {
    const dir = await vaultWithAccount()
    const short = await runCli(['gateway'], dir, {
      env: { ...DIRECT, TOKENDECK_GATEWAY_TOKEN: 'short' },
    })
    expect(short.code).toBe(2)
    expect(short.stderr).toMatch(/at least 16/)
    expect(short.stderr).not.toContain('short\n')
    const port = await runCli(['gateway', '--port', '70000'], dir, { env: DIRECT })
    expect(port.code).toBe(2)
    const nobody = await runCli(['gateway', '--account', 'nobody'], dir, { env: DIRECT })
    expect(nobody.code).not.toBe(0)
    expect(nobody.stderr).toMatch(/No account "nobody"/)
  })
})
