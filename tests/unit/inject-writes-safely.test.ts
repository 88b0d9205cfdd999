// `tokendeck inject -o` writes where no other user can redirect or read it (attacker 4: another
// local user who can write a shared folder), with the real built CLI: a symlink planted at the
// old predictable temporary name `.NAME.tokendeck-tmp` or at the target is never followed; a
// folder another user owns or can write (world, group, sticky /tmp alike), or under a folder they
// can write, is refused before any token is asked for, with nothing written; `--force` writes
// anyway, through a fresh O_EXCL | O_NOFOLLOW name; the result has mode 0600 whatever the umask.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, addTpstreamsAccount, runCli, cheapVault } from '../helpers/cli'
import { tempDir } from '../helpers/vault'

const tp = DEMO_USERS.tpstreams[0]!
const isRoot = process.getuid?.() === 0
let sb: SandboxSet
let dir = ''
let token = ''
let tpl = ''

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  dir = path.join(tempDir(), 'vault')
  await cheapVault(dir)
  const add = await addTpstreamsAccount(dir, {
    baseUrl: sb.tpstreams.baseUrl,
    label: 'acme-prod',
    org: 'acme',
    username: tp.username,
    secret: tp.secret,
  })
  expect(add.code).toBe(0)
  token = (await runCli(['token', 'acme-prod'], dir)).stdout.trim()
  expect(token).toMatch(/^[0-9a-f]{40}$/)
  tpl = path.join(tempDir('tokendeck-tpl-'), 'kube.tpl')
  fs.writeFileSync(tpl, 'token: {{ tokendeck://acme-prod/token }}\n')
}, 60_000)
afterAll(async () => {
  await sb.close()
})

const filled = () => `token: ${token}\n`

/** A file of someone else's (the victim an attacker would have TokenDeck write through). */
function victimFile(): string {
  const victim = path.join(tempDir('tokendeck-victim-'), 'victim.txt')
  fs.writeFileSync(victim, 'untouched\n')
  return victim
}

/** `inject -o out` with no passphrase and no agent: any vault access would fail with exit 3. */
const injectLocked = (out: string, extra: string[] = []) =>
  runCli(['inject', '-i', tpl, '-o', out, '--json', ...extra], dir, {
    env: { TOKENDECK_PASSPHRASE: undefined, TOKENDECK_AGENT: 'off' },
  })

function errorOf(stderr: string): { code: string; message: string } {
  return (JSON.parse(stderr) as { error: { code: string; message: string } }).error
}

