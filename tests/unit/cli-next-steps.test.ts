// The CLI's failures say what to do next, and a slow login says it is under way. In a pipe, a
// locked vault names --passphrase-stdin and, when no agent runs, `tokendeck agent start` (never
// "export the passphrase"); finding out whether an agent runs sends it nothing. `init` without a
// passphrase in a pipe says how to give one; a missing vault says how to create it. A login whose
// answer was lost names `tokendeck revoke L --uncertain`, which then settles it. A login slower
// than a second shows one line on the terminal's stderr that counts seconds and is erased
// afterwards (never the token), and nothing in a pipe or with --json.
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, runCli } from '../helpers/cli'
import { atTerminal } from '../helpers/terminal'
import { TEST_PASSPHRASE, newVault, tempDir } from '../helpers/vault'

const tp = DEMO_USERS.tpstreams[0]!
const NO_PASS = { TOKENDECK_PASSPHRASE: undefined }
let sb: SandboxSet

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
})
afterAll(() => sb.close())
afterEach(() => sb.tpstreams.setFault(null))

/** A cheap vault holding acme-prod (TPStreams, organization acme, secret remembered). */
async function vaultWithAccount(): Promise<string> {
  const v = await newVault()
  const r = await v.accounts.add({
    label: 'acme-prod',
    providerId: 'tpstreams',
    baseUrl: sb.tpstreams.baseUrl,
    fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
    remember: true,
  })
  if (!r.ok) throw new Error(r.message)
  return v.dir
}

/** A socket where an agent would listen, recording connections and anything sent to it. */
async function listener(dir: string) {
  const socketDir = path.join(dir, '.agent')
  fs.mkdirSync(socketDir, { mode: 0o700 })
  const endpoint = path.join(socketDir, 'agent.sock')
  let connections = 0
  let received = ''
  const server = net.createServer((s) => {
    connections++
    s.on('data', (d) => (received += d.toString()))
    s.on('error', () => {})
  })
  await new Promise<void>((r) => server.listen(endpoint, r))
  fs.chmodSync(endpoint, 0o600)
  return {
    seen: () => ({ connections, received }),
    close: () => new Promise((r) => server.close(r)),
  }
}

describe('what to do next', { timeout: 120_000 }, () => {
  it('a locked vault in a pipe names --passphrase-stdin and tokendeck agent start', async () => {
    const dir = await vaultWithAccount()
    const r = await runCli(['header', 'acme-prod'], dir, { env: NO_PASS })
    expect(r.code).toBe(3)
    expect(r.stderr).toBe(
      'tokendeck: The vault is locked: pass the passphrase on stdin with --passphrase-stdin, or start the agent once: tokendeck agent start\n',
    )
    // With --vault, the command to run names the same folder.
    const flagged = await runCli(['status', '--vault', dir], undefined, { env: NO_PASS })
    expect(flagged.stderr).toContain(`tokendeck agent start --vault ${dir}`)
    for (const said of [r.stderr, flagged.stderr]) {
      expect(said).not.toMatch(/export|TOKENDECK_PASSPHRASE/)
    }
    const json = await runCli(['header', 'acme-prod', '--json'], dir, { env: NO_PASS })
    expect(JSON.parse(json.stderr).error).toMatchObject({ code: 'VAULT_LOCKED' })
    expect(json.stdout).toBe('')
  })

  it('with an agent listening, the message does not say to start one, and the agent is sent nothing', async () => {
    const dir = await vaultWithAccount()
    const agent = await listener(dir)
    try {
      // `passphrase change` opens the vault itself, agent or not.
      const r = await runCli(['passphrase', 'change'], dir, { env: NO_PASS })
      expect(r.code).toBe(3)
      expect(r.stderr).toMatch(/opens it itself rather than asking the agent/)
      expect(r.stderr).not.toContain('agent start')
      expect(agent.seen()).toEqual({ connections: 1, received: '' })
      const off = await runCli(['passphrase', 'change'], dir, {
        env: { ...NO_PASS, TOKENDECK_AGENT: 'off' },
      })
      expect(off.stderr).toMatch(/TOKENDECK_AGENT=off/)
      expect(agent.seen().connections).toBe(1)
    } finally {
      await agent.close()
    }
  })

  it('init in a pipe without a passphrase says how to give one; a missing vault says init', async () => {
    const dir = path.join(tempDir(), 'new-vault')
    const r = await runCli(['init'], dir, { env: NO_PASS })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/init needs a new passphrase: run it at a terminal to be asked/)
    expect(r.stderr).not.toMatch(/locked/i)
    const missing = await runCli(['status', '--vault', dir], undefined)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe(
      `tokendeck: No vault at ${dir}. Create one with tokendeck init --vault ${dir}.\n`,
    )
  })

  it('a lost login answer names revoke --uncertain, which then settles it', async () => {
    const dir = await vaultWithAccount()
    sb.tpstreams.setFault({ kind: 'reset' }, { route: 'login', times: 1 })
    const r = await runCli(['header', 'acme-prod'], dir)
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      'Check on the server whether a token was created, then run tokendeck revoke acme-prod --uncertain.',
    )
    const json = await runCli(['status', 'acme-prod', '--json'], dir)
    const tokens = (JSON.parse(json.stdout) as { accounts: { tokens: { state: string }[] }[] })
      .accounts[0]!.tokens
    expect(tokens.map((t) => t.state)).toEqual(['uncertain'])
    const settled = await runCli(['revoke', 'acme-prod', '--uncertain'], dir)
    expect(settled.code).toBe(0)
    const after = await runCli(['status', 'acme-prod'], dir)
    expect(after.stdout).not.toMatch(/uncertain/)
  })

  it('accounts add whose login answer was lost keeps the account and says the same', async () => {
    const v = await newVault()
    sb.tpstreams.setFault({ kind: 'reset' }, { route: 'login', times: 1 })
    const r = await runCli(
      [
        ...['accounts', 'add', '--provider', 'tpstreams', '--base-url', sb.tpstreams.baseUrl],
        ...['--label', 'acme-new', '--username', tp.username, '--org', 'acme', '--remember'],
        '--secret-stdin',
      ],
      v.dir,
      { input: `${tp.secret}\n` },
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('"acme-new" was kept')
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      'Check on the server whether a token was created, then run tokendeck revoke acme-new --uncertain.',
    )
  })
})

