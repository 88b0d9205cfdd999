// A .tokendeck.json chooses the default account only after `tokendeck trust` allowed that file's
// path and content (direnv's model), with real processes in temp folders. The attacker: a
// repository, archive or shared folder that carries a .tokendeck.json naming one of your accounts
// (so that `tokendeck curl` or a helper run there uses it), edited after you trusted it, copied
// or moved elsewhere, or a symlink to a file you trusted; and another local user who could write
// the trust store. TOKENDECK_ACCOUNT and a label on the command line need no trust; the store is
// read without the vault or the agent.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { TRUST_FILE } from '../../src/main/cli/trust-store'
import { CLI, addTpstreamsAccount, runCli, type CliRun, cheapVault } from '../helpers/cli'
import { tempDir } from '../helpers/vault'

const tp = DEMO_USERS.tpstreams[0]!
const isRoot = process.getuid?.() === 0
let sb: SandboxSet
let dir = ''
const tokens: Record<string, string> = {}

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  dir = path.join(tempDir(), 'vault')
  await cheapVault(dir)
  for (const [label, org] of [
    ['acme-prod', 'acme'],
    ['globex-ci', 'globex'],
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
}, 60_000)
afterAll(async () => {
  await sb.close()
})

/** A user's machine: one HOME (so one trust store) for every command in a test. */
function machine() {
  const home = tempDir('tokendeck-home-')
  const store = path.join(home, '.local', 'state', 'tokendeck', TRUST_FILE)
  const td = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
    runCli(args, dir, { home, cwd, env })
  /** Which account's token `tokendeck token` (no label) gave in `cwd`, if any. */
  const whose = async (cwd: string, env: NodeJS.ProcessEnv = {}) => {
    const r = await td(['token'], cwd, env)
    return { ...r, label: Object.keys(tokens).find((l) => tokens[l] === r.stdout.trim()) }
  }
  return { home, store, td, whose }
}

function project(account: string): { root: string; file: string } {
  const root = tempDir('tokendeck-project-')
  const file = path.join(root, '.tokendeck.json')
  fs.writeFileSync(file, `{"account": "${account}"}\n`)
  return { root, file }
}

function expectNotTrusted(r: CliRun, file: string, account: string, why: RegExp): void {
  expect(r.code).toBe(2)
  expect(r.stdout).toBe('')
  expect(r.stderr).toContain(`${file} names the account "${account}"`)
  expect(r.stderr).toMatch(why)
  expect(r.stderr).toContain(`run: tokendeck trust ${file}`)
}