describe('tokendeck inject -o writes safely', { timeout: 60_000 }, () => {
  it('never follows a symlink planted at the old temporary name, and writes mode 0600', async () => {
    const folder = tempDir('tokendeck-inject-')
    const victim = victimFile()
    fs.symlinkSync(victim, path.join(folder, '.out.yaml.tokendeck-tmp'))
    const old = process.umask(0o000)
    try {
      const r = await runCli(['inject', '-i', tpl, '-o', path.join(folder, 'out.yaml')], dir)
      expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' })
    } finally {
      process.umask(old)
    }
    expect(fs.readFileSync(victim, 'utf8')).toBe('untouched\n')
    const out = path.join(folder, 'out.yaml')
    expect(fs.lstatSync(out).isFile()).toBe(true)
    expect(fs.statSync(out).mode & 0o777).toBe(0o600)
    expect(fs.readFileSync(out, 'utf8')).toBe(filled())
    // Only the target and the planted link: no temporary file left behind.
    expect(fs.readdirSync(folder).sort()).toEqual(['.out.yaml.tokendeck-tmp', 'out.yaml'])
  })

  it('refuses a folder others can write (world, group, sticky), before asking for a token', async () => {
    for (const mode of [0o777, 0o1777, 0o770, 0o775]) {
      const folder = tempDir('tokendeck-shared-')
      fs.chmodSync(folder, mode)
      const r = await injectLocked(path.join(folder, 'out.yaml'))
      // Exit 2, not 3: the vault was never opened (no passphrase is given here).
      expect(r.code, mode.toString(8)).toBe(2)
      expect(r.stdout).toBe('')
      const e = errorOf(r.stderr)
      expect(e.code).toBe('UNSAFE_PATH')
      expect(e.message).toContain(folder)
      expect(e.message).toMatch(/can be written by (every user|its group)/)
      expect(e.message).toMatch(/--force/)
      expect(fs.readdirSync(folder)).toEqual([])
    }
  })

  it('refuses a private folder inside a folder others can write (not sticky)', async () => {
    const shared = tempDir('tokendeck-shared-')
    fs.chmodSync(shared, 0o777)
    const mine = path.join(shared, 'mine')
    fs.mkdirSync(mine, { mode: 0o700 })
    const r = await injectLocked(path.join(mine, 'out.yaml'))
    expect(r.code).toBe(2)
    expect(errorOf(r.stderr).message).toContain(`${shared} can be written by every user`)
    expect(fs.readdirSync(mine)).toEqual([])
    // Inside a sticky folder (like /tmp itself), a folder of one's own is fine.
    const sticky = tempDir('tokendeck-sticky-')
    fs.chmodSync(sticky, 0o1777)
    const own = path.join(sticky, 'own')
    fs.mkdirSync(own, { mode: 0o700 })
    const ok = await runCli(['inject', '-i', tpl, '-o', path.join(own, 'out.yaml')], dir)
    expect(ok.code).toBe(0)
    expect(fs.readFileSync(path.join(own, 'out.yaml'), 'utf8')).toBe(filled())
  })

  it('--force writes in a shared folder without following the links planted there', async () => {
    const folder = tempDir('tokendeck-shared-')
    fs.chmodSync(folder, 0o1777)
    const victim = victimFile()
    const out = path.join(folder, 'out.yaml')
    // The attacker's guesses: the old temporary name, and the target itself.
    fs.symlinkSync(victim, path.join(folder, '.out.yaml.tokendeck-tmp'))
    fs.symlinkSync(victim, out)
    const r = await runCli(['inject', '-i', tpl, '-o', out, '--force'], dir)
    expect(r).toMatchObject({ code: 0, stderr: '' })
    expect(fs.readFileSync(victim, 'utf8')).toBe('untouched\n')
    expect(fs.lstatSync(out).isSymbolicLink()).toBe(false)
    expect(fs.statSync(out).mode & 0o777).toBe(0o600)
    expect(fs.readFileSync(out, 'utf8')).toBe(filled())
  })

  it('a target that is a symlink is refused without --force, and replaced (not followed) with it', async () => {
    const folder = tempDir('tokendeck-inject-')
    const victim = victimFile()
    const out = path.join(folder, 'out.yaml')
    fs.symlinkSync(victim, out)
    const r = await injectLocked(out)
    expect(r.code).toBe(2)
    expect(errorOf(r.stderr)).toMatchObject({ code: 'UNSAFE_PATH' })
    expect(errorOf(r.stderr).message).toContain(`${out} is a symbolic link`)
    expect(fs.lstatSync(out).isSymbolicLink()).toBe(true)
    const forced = await runCli(['inject', '-i', tpl, '-o', out, '--force'], dir)
    expect(forced.code).toBe(0)
    expect(fs.readFileSync(victim, 'utf8')).toBe('untouched\n')
    expect(fs.lstatSync(out).isFile()).toBe(true)
    expect(fs.readFileSync(out, 'utf8')).toBe(filled())
    // A folder, a FIFO: never written over, --force or not.
    fs.mkdirSync(path.join(folder, 'sub'))
    const onDir = await runCli(
      ['inject', '-i', tpl, '-o', path.join(folder, 'sub'), '--force'],
      dir,
    )
    expect(onDir.code).toBe(2)
    expect(onDir.stderr).toMatch(/is not a regular file/)
  })

  it("another user's folder or file is refused (as root, which can give them away)", async (ctx) => {
    if (!isRoot) ctx.skip('only root can chown to another user')
    const theirs = tempDir('tokendeck-theirs-')
    fs.chmodSync(theirs, 0o755)
    fs.chownSync(theirs, 4242, 4242)
    const r = await injectLocked(path.join(theirs, 'out.yaml'))
    expect(r.code).toBe(2)
    expect(errorOf(r.stderr).message).toContain(`${theirs} belongs to another user`)
    expect(fs.readdirSync(theirs)).toEqual([])

    const folder = tempDir('tokendeck-inject-')
    const out = path.join(folder, 'out.yaml')
    fs.writeFileSync(out, 'theirs\n')
    fs.chownSync(out, 4242, 4242)
    const file = await injectLocked(out)
    expect(file.code).toBe(2)
    expect(errorOf(file.stderr).message).toContain(`${out} belongs to another user`)
    expect(fs.readFileSync(out, 'utf8')).toBe('theirs\n')
    const forced = await runCli(['inject', '-i', tpl, '-o', out, '--force'], dir)
    expect(forced.code).toBe(0)
    expect(fs.statSync(out).uid).toBe(0)
    expect(fs.statSync(out).mode & 0o777).toBe(0o600)
  })

  it('a folder that does not exist is a usage error; stdout needs no folder at all', async () => {
    const r = await injectLocked(path.join(tempDir(), 'missing', 'out.yaml'))
    expect(r.code).toBe(2)
    expect(errorOf(r.stderr).code).toBe('NOT_FOUND')
    const out = await runCli(['inject', '-i', tpl], dir)
    expect(out).toMatchObject({ code: 0, stdout: filled() })
  })
})
