// The default account, with real processes in temp folders: an explicit label wins over
// TOKENDECK_ACCOUNT, which wins over the nearest (trusted) .tokendeck.json (this folder or a
// parent); a malformed, oversized, foreign or world-writable file is an error naming it; no
// default at all is a usage error naming both ways; and the agent path gets the filled-in label
// too. What trust itself guarantees is in account-file-trust.test.ts.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, addTpstreamsAccount, runCli, cheapVault } from '../helpers/cli'
import { tempDir } from '../helpers/vault'

const tp = DEMO_USERS.tpstreams[0]!
let sb: SandboxSet
let dir = ''
const tokens: Record<string, string> = {}
/** One trust store for every run here (each run has its own HOME otherwise). */
const state = tempDir('tokendeck-state-')
const stateEnv = { TOKENDECK_STATE_DIR: state }

/** Writes a .tokendeck.json and trusts it, as its user would. */
async function trusted(file: string, text: string): Promise<void> {
  fs.writeFileSync(file, text)
  const r = await runCli(['trust', file], undefined, { env: stateEnv })
  expect(r.code, r.stderr).toBe(0)
}

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  dir = path.join(tempDir(), 'vault')
  await cheapVault(dir)
  for (const [label, org] of [
    ['acme-prod', 'acme'],
    ['globex-ci', 'globex'],
    ['from-env', 'acme'],
  ] as const) {
    const r = await addTpstreamsAccount(dir, {
      baseUrl: sb.tpstreams.baseUrl,
      label,
      org,
      username: tp.username,
      secret: tp.secret,
    })
    expect(r.code).toBe(0)
    tokens[label] = (await runCli(['token', label], dir)).stdout.trim()
  }
  expect(new Set(Object.values(tokens)).size).toBe(3)
}, 60_000)
afterAll(async () => {
  await sb.close()
})

/** `tokendeck token` (no label) in `cwd`; returns which account's token came out. */
async function whose(cwd: string, env: NodeJS.ProcessEnv = {}, args: string[] = []) {
  const r = await runCli(['token', ...args], dir, { cwd, env: { ...stateEnv, ...env } })
  const label = Object.keys(tokens).find((l) => tokens[l] === r.stdout.trim())
  return { ...r, label }
}

