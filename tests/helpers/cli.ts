// Test fixture: the built `tokendeck` CLI as a user runs it, a child process with a clean
// environment (its own HOME, the vault folder and passphrase it is given) and closed stdin.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { newVault, TEST_PASSPHRASE, tempDir } from './vault'

export const CLI = path.resolve('out/main/cli.js')

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs `node out/main/cli.js ...args` against the vault in `dir` (none: the default folder under
 * the given HOME), unlocked by TEST_PASSPHRASE, with `input` on stdin.
 */
export function runCli(
  args: string[],
  dir: string | undefined,
  o: { home?: string; env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {},
): Promise<CliRun> {
  const home = o.home ?? tempDir('tokendeck-cli-home-')
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: home,
    TOKENDECK_PASSPHRASE: TEST_PASSPHRASE,
    ...o.env,
  }
  if (dir !== undefined) env.TOKENDECK_VAULT = dir
  return new Promise<CliRun>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd: o.cwd })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    // A child that exits without reading its stdin (git config) must not fail the run (EPIPE).
    child.stdin.on('error', () => {})
    child.stdin.end(o.input ?? '')
  })
}

/**
 * A new vault in `dir`, as `tokendeck init` makes one but at the cheapest scrypt cost the vault
 * accepts (CHEAP_SCRYPT), made in process: every later CLI unlock of it costs a quarter of the
 * production cost. No environment variable can weaken a vault `init` makes; tests build theirs
 * here. Left locked, like a vault `init` made.
 */
export async function cheapVault(dir: string): Promise<void> {
  const v = await newVault({ dir })
  v.vault.lock()
}

/**
 * `tokendeck accounts add` of a TPStreams account with its secret remembered, run as a user
 * would (the secret on stdin); returns the run. `--no-verify`: no login yet, so the account has no
 * token and a test counts every login it causes.
 */
export function addTpstreamsAccount(
  dir: string,
  o: { baseUrl: string; label: string; org: string; username: string; secret: string },
  env?: NodeJS.ProcessEnv,
): Promise<CliRun> {
  return runCli(
    [
      'accounts',
      'add',
      '--provider',
      'tpstreams',
      '--base-url',
      o.baseUrl,
      '--label',
      o.label,
      '--username',
      o.username,
      '--org',
      o.org,
      '--remember',
      '--no-verify',
      '--secret-stdin',
    ],
    dir,
    { input: `${o.secret}\n`, ...(env ? { env } : {}) },
  )
}

/**
 * `tokendeck accounts add` of an xpay account (Bearer JWTs that expire) with its secret
 * remembered, run as a user would; returns the run. `--no-verify`, as above: no token yet.
 */
export function addXpayAccount(
  dir: string,
  o: { baseUrl: string; label: string; username: string; secret: string },
  env?: NodeJS.ProcessEnv,
): Promise<CliRun> {
  return runCli(
    [
      'accounts',
      'add',
      '--provider',
      'xpay',
      '--base-url',
      o.baseUrl,
      '--label',
      o.label,
      '--username',
      o.username,
      '--remember',
      '--no-verify',
      '--secret-stdin',
    ],
    dir,
    { input: `${o.secret}\n`, ...(env ? { env } : {}) },
  )
}

/**
 * A new vault made with the real CLI, holding `acme-prod` (TPStreams, organization acme) and
 * `xpay-dev` (xpay) with their secrets remembered, against the sandbox `sb`; returns its folder.
 */
export async function vaultWithTwoAccounts(sb: SandboxSet): Promise<string> {
  const dir = path.join(tempDir(), 'vault')
  const tp = DEMO_USERS.tpstreams[0]!
  const xp = DEMO_USERS.xpay[0]!
  const steps = [
    () => cheapVault(dir).then(() => ({ code: 0, stdout: '', stderr: '' })),
    () =>
      addTpstreamsAccount(dir, {
        baseUrl: sb.tpstreams.baseUrl,
        label: 'acme-prod',
        org: 'acme',
        username: tp.username,
        secret: tp.secret,
      }),
    () =>
      addXpayAccount(dir, {
        baseUrl: sb.xpay.baseUrl,
        label: 'xpay-dev',
        username: xp.username,
        secret: xp.secret,
      }),
  ]
  for (const step of steps) {
    const r = await step()
    if (r.code !== 0) throw new Error(`setting up the vault failed: ${r.stderr}`)
  }
  return dir
}

/**
 * For a test file: the sandbox and a vault made with the real CLI holding `acme` (TPStreams,
 * organization acme, its secret remembered), started before the file's tests and closed after;
 * with `agent`, a headless agent serves it meanwhile. Read `sb` and `dir` inside the tests.
 */
export function cliVaultPerFile(o: { agent?: boolean } = {}): { sb: SandboxSet; dir: string } {
  const shared = { sb: undefined as unknown as SandboxSet, dir: '' }
  beforeAll(async () => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
    shared.sb = await startSandbox()
    shared.dir = path.join(tempDir(), 'vault')
    const tp = DEMO_USERS.tpstreams[0]!
    const steps = [
      () => cheapVault(shared.dir).then(() => ({ code: 0, stdout: '', stderr: '' })),
      () =>
        addTpstreamsAccount(shared.dir, {
          baseUrl: shared.sb.tpstreams.baseUrl,
          label: 'acme',
          org: 'acme',
          username: tp.username,
          secret: tp.secret,
        }),
      ...(o.agent ? [() => runCli(['agent', 'start'], shared.dir)] : []),
    ]
    for (const step of steps) {
      const r = await step()
      if (r.code !== 0) throw new Error(`setting up the vault failed: ${r.stderr}`)
    }
  }, 60_000)
  afterAll(async () => {
    if (o.agent) await runCli(['agent', 'stop'], shared.dir)
    await shared.sb.close()
  })
  return shared
}
