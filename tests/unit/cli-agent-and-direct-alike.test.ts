// Every vault command prints the same through the agent as it does opening the vault itself:
// the same output, errors (field errors included) and exit code. Two vaults are made alike; one
// is opened by each command (TOKENDECK_AGENT=off, the passphrase given), the other is served by
// a headless agent and asked with no passphrase at all (a command that opened it itself would be
// locked out). Each row runs on both, in the same order, and the two runs are compared with only
// what differs by nature (tokens, ids, times, the folder) masked.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, runCli, vaultWithTwoAccounts, type CliRun } from '../helpers/cli'

const tp = DEMO_USERS.tpstreams[0]!
const PROFILE = path.resolve('tests/fixtures/profiles/oauth-sandbox.json')
let sb: SandboxSet
let direct: string
let viaAgent: string

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  direct = await vaultWithTwoAccounts(sb)
  viaAgent = await vaultWithTwoAccounts(sb)
  const started = await runCli(['agent', 'start', '--idle-timeout', '10'], viaAgent)
  if (started.code !== 0) throw new Error(`agent start failed: ${started.stderr}`)
}, 120_000)

afterAll(async () => {
  await runCli(['agent', 'stop'], viaAgent)
  await sb.close()
})

/**
 * What differs between two alike vaults by nature: tokens, ids, times, the folders, the sandbox
 * accounts' ids, and which surface minted a token (the CLI itself, or the agent for it).
 */
function masked(text: string): string {
  return text
    .replace(/"surface":"(cli|agent)"/g, '"surface":"<minted by>"')
    .replace(/^( +)[0-9a-f]{8}( +)/gm, '$1<id>$2')
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/g, '<time>')
    .replaceAll(direct, '<vault>')
    .replaceAll(viaAgent, '<vault>')
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<jwt>')
    .replace(/\b[0-9a-f]{40}\b/g, '<token>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<id>')
    .replace(/\b1\d{12}\b/g, '<ms>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<iso>')
    .replace(/\b\d+ ?(s|m|h|d|min|minutes?|hours?|seconds?)\b/g, '<n $1>')
}

interface Row {
  args: string[]
  input?: string
  /** What the direct run must show (so a row cannot pass by failing alike for another reason). */
  expect?: { code: number; stderr?: RegExp; stdout?: RegExp }
}

/** In order: reads, a login, changes and their undoing, and refusals of each kind. */
const ROWS: Row[] = [
  { args: ['status'] },
  { args: ['accounts', 'list'] },
  { args: ['accounts', 'list', '--json'] },
  { args: ['header', 'acme-prod'], expect: { code: 0, stdout: /^Authorization: Token / } },
  { args: ['header', 'acme-prod', '--json'] },
  { args: ['token', 'xpay-dev', '--json'] },
  { args: ['login', 'acme-prod'] },
  { args: ['login', 'acme-prod', '--json'] },
  { args: ['read', 'tokendeck://acme-prod/header'] },
  { args: ['status', '--json'] },
  { args: ['status', 'acme-prod', '--probe'] },
  { args: ['header', 'nosuch'] },
  { args: ['revoke', 'acme-prod', '--all', '--oldest'] },
  { args: ['route', 'list'] },
  { args: ['route', 'add', 'https://git.acme.test/team/', 'acme-prod'] },
  { args: ['route', 'list', '--json'] },
  { args: ['route', 'add', 'not a url', 'acme-prod'] },
  { args: ['route', 'remove', 'https://git.acme.test/team/'], expect: { code: 0 } },
  { args: ['route', 'remove', 'https://git.acme.test/team/'], expect: { code: 2 } },
  { args: ['accounts', 'keep-ready', 'acme-prod', 'on'], expect: { code: 0 } },
  { args: ['accounts', 'keep-ready', 'acme-prod', 'off', '--json'] },
  { args: ['accounts', 'keep-ready', 'nosuch', 'on'] },
  { args: ['gateway', 'policy', 'acme-prod'] },
  { args: ['gateway', 'policy', 'acme-prod', '--method', 'GET', '--path', '/api/v1/'] },
  { args: ['gateway', 'policy', 'acme-prod', '--clear', '--json'] },
  { args: ['gateway', 'policy', 'acme-prod', '--method', 'NOT A METHOD'] },
  { args: ['providers', 'list'] },
  { args: ['providers', 'add', PROFILE], expect: { code: 0, stdout: /Imported provider/ } },
  { args: ['providers', 'add', PROFILE] },
  { args: ['providers', 'list', '--json'] },
  // A label the vault already has: the core's field error, by field.
  {
    args: [
      'accounts',
      'add',
      '--provider',
      'tpstreams',
      '--label',
      'acme-prod',
      '--username',
      tp.username,
      '--org',
      'acme',
      '--base-url',
      '',
      '--remember',
      '--secret-stdin',
    ],
    input: `${tp.secret}\n`,
    expect: { code: 2, stderr: /--label/ },
  },
  {
    args: [
      'accounts',
      'add',
      '--provider',
      'tpstreams',
      '--label',
      'acme-ci',
      '--username',
      tp.username,
      '--org',
      'acme',
      '--remember',
      '--no-verify',
      '--secret-stdin',
      '--json',
    ],
    input: `${tp.secret}\n`,
  },
  { args: ['accounts', 'remove', 'acme-ci'] },
  { args: ['reject', 'acme-prod'] },
  { args: ['revoke', 'xpay-dev'] },
  { args: ['revoke', 'acme-prod', '--json'] },
  { args: ['revoke', 'acme-prod', '--uncertain'] },
  { args: ['accounts', 'remove', 'acme-prod'] },
  { args: ['log', '--account', 'nosuch'] },
  { args: ['log', '--limit', '0'] },
]