describe('a .tokendeck.json acts only once trusted', { timeout: 60_000 }, () => {
  it('an untrusted file is refused before anything runs; trusted, it is used', async () => {
    const m = machine()
    const { root, file } = project('globex-ci')
    const nested = path.join(root, 'services', 'api')
    fs.mkdirSync(nested, { recursive: true })
    const before = sb.tpstreams.liveTokenCount('globex')
    const r = await m.whose(nested)
    expectNotTrusted(r, file, 'globex-ci', /you have not trusted this file here/)
    // --json: the stable code.
    const j = await m.td(['header', '--json'], nested)
    expect(JSON.parse(j.stderr)).toMatchObject({ error: { code: 'NOT_TRUSTED' } })
    // No vault is needed to be refused, and nothing was minted.
    const noVault = await runCli(['header'], path.join(tempDir(), 'none'), {
      home: m.home,
      cwd: nested,
    })
    expect(noVault.code).toBe(2)
    expect(noVault.stderr).toMatch(/NOT_TRUSTED|names the account "globex-ci"/)
    expect(sb.tpstreams.liveTokenCount('globex')).toBe(before)

    // `trust` with no PATH finds the nearest file, without the vault or a passphrase.
    const t = await runCli(['trust'], undefined, {
      home: m.home,
      cwd: nested,
      env: { TOKENDECK_PASSPHRASE: undefined, TOKENDECK_VAULT: path.join(tempDir(), 'none') },
    })
    expect(t.code).toBe(0)
    expect(t.stdout).toContain(`Trusted ${file}`)
    expect(t.stdout).toContain('"globex-ci"')
    expect((await m.whose(nested)).label).toBe('globex-ci')
    // The store: mode 0600 in a folder of mode 0700, the path and a SHA-256, no secret.
    expect(fs.statSync(m.store).mode & 0o777).toBe(0o600)
    expect(fs.statSync(path.dirname(m.store)).mode & 0o777).toBe(0o700)
    const saved = JSON.parse(fs.readFileSync(m.store, 'utf8')) as {
      files: { path: string; sha256: string; account: string }[]
    }
    expect(saved.files).toEqual([
      expect.objectContaining({ path: file, account: 'globex-ci', sha256: expect.any(String) }),
    ])
  })

  it('an edited file is refused again until trusted again, whatever it says', async () => {
    const m = machine()
    const { root, file } = project('acme-prod')
    expect((await m.td(['trust', file], root)).code).toBe(0)
    expect((await m.whose(root)).label).toBe('acme-prod')
    // Another account, or the same one spelled differently: changed is changed.
    fs.writeFileSync(file, '{"account": "globex-ci"}\n')
    expectNotTrusted(await m.whose(root), file, 'globex-ci', /it changed since you trusted it/)
    fs.writeFileSync(file, '{ "account": "acme-prod" }\n')
    expectNotTrusted(await m.whose(root), file, 'acme-prod', /changed since you trusted it/)
    expect((await m.td(['trust', root], root)).code).toBe(0)
    expect((await m.whose(root)).label).toBe('acme-prod')
  })

  it('a moved or copied file is a new file: refused where it lands', async () => {
    const m = machine()
    const a = project('acme-prod')
    expect((await m.td(['trust', a.file], a.root)).code).toBe(0)
    const copy = tempDir('tokendeck-project-')
    fs.copyFileSync(a.file, path.join(copy, '.tokendeck.json'))
    expectNotTrusted(
      await m.whose(copy),
      path.join(copy, '.tokendeck.json'),
      'acme-prod',
      /not trusted this file here/,
    )
    expect((await m.whose(a.root)).label).toBe('acme-prod')
    const moved = tempDir('tokendeck-project-')
    fs.renameSync(a.file, path.join(moved, '.tokendeck.json'))
    expectNotTrusted(
      await m.whose(moved),
      path.join(moved, '.tokendeck.json'),
      'acme-prod',
      /not trusted this file here/,
    )
    // Moved back unchanged: the same path and content, trusted as before.
    fs.renameSync(path.join(moved, '.tokendeck.json'), a.file)
    expect((await m.whose(a.root)).label).toBe('acme-prod')
  })

  it('a symlinked .tokendeck.json is trusted where it is, with what it points to', async () => {
    const m = machine()
    const a = project('acme-prod')
    expect((await m.td(['trust', a.file], a.root)).code).toBe(0)
    // A repository that links to a file you trusted elsewhere does not inherit that trust.
    const b = tempDir('tokendeck-project-')
    const link = path.join(b, '.tokendeck.json')
    fs.symlinkSync(a.file, link)
    expectNotTrusted(await m.whose(b), link, 'acme-prod', /not trusted this file here/)
    expect((await m.td(['trust', link], b)).code).toBe(0)
    expect((await m.whose(b)).label).toBe('acme-prod')
    // Re-pointed to another file, or its target edited: refused again (the content changed).
    const other = project('globex-ci')
    fs.rmSync(link)
    fs.symlinkSync(other.file, link)
    expectNotTrusted(await m.whose(b), link, 'globex-ci', /changed since you trusted it/)
    fs.rmSync(link)
    fs.symlinkSync(a.file, link)
    expect((await m.whose(b)).label).toBe('acme-prod')
    fs.writeFileSync(a.file, '{"account": "globex-ci"}')
    expectNotTrusted(await m.whose(b), link, 'globex-ci', /changed since you trusted it/)
    expectNotTrusted(await m.whose(a.root), a.file, 'globex-ci', /changed since you trusted it/)
    // A folder reached through a symlink is the same folder: trusted under its real path.
    const c = project('acme-prod')
    const alias = path.join(tempDir(), 'alias')
    fs.symlinkSync(c.root, alias)
    expect((await m.td(['trust', path.join(alias, '.tokendeck.json')], c.root)).code).toBe(0)
    expect((await m.whose(c.root)).label).toBe('acme-prod')
  })

  it('TOKENDECK_ACCOUNT and a label need no trust; --revoke forgets a file; --list shows each', async () => {
    const m = machine()
    const { root, file } = project('acme-prod')
    expect((await m.whose(root, { TOKENDECK_ACCOUNT: 'globex-ci' })).label).toBe('globex-ci')
    const named = await m.td(['token', 'globex-ci'], root)
    expect(named.stdout.trim()).toBe(tokens['globex-ci'])
    expect((await m.td(['trust'], root)).code).toBe(0)
    const second = project('globex-ci')
    expect((await m.td(['trust', second.file], root)).code).toBe(0)
    fs.writeFileSync(second.file, '{"account": "acme-prod"}')
    const list = await m.td(['trust', '--list', '--json'], root)
    expect(list.code).toBe(0)
    const listed = JSON.parse(list.stdout) as { files: { path: string; state: string }[] }
    expect(listed.files.map((f) => [f.path, f.state])).toEqual([
      [file, 'trusted'],
      [second.file, 'changed'],
    ])
    const revoke = await m.td(['trust', '--revoke'], root)
    expect(revoke).toMatchObject({ code: 0, stdout: `No longer trusted: ${file}\n` })
    expectNotTrusted(await m.whose(root), file, 'acme-prod', /not trusted this file here/)
    expect((await m.td(['trust', '--revoke', file], root)).code).toBe(2)
    // Only files named .tokendeck.json can be trusted, and only valid ones.
    const other = path.join(root, 'account.json')
    fs.writeFileSync(other, '{"account": "acme-prod"}')
    expect((await m.td(['trust', other], root)).stderr).toMatch(/is not a \.tokendeck\.json/)
    fs.writeFileSync(file, '{"account": "acme-prod", "x": 1}')
    expect((await m.td(['trust', file], root)).stderr).toMatch(/unknown key "x"/)
  })

  it('a trust store another user could write is refused, never used', async () => {
    const m = machine()
    const { root, file } = project('acme-prod')
    expect((await m.td(['trust', file], root)).code).toBe(0)
    expect((await m.whose(root)).label).toBe('acme-prod')
    const folder = path.dirname(m.store)
    const refused = async (what: RegExp) => {
      const r = await m.whose(root)
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(what)
      expect(r.stderr).toMatch(/TokenDeck trusts none/)
      const t = await m.td(['trust', file, '--json'], root)
      expect(JSON.parse(t.stderr)).toMatchObject({ error: { code: 'UNSAFE_PATH' } })
    }
    // The file, its folder, a folder above it: writable by others.
    fs.chmodSync(m.store, 0o666)
    await refused(/can be written by other users/)
    fs.chmodSync(m.store, 0o600)
    fs.chmodSync(folder, 0o777)
    await refused(/tokendeck can be written by every user/)
    fs.chmodSync(folder, 0o700)
    fs.chmodSync(path.dirname(folder), 0o775)
    await refused(/state can be written by its group/)
    fs.chmodSync(path.dirname(folder), 0o700)
    expect((await m.whose(root)).label).toBe('acme-prod')
    // A store that is a symlink to a file someone else wrote.
    const planted = path.join(tempDir(), 'planted.json')
    fs.copyFileSync(m.store, planted)
    fs.rmSync(m.store)
    fs.symlinkSync(planted, m.store)
    await refused(/is a symbolic link/)
    fs.rmSync(m.store)
    fs.copyFileSync(planted, m.store)
    fs.chmodSync(m.store, 0o600)
    expect((await m.whose(root)).label).toBe('acme-prod')
  })

  it('a trust store or its folder owned by another user is refused (as root)', async (ctx) => {
    if (!isRoot) ctx.skip('only root can chown to another user')
    const m = machine()
    const { root, file } = project('acme-prod')
    expect((await m.td(['trust', file], root)).code).toBe(0)
    fs.chownSync(m.store, 4242, 4242)
    const r = await m.whose(root)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/belongs to another user.*TokenDeck trusts none/s)
    fs.chownSync(m.store, 0, 0)
    fs.chownSync(path.dirname(m.store), 4242, 4242)
    expect((await m.whose(root)).stderr).toMatch(/belongs to another user/)
    fs.chownSync(path.dirname(m.store), 0, 0)
    expect((await m.whose(root)).label).toBe('acme-prod')
  })
})
