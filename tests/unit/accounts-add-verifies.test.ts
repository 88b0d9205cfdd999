// `tokendeck accounts add` checks the secret by logging in, as the window's add does (the same
// core action, accounts.add with login: true), whether it opens the vault itself or asks the
// agent: a mistyped secret is refused by the server and leaves no account behind, even with
// --remember; a right one leaves the account with its first token. `--no-verify` (only with
// --remember) adds it without sending anything to the server.
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, runCli } from '../helpers/cli'
import { newVault } from '../helpers/vault'

const tp = DEMO_USERS.tpstreams[0]!
const NO_PASS = { TOKENDECK_PASSPHRASE: undefined }
let sb: SandboxSet

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
})
afterAll(() => sb.close())

/** `accounts add` of a TPStreams account (organization acme), the secret on stdin. */
function add(dir: string, label: string, secret: string, flags: string[], env = {}) {
  return runCli(
    [
      ...['accounts', 'add', '--provider', 'tpstreams', '--base-url', sb.tpstreams.baseUrl],
      ...['--label', label, '--username', tp.username, '--org', 'acme', '--secret-stdin'],
      ...flags,
    ],
    dir,
    { input: `${secret}\n`, env },
  )
}

async function labels(dir: string, env = {}): Promise<string[]> {
  const r = await runCli(['accounts', 'list', '--json'], dir, { env })
  return (JSON.parse(r.stdout) as { label: string }[]).map((a) => a.label)
}

/** Both ways `accounts add` runs: opening the vault itself, and asking a running agent. */
const paths = [
  { name: 'opening the vault', agent: false },
  { name: 'through the agent', agent: true },
] as const

describe.each(paths)('accounts add verifies the secret ($name)', { timeout: 120_000 }, (p) => {
  let dir = ''
  const env = p.agent ? NO_PASS : {}
  beforeAll(async () => {
    dir = (await newVault()).dir
    if (p.agent) expect((await runCli(['agent', 'start'], dir)).code).toBe(0)
  })
  afterAll(async () => {
    if (p.agent) await runCli(['agent', 'stop'], dir, { env: NO_PASS })
  })

  it('a wrong secret with --remember: refused by the server, nothing kept', async () => {
    const before = sb.tpstreams.stats.loginRequests
    const r = await add(dir, 'typo', 'not-the-password', ['--remember'], env)
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^tokendeck: Unable to log in with provided credentials\./)
    // The agent's answers carry no details, so only the direct path can add this line.
    if (!p.agent) expect(r.stderr).toContain('The account was not added.')
    expect(sb.tpstreams.stats.loginRequests - before).toBe(1)
    expect(await labels(dir, env)).not.toContain('typo')
  })

  it('the right secret with --remember: one login, the account keeps that token', async () => {
    const before = sb.tpstreams.stats.loginRequests
    const label = `good-${p.agent ? 'agent' : 'direct'}`
    const r = await add(dir, label, tp.secret, ['--remember'], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(
      `Added account "${label}" (TPStreams): logged in, the secret works; it is stored encrypted (no expiry).\n`,
    )
    expect(sb.tpstreams.stats.loginRequests - before).toBe(1)
    // The next header reuses the token that login got: no second login.
    const h = await runCli(['header', label], dir, { env })
    expect(h.code).toBe(0)
    expect(sb.tpstreams.stats.loginRequests - before).toBe(1)
  })

  it('--no-verify with --remember: added, nothing sent; without --remember: refused', async () => {
    const before = sb.tpstreams.stats.loginRequests
    const label = `unchecked-${p.agent ? 'agent' : 'direct'}`
    const r = await add(dir, label, 'not-checked', ['--remember', '--no-verify'], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(
      `Added account "${label}" (TPStreams) without logging in; its secret is stored encrypted.\n`,
    )
    expect(sb.tpstreams.stats.loginRequests - before).toBe(0)
    const once = await add(dir, 'once', tp.secret, ['--no-verify'], env)
    expect(once.code).toBe(2)
    expect(once.stderr).toMatch(/--no-verify needs --remember/)
    expect(sb.tpstreams.stats.loginRequests - before).toBe(0)
    expect(await labels(dir, env)).toContain(label)
    expect(await labels(dir, env)).not.toContain('once')
  })
})