/* eslint-disable no-control-regex -- the progress line is erased with ESC [ K */
describe('a slow login shows progress at a terminal only', { timeout: 120_000 }, () => {
  /** The progress lines the terminal showed, each up to where it was rewritten or erased. */
  const progress = (out: string) => out.match(/Logging in to [^\r\n\x1b]*/g) ?? []
  const env = (dir: string) => {
    const home = tempDir('tokendeck-cli-home-')
    return {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: home,
      TOKENDECK_VAULT: dir,
      TOKENDECK_PASSPHRASE: TEST_PASSPHRASE,
    }
  }

  it('counts the seconds on stderr, then erases the line; the header follows alone', async () => {
    const dir = await vaultWithAccount()
    // The login cannot answer before 2.5 s: the line (due after 1 s) must show.
    sb.tpstreams.setFault({ kind: 'delay', ms: 2500 }, { route: 'login', times: 1 })
    const r = await atTerminal([process.execPath, CLI, 'header', 'acme-prod'], { env: env(dir) })
    expect(r.code, r.out).toBe(0)
    const shown = progress(r.out)
    expect(shown.length).toBeGreaterThan(0)
    for (const line of shown) expect(line).toMatch(/^Logging in to acme-prod \(TPStreams\)… \d+ s$/)
    // Erased (carriage return, erase line) before the header is printed on a clean line.
    const header = /Authorization: Token ([0-9a-f]{40})/.exec(r.out)
    expect(header).not.toBeNull()
    expect(r.out.slice(0, header!.index)).toMatch(/\r\x1b\[K$/)
    expect(shown.join('\n')).not.toContain(header![1])
  })

  it('through the agent: the wait for its answer is shown the same way', async () => {
    const dir = await vaultWithAccount()
    const e = env(dir)
    const started = await runCli(['agent', 'start'], dir, { home: e.HOME })
    expect(started.code, started.stderr).toBe(0)
    try {
      sb.tpstreams.setFault({ kind: 'delay', ms: 2500 }, { route: 'login', times: 1 })
      const r = await atTerminal([process.execPath, CLI, 'header', 'acme-prod'], {
        env: { ...e, TOKENDECK_PASSPHRASE: undefined },
      })
      expect(r.code, r.out).toBe(0)
      expect(r.out).toMatch(/Waiting for the agent \(acme-prod\)… \d+ s\r\x1b\[KAuthorization: /)
    } finally {
      await runCli(['agent', 'stop'], dir, { home: e.HOME })
    }
  })

  it('nothing in a pipe, nothing with --json', async () => {
    const dir = await vaultWithAccount()
    sb.tpstreams.setFault({ kind: 'delay', ms: 2500 }, { route: 'login', times: 1 })
    const piped = await runCli(['header', 'acme-prod'], dir)
    expect(piped).toMatchObject({ code: 0, stderr: '' })
    sb.tpstreams.setFault({ kind: 'delay', ms: 2500 }, { route: 'login', times: 1 })
    const json = await atTerminal(
      [process.execPath, CLI, 'login', 'acme-prod', '--force', '--json'],
      { env: env(dir) },
    )
    expect(json.code, json.out).toBe(0)
    expect(json.out).not.toContain('Logging in')
    expect(json.out).not.toContain('\x1b[K')
  })
})
