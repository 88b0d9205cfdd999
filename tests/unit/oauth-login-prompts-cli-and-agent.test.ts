// OAuth logins that need a person, through the real CLI against the sandbox's authorization
// server: the device flow's code printed on stderr (never stdout) by `header` with the vault
// opened here, approved at the sandbox, the token working at the API and reused (one grant); the
// same through a headless agent, which relays the prompt to the client that asked for that
// account and to no other; the browser sign-in with TOKENDECK_NO_BROWSER, finished by answering
// the consent page as a browser would; and the token handed out by real git and the gateway.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startOauthSandbox, type OauthSandbox } from '../../src/main/sandbox'
import { CLI, cheapVault, runCli, type CliRun } from '../helpers/cli'
import { TEST_PASSPHRASE, tempDir } from '../helpers/vault'
import { consentInBrowser } from '../helpers/oauth-browser'
import { gitWithTokendeck } from '../helpers/git'

const DEVICE = path.resolve('tests/fixtures/profiles/oauth-device-sandbox.json')
const CODE = path.resolve('tests/fixtures/profiles/oauth-code-sandbox.json')
const user = DEMO_USERS.oauth[0]!
/** No passphrase in the environment: only the agent can answer. */
const NO_PASS = { TOKENDECK_PASSPHRASE: undefined }

let sb: OauthSandbox
let dir: string
let home: string

/** A CLI run whose stderr is read while it runs (a person reading the prompt). */
interface LiveRun {
  child: ChildProcessWithoutNullStreams
  /** Resolves with the first match of `re` on stderr; rejects if the run ends first. */
  stderrMatch(re: RegExp): Promise<RegExpExecArray>
  done: Promise<CliRun>
}

function live(args: string[], env: NodeJS.ProcessEnv = {}): LiveRun {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: home,
      TOKENDECK_VAULT: dir,
      TOKENDECK_PASSPHRASE: TEST_PASSPHRASE,
      ...env,
    },
  })
  let stdout = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
    for (const w of [...waiters]) w()
  })
  child.stdin.end()
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      resolve({ code, stdout, stderr })
      for (const w of [...waiters]) w()
    })
  })
  return {
    child,
    done,
    stderrMatch: (re) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(stderr)
          if (m) {
            waiters.delete(check)
            resolve(m)
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check)
            reject(new Error(`the run ended before ${re}: ${stderr}`))
          }
        }
        waiters.add(check)
        check()
      }),
  }
}

const DEVICE_LINE =
  /To log in to (.+?) as (\S+), open (\S+) and enter the code ([A-Z0-9]{4}-[A-Z0-9]{4}) \(expires in/

async function addAccount(provider: string, label: string) {
  const r = await runCli(
    ['accounts', 'add', '--provider', provider, '--base-url', sb.baseUrl, '--label', label].concat([
      '--username',
      user.username,
      '--remember',
      '--no-verify',
    ]),
    dir,
    { home },
  )
  expect(r.code, r.stderr).toBe(0)
}

async function me(header: string) {
  const [name, value] = header.trim().split(/: (.*)/s) as [string, string]
  const res = await fetch(`${sb.baseUrl}/api/me`, { headers: { [name]: value } })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startOauthSandbox({ device: { intervalMs: 1000, expiresInMs: 120_000 } })
  home = tempDir('tokendeck-oauth-home-')
  dir = path.join(tempDir(), 'vault')
  await cheapVault(dir)
  for (const file of [DEVICE, CODE]) {
    const r = await runCli(['providers', 'add', file], dir, { home })
    if (r.code !== 0) throw new Error(r.stderr)
  }
  await addAccount('oauth-device-sandbox', 'dev')
  await addAccount('oauth-device-sandbox', 'dev-a')
  await addAccount('oauth-device-sandbox', 'dev-b')
  await addAccount('oauth-code-sandbox', 'web')
  await addAccount('oauth-code-sandbox', 'web-cancel')
}, 60_000)
afterAll(async () => {
  await sb.close()
})