describe('every vault command through the agent and directly', { timeout: 300_000 }, () => {
  it('prints the same, fails the same and exits the same, row by row', async () => {
    // The rows whose base URL flag is empty take the sandbox's (the accounts were made so).
    const fill = (args: string[]) =>
      args.map((a, i) => (args[i - 1] === '--base-url' && a === '' ? sb.tpstreams.baseUrl : a))
    const differences: string[] = []
    for (const row of ROWS) {
      const args = fill(row.args)
      const input = row.input !== undefined ? { input: row.input } : {}
      const a: CliRun = await runCli(args, direct, { env: { TOKENDECK_AGENT: 'off' }, ...input })
      const b: CliRun = await runCli(args, viaAgent, {
        env: { TOKENDECK_PASSPHRASE: undefined },
        ...input,
      })
      const one = { code: a.code, stdout: masked(a.stdout), stderr: masked(a.stderr) }
      const two = { code: b.code, stdout: masked(b.stdout), stderr: masked(b.stderr) }
      if (row.expect) {
        expect(a.code, a.stderr).toBe(row.expect.code)
        if (row.expect.stderr) expect(a.stderr).toMatch(row.expect.stderr)
        if (row.expect.stdout) expect(a.stdout).toMatch(row.expect.stdout)
      }
      if (JSON.stringify(one) !== JSON.stringify(two)) {
        differences.push(
          `tokendeck ${args.join(' ')}\n  direct: ${JSON.stringify(one)}\n  agent:  ${JSON.stringify(two)}`,
        )
      }
    }
    expect(differences.join('\n')).toBe('')
  })

  it('the agent answered every row: each request is in its log, naming the command', async () => {
    const log = await runCli(['log', '--json', '--limit', '1000', '--surface', 'agent'], viaAgent, {
      env: { TOKENDECK_PASSPHRASE: undefined },
    })
    expect(log.code).toBe(0)
    const clients = new Set(
      (JSON.parse(log.stdout) as { client?: string }[]).map((e) =>
        e.client?.replace(/ \(pid.*$/, ''),
      ),
    )
    // The operations that did not go through the agent before this client, among the rest.
    for (const command of [
      'tokendeck route add',
      'tokendeck route remove',
      'tokendeck accounts keep-ready',
      'tokendeck providers add',
      'tokendeck providers list',
      'tokendeck gateway policy',
      'tokendeck accounts add',
      'tokendeck status',
      'tokendeck header',
    ]) {
      expect(clients).toContain(`"${command}"`)
    }
  })
})