describe('the default account', { timeout: 60_000 }, () => {
  it('the nearest .tokendeck.json wins over a farther one; env wins over both; an argument over all', async () => {
    const root = tempDir('tokendeck-project-')
    const nested = path.join(root, 'services', 'api', 'src')
    fs.mkdirSync(nested, { recursive: true })
    await trusted(path.join(root, '.tokendeck.json'), '{"account": "acme-prod"}\n')
    expect((await whose(nested)).label).toBe('acme-prod')
    await trusted(path.join(root, 'services', '.tokendeck.json'), '{"account":"globex-ci"}')
    expect((await whose(nested)).label).toBe('globex-ci')
    expect((await whose(root)).label).toBe('acme-prod')
    expect((await whose(nested, { TOKENDECK_ACCOUNT: 'from-env' })).label).toBe('from-env')
    expect((await whose(nested, { TOKENDECK_ACCOUNT: 'from-env' }, ['acme-prod'])).label).toBe(
      'acme-prod',
    )
    // An empty TOKENDECK_ACCOUNT is unset.
    expect((await whose(nested, { TOKENDECK_ACCOUNT: '' })).label).toBe('globex-ci')
    // header, reject and kube-credential take it too.
    const h = await runCli(['header'], dir, { cwd: nested, env: stateEnv })
    expect(h.stdout).toBe(`Authorization: Token ${tokens['globex-ci']}\n`)
    const k = await runCli(['kube-credential'], dir, { cwd: nested, env: stateEnv })
    expect(JSON.parse(k.stdout)).toMatchObject({ status: { token: tokens['globex-ci'] } })
  })

  it('no default: a usage error that names both ways; status and accounts remove never use one', async () => {
    const empty = tempDir('tokendeck-nowhere-')
    const r = await runCli(['header'], dir, { cwd: empty })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/tokendeck header needs an account: name it \(tokendeck header L\)/)
    expect(r.stderr).toMatch(/TOKENDECK_ACCOUNT=L/)
    expect(r.stderr).toMatch(/\{"account": "L"\} in a \.tokendeck\.json/)
    expect(r.stderr).toMatch(/trust it \(tokendeck trust\)/)
    const proj = tempDir('tokendeck-project-')
    await trusted(path.join(proj, '.tokendeck.json'), '{"account": "acme-prod"}')
    // status without L is the overview of every account, default or not.
    const st = await runCli(['status', '--json'], dir, { cwd: proj })
    expect((JSON.parse(st.stdout) as { accounts: unknown[] }).accounts).toHaveLength(3)
    const rm = await runCli(['accounts', 'remove'], dir, { cwd: proj })
    expect(rm.code).toBe(2)
    expect(rm.stderr).toMatch(/Usage: tokendeck accounts remove L/)
  })

  it('a malformed, oversized, foreign or world-writable file is an error that names it', async () => {
    const bad: [string, RegExp][] = [
      ['not json', /is not JSON/],
      ['["acme-prod"]', /must hold an object/],
      ['{"account": ""}', /"account" must be a non-empty string/],
      ['{"account": 7}', /"account" must be a non-empty string/],
      ['{"account": "acme-prod", "vault": "/tmp"}', /unknown key "vault"/],
      ['{"account": "a\\u001b[31m"}', /not an account label/],
      [`{"account": "${'x'.repeat(5000)}"}`, /too big/],
    ]
    for (const [text, message] of bad) {
      const root = tempDir('tokendeck-project-')
      fs.writeFileSync(path.join(root, '.tokendeck.json'), text)
      // A good file farther up does not paper over the bad one.
      const sub = path.join(root, 'sub')
      fs.mkdirSync(sub)
      const r = await runCli(['token'], dir, { cwd: sub })
      expect(r.code, text).toBe(2)
      expect(r.stdout, text).toBe('')
      expect(r.stderr, text).toMatch(message)
      expect(r.stderr, text).toContain(path.join(root, '.tokendeck.json'))
      // An explicit label never reads the file.
      expect((await runCli(['token', 'acme-prod'], dir, { cwd: sub })).code).toBe(0)
    }
    const open = tempDir('tokendeck-project-')
    fs.writeFileSync(path.join(open, '.tokendeck.json'), '{"account": "acme-prod"}')
    fs.chmodSync(path.join(open, '.tokendeck.json'), 0o666)
    const ww = await runCli(['token'], dir, { cwd: open })
    expect(ww.code).toBe(2)
    expect(ww.stderr).toMatch(/writable by every user/)
    const env = await runCli(['token'], dir, { cwd: open, env: { TOKENDECK_ACCOUNT: 'a\nb' } })
    expect(env.code).toBe(2)
    expect(env.stderr).toMatch(/TOKENDECK_ACCOUNT: not an account label/)
  })

  it('a file another user owns is refused (as root, which can give it away)', async (ctx) => {
    if (process.getuid?.() !== 0) ctx.skip('only root can chown a file to another user')
    const root = tempDir('tokendeck-project-')
    const file = path.join(root, '.tokendeck.json')
    fs.writeFileSync(file, '{"account": "acme-prod"}')
    fs.chownSync(file, 4242, 4242)
    const r = await runCli(['token'], dir, { cwd: root })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/belongs to another user/)
  })

  it('through the agent, without a passphrase: the agent gets the default label', async () => {
    const proj = tempDir('tokendeck-project-')
    await trusted(path.join(proj, '.tokendeck.json'), '{"account": "globex-ci"}')
    expect((await runCli(['agent', 'start'], dir)).code).toBe(0)
    const noPass = { TOKENDECK_PASSPHRASE: undefined, ...stateEnv }
    try {
      const t = await whose(proj, noPass)
      expect(t.code).toBe(0)
      expect(t.label).toBe('globex-ci')
      const rej = await runCli(['reject'], dir, { cwd: proj, env: noPass })
      expect(rej.stdout).toMatch(/^globex-ci: the token is suspect/)
      const after = await whose(proj, noPass)
      expect(after.code).toBe(0)
      expect(after.stdout.trim()).not.toBe(tokens['globex-ci'])
    } finally {
      await runCli(['agent', 'stop'], dir, { env: noPass })
    }
  })
})