describe('OAuth logins at the terminal and through the agent', { timeout: 90_000 }, () => {
  it('header (vault opened here): the code on stderr, approved, the token works and is reused', async () => {
    const grants = sb.issuedByGrant.device_code
    const run = live(['header', 'dev'], { TOKENDECK_AGENT: 'off' })
    const m = await run.stderrMatch(DEVICE_LINE)
    const [, provider, label, page, code] = m as unknown as string[]
    expect(provider).toBe('OAuth device login (sandbox)')
    expect(label).toBe('dev')
    expect(page!.startsWith(sb.baseUrl)).toBe(true)
    expect(sb.approveDevice(code!, user.username)).toBe(true)
    const r = await run.done
    expect(r.code, r.stderr).toBe(0)
    // stdout is the header alone: the prompt went to stderr only.
    expect(r.stdout).toMatch(/^Authorization: Bearer \S+\n$/)
    expect(r.stdout).not.toContain(code)
    expect(await me(r.stdout)).toMatchObject({ status: 200, body: { username: user.username } })
    expect(sb.issuedByGrant.device_code - grants).toBe(1)
    // A second header reuses the token: no prompt, no second grant.
    const again = await runCli(['header', 'dev', '--json'], dir, { home })
    expect(again.code).toBe(0)
    expect(again.stderr).not.toMatch(/enter the code/)
    expect(JSON.parse(again.stdout)).toMatchObject({ reused: true })
    expect(sb.issuedByGrant.device_code - grants).toBe(1)
  })

  it('accounts add logs in through the device flow there and then', async () => {
    const grants = sb.issuedByGrant.device_code
    const run = live(
      ['accounts', 'add', '--provider', 'oauth-device-sandbox', '--base-url', sb.baseUrl].concat([
        '--label',
        'dev-added',
        '--username',
        user.username,
      ]),
      { TOKENDECK_AGENT: 'off' },
    )
    const m = await run.stderrMatch(DEVICE_LINE)
    expect(m[2]).toBe('dev-added')
    expect(sb.approveDevice(m[4]!, user.username)).toBe(true)
    const r = await run.done
    expect(r.code, r.stderr).toBe(0)
    // Nothing was there to store: the words say logged in, not "the secret was not stored".
    expect(r.stdout).toMatch(
      /^Added account "dev-added" \(OAuth device login \(sandbox\)\): logged in \(/,
    )
    expect(sb.issuedByGrant.device_code - grants).toBe(1)
  })

  it('git credential fill and the gateway hand out the OAuth token from the vault', async () => {
    const token = (await runCli(['token', 'dev'], dir, { home })).stdout.trim()
    expect(token).not.toBe('')
    const grants = sb.issuedByGrant.device_code
    expect((await runCli(['route', 'add', `${sb.baseUrl}/`, 'dev'], dir, { home })).code).toBe(0)
    const fill = await gitFill(`protocol=http\nhost=${new URL(sb.baseUrl).host}\npath=x.git\n\n`)
    expect(fill.code, fill.stderr).toBe(0)
    expect(fill.stdout).toContain(`password=${token}`)
    const gw = live(['gateway', '--json'], { TOKENDECK_AGENT: 'off' })
    try {
      const info = await new Promise<{ origin: string; accessToken: string }>((resolve, reject) => {
        let out = ''
        gw.child.stdout.on('data', (d: Buffer) => {
          out += d.toString()
          try {
            resolve(JSON.parse(out) as { origin: string; accessToken: string })
          } catch {
            /* not whole yet */
          }
        })
        gw.child.on('exit', (code) => reject(new Error(`gateway exited ${code}: ${out}`)))
      })
      const res = await fetch(`${info.origin}/dev/api/me`, {
        headers: { 'x-tokendeck-gateway': info.accessToken },
      })
      expect(res.status).toBe(200)
      expect(JSON.stringify(await res.json())).toContain(user.username)
    } finally {
      gw.child.kill('SIGTERM')
      await gw.done
    }
    expect(sb.issuedByGrant.device_code).toBe(grants)
  })

  it('through a headless agent: each client sees the code of its own account only', async () => {
    const started = await runCli(['agent', 'start', '--idle-timeout', '5'], dir, { home })
    expect(started.code, started.stderr).toBe(0)
    try {
      const grants = sb.issuedByGrant.device_code
      // The quick path (`header L`) through the agent: the agent relays its prompt.
      const a = live(['header', 'dev-a'], NO_PASS)
      const [, , labelA, , codeA] = (await a.stderrMatch(DEVICE_LINE)) as unknown as string[]
      expect(labelA).toBe('dev-a')
      // Another client of the same agent, asking for ANOTHER account while dev-a's login waits
      // (the full CLI's path, --json): it is told its own code, never dev-a's.
      const b = live(['token', 'dev-b', '--json'], NO_PASS)
      const [, , labelB, , codeB] = (await b.stderrMatch(DEVICE_LINE)) as unknown as string[]
      expect(labelB).toBe('dev-b')
      expect(codeB).not.toBe(codeA)
      expect(sb.approveDevice(codeB!, user.username)).toBe(true)
      const rb = await b.done
      expect(rb.code, rb.stderr).toBe(0)
      expect(rb.stderr).not.toContain(codeA)
      expect(rb.stderr).not.toContain('dev-a')
      expect(JSON.parse(rb.stdout)).toMatchObject({ reused: false, token: expect.any(String) })
      expect(sb.approveDevice(codeA!, user.username)).toBe(true)
      const ra = await a.done
      expect(ra.code, ra.stderr).toBe(0)
      expect(ra.stdout).toMatch(/^Authorization: Bearer \S+\n$/)
      expect(ra.stderr).not.toContain(codeB)
      expect(await me(ra.stdout)).toMatchObject({ status: 200 })
      expect(sb.issuedByGrant.device_code - grants).toBe(2)
      // The agent's token, reused by a direct run: the login happened once, in the agent.
      const again = await runCli(['header', 'dev-a'], dir, {
        home,
        env: { TOKENDECK_AGENT: 'off' },
      })
      expect(again.stdout).toBe(ra.stdout)
    } finally {
      await runCli(['agent', 'stop'], dir, { home, env: NO_PASS })
    }
  })

  it('the browser sign-in with TOKENDECK_NO_BROWSER: the URL on stderr, consent, the header', async () => {
    const grants = sb.issuedByGrant.authorization_code
    const run = live(['header', 'web'], { TOKENDECK_AGENT: 'off', TOKENDECK_NO_BROWSER: '1' })
    const m = await run.stderrMatch(/continue in your browser: (\S+) \(expires in/)
    const url = m[1]!
    expect(url.startsWith(`${sb.baseUrl}/oauth/authorize?`)).toBe(true)
    // What a browser does: the consent page, the decision, the redirect to TokenDeck's listener.
    const visit = await consentInBrowser(url, { username: user.username, password: user.secret })
    expect(visit.back.hostname).toBe('127.0.0.1')
    expect(visit.landed.status).toBe(200)
    const r = await run.done
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).not.toMatch(/Opened in your browser/)
    expect(await me(r.stdout)).toMatchObject({ status: 200, body: { username: user.username } })
    expect(sb.issuedByGrant.authorization_code - grants).toBe(1)
  })

  it('Ctrl-C while the code waits cancels the login: no token, the listener closed', async () => {
    const grants = sb.issuedByGrant.authorization_code
    const run = live(['header', 'web-cancel', '--json'], {
      TOKENDECK_AGENT: 'off',
      TOKENDECK_NO_BROWSER: '1',
    })
    const m = await run.stderrMatch(/continue in your browser: (\S+) \(expires in/)
    const redirect = new URL(new URL(m[1]!).searchParams.get('redirect_uri')!)
    run.child.kill('SIGINT')
    const r = await run.done
    expect(r.code).toBe(130)
    expect(r.stdout).toBe('')
    const last = r.stderr.trim().split('\n').at(-1)!
    expect(JSON.parse(last)).toMatchObject({ error: { code: 'CANCELLED' } })
    // Nothing listens on the redirect any more, and no code was exchanged.
    await expect(fetch(redirect)).rejects.toThrow()
    expect(sb.issuedByGrant.authorization_code).toBe(grants)
  })
})

function gitFill(input: string) {
  return gitWithTokendeck(['credential', 'fill'], input, {
    home,
    env: { TOKENDECK_VAULT: dir, TOKENDECK_PASSPHRASE: TEST_PASSPHRASE, TOKENDECK_AGENT: 'off' },
  })
}
