// The tokendeck CLI as users run it: `node out/main/cli.js` child processes against real sandbox
// servers. Vaults are created through the library with cheap scrypt (tests/helpers/vault.ts);
// only `init` runs once at the production cost.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMANDS } from '../../src/main/cli/commands'
import { createVaultServices, safeStorageProtector } from '../../src/main/vault'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { newVault, tempDir, TEST_PASSPHRASE } from '../helpers/vault'

const CLI = path.resolve('out/main/cli.js')
const HOME = tempDir('tokendeck-cli-home-')
const [TP, XP, CL] = [DEMO_USERS.tpstreams[0]!, DEMO_USERS.xpay[0]!, DEMO_USERS.classic[1]!]

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the CLI; TOKENDECK_* come only from `env` (undefined removes a variable). */
function cli(
  args: string[],
  o: { dir?: string; input?: string; env?: NodeJS.ProcessEnv; holdStdin?: boolean } = {},
) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME, XDG_CONFIG_HOME: HOME }
  if (o.dir) env.TOKENDECK_VAULT = o.dir
  env.TOKENDECK_PASSPHRASE = TEST_PASSPHRASE
  Object.assign(env, o.env)
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    if (o.holdStdin) child.stdin.write(o.input ?? '')
    else child.stdin.end(o.input ?? '')
    child.on('close', () => child.stdin.destroy())
  })
}

let sb: SandboxSet

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  sb.tpstreams.addUser({ username: 'any@test', secret: 'any-org-secret' }) // any organization
})
afterAll(() => sb.close())

/** A cheap vault with accounts added through the library (remembered secrets). */
async function vaultWith(orgs: { label: string; org: string }[] = []) {
  const v = await newVault()
  for (const a of orgs) {
    const r = await v.accounts.add({
      label: a.label,
      providerId: 'tpstreams',
      baseUrl: sb.tpstreams.baseUrl,
      fields: { username: 'any@test', password: 'any-org-secret', organization_id: a.org },
      remember: true,
    })
    if (!r.ok) throw new Error(r.message)
  }
  return v
}

// Every CLI run pays Node start-up and a scrypt; a loaded CI machine gets room.
const SLOW = { timeout: 90_000 }

const HEADER_LINE = /^Authorization: Token ([0-9a-f]{40})\n$/

describe('tokendeck init and unlocking', SLOW, () => {
  it('init creates a vault at the production scrypt cost and refuses an existing one', async () => {
    const dir = path.join(tempDir(), 'new-vault')
    const env = { TOKENDECK_PASSPHRASE: undefined }
    const r = await cli(['init', '--passphrase-stdin'], {
      dir,
      env,
      input: 'a fine passphrase\r\n',
    })
    expect(r).toMatchObject({ code: 0, stderr: '' })
    expect(r.stdout).toContain(`Created a vault at ${dir}`)
    const file = JSON.parse(fs.readFileSync(path.join(dir, 'vault.json'), 'utf8'))
    expect(file.keySlots[0].kdf).toMatchObject({ N: 2 ** 17, r: 8, p: 1 })
    const again = await cli(['init'], { dir, env: { TOKENDECK_PASSPHRASE: 'a fine passphrase' } })
    expect(again.code).toBe(2)
    expect(again.stderr).toBe(`tokendeck: A vault already exists at ${dir}.\n`)
    // "\r\n" was stripped: the env passphrase opens it.
    const ok = await cli(['status'], { dir, env: { TOKENDECK_PASSPHRASE: 'a fine passphrase' } })
    expect(ok.code).toBe(0)
    // Only the lines it needs are read: a writer that keeps stdin open does not hold it up.
    const held = await cli(['status', '--passphrase-stdin'], {
      dir,
      env: { TOKENDECK_PASSPHRASE: undefined },
      input: 'a fine passphrase\n',
      holdStdin: true,
    })
    expect(held).toMatchObject({
      code: 0,
      stdout: 'No accounts yet. Add one with tokendeck accounts add.\n',
    })
  })

  it('passphrase change rotates the key: the old passphrase stops working, the new one opens', async () => {
    const v = await vaultWith([{ label: 'pc', org: 'pass-org' }])
    const before = fs.readFileSync(path.join(v.dir, 'vault.json'), 'utf8')
    const next = 'a fresh passphrase from stdin'
    const wrong = await cli(['passphrase', 'change', '--passphrase-stdin'], {
      dir: v.dir,
      input: `not the passphrase\n${next}\n`,
      env: { TOKENDECK_PASSPHRASE: undefined },
    })
    expect(wrong.code).toBe(3)
    expect(fs.readFileSync(path.join(v.dir, 'vault.json'), 'utf8')).toBe(before)
    const r = await cli(['passphrase', 'change', '--passphrase-stdin'], {
      dir: v.dir,
      input: `${TEST_PASSPHRASE}\n${next}\n`,
      env: { TOKENDECK_PASSPHRASE: undefined },
    })
    expect(r).toMatchObject({
      code: 0,
      stdout: 'Changed the passphrase; the vault key was rotated.\n',
    })
    expect(r.stdout + r.stderr).not.toContain(next)
    expect((await cli(['header', 'pc'], { dir: v.dir })).code).toBe(3)
    const h = await cli(['header', 'pc'], { dir: v.dir, env: { TOKENDECK_PASSPHRASE: next } })
    expect(h.code).toBe(0)
    expect(h.stdout).toMatch(HEADER_LINE)
  })

  it('exit 3 for a wrong or missing passphrase, a vault without one, and a corrupt file', async () => {
    const v = await vaultWith()
    const bad = await cli(['status'], { dir: v.dir, env: { TOKENDECK_PASSPHRASE: 'nope-nope' } })
    expect(bad.code).toBe(3)
    expect(bad.stderr).toMatch(/^tokendeck: Wrong passphrase/)
    const none = await cli(['status'], { dir: v.dir, env: { TOKENDECK_PASSPHRASE: undefined } })
    expect(none.code).toBe(3)
    const json = await cli(['status', '--json'], { dir: v.dir, env: { TOKENDECK_PASSPHRASE: 'x' } })
    expect(json.stdout).toBe('')
    expect(JSON.parse(json.stderr).error.code).toBe('VAULT_BAD_PASSPHRASE')

    const keychainOnly = tempDir()
    const port = {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => Buffer.from(s),
      decryptString: (b: Buffer) => b.toString(),
    }
    const created = await createVaultServices({ dir: keychainOnly }).vault.create(
      safeStorageProtector(port, 'darwin'),
    )
    expect(created.ok).toBe(true)
    const noSlot = await cli(['status'], { dir: keychainOnly })
    expect(noSlot.code).toBe(3)
    expect(noSlot.stderr).toContain('Add a passphrase')

    fs.writeFileSync(path.join(v.dir, 'vault.json'), '{"format": "tokendeck-va')
    const corrupt = await cli(['status'], { dir: v.dir })
    expect(corrupt.code).toBe(3)
    expect(corrupt.stderr).toContain('.unreadable-')
  })

  it('exit 2 for a missing vault, unknown commands, unknown flags and wrong arguments', async () => {
    const missing = path.join(tempDir(), 'nothing-here')
    const r = await cli(['status'], { dir: missing })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`No vault at ${missing}. Create one with tokendeck init.`)
    expect((await cli(['frobnicate'])).code).toBe(2)
    expect((await cli(['accounts'])).code).toBe(2)
    expect((await cli(['header'])).code).toBe(2)
    const extra = await cli(['header', 'a', 'hunter2'])
    expect(extra.code).toBe(2)
    expect(extra.stderr).not.toContain('hunter2')
    expect((await cli(['status', '--bogus'])).code).toBe(2)
    const help = await cli(['help', 'accounts', 'add'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('--secret-stdin')
  })

  it('takes no secret from argv: no flag accepts a value that could be one', async () => {
    const valueFlags = COMMANDS.flatMap((c) =>
      Object.entries(c.options).flatMap(([name, o]) => (o.type === 'string' ? [name] : [])),
    )
    for (const name of valueFlags) {
      expect([
        'provider',
        'label',
        'username',
        'org',
        'base-url',
        'field',
        'limit',
        'account',
        'idle-timeout',
        'env',
        'env-file',
        'in',
        'out',
        // gateway, gateway policy
        'port',
        'method',
        'path',
        'origin',
        // log filters: event types and surfaces
        'type',
        'surface',
        // ledger connect: this machine's display name (the URL's password comes on stdin)
        'name',
      ]).toContain(name)
    }
    const v = await vaultWith()
    const add = ['accounts', 'add', '--provider', 'classic', '--label', 'c', '--username', 'demo']
    for (const extra of [
      ['--password', 'x'],
      ['--secret', 'x'],
      ['--field', 'password=x'],
    ]) {
      const r = await cli([...add, ...extra, '--remember'], { dir: v.dir })
      expect(r.code).toBe(2)
    }
  })
})

describe('tokendeck accounts, header, token, login', SLOW, () => {
  it('accounts add: remembered, not remembered (logs in once), wrong password, bad fields', async () => {
    const v = await vaultWith()
    const base = ['accounts', 'add', '--provider', 'tpstreams', '--base-url', sb.tpstreams.baseUrl]
    const who = ['--username', TP.username, '--org', 'acme']
    const kept = await cli(
      [...base, '--label', 'acme-prod', ...who, '--remember', '--secret-stdin'],
      {
        dir: v.dir,
        input: `${TP.secret}\n`,
      },
    )
    expect(kept).toMatchObject({ code: 0, stderr: '' })
    expect(fs.readFileSync(path.join(v.dir, 'vault.json'), 'utf8')).not.toContain(TP.secret)

    const before = sb.classic.stats.loginRequests
    const cbase = ['accounts', 'add', '--provider', 'classic', '--base-url', sb.classic.baseUrl]
    const twoLines = await cli(
      [
        ...cbase,
        '--label',
        'cl',
        '--username',
        CL.username,
        '--secret-stdin',
        '--passphrase-stdin',
      ],
      {
        dir: v.dir,
        env: { TOKENDECK_PASSPHRASE: undefined },
        input: `${TEST_PASSPHRASE}\r\n${CL.secret}\r\n`,
      },
    )
    expect(twoLines.code).toBe(0)
    expect(twoLines.stdout).toContain('logged in; the secret was not stored')
    expect(sb.classic.stats.loginRequests - before).toBe(1)

    const wrong = await cli(
      [...cbase, '--label', 'typo', '--username', CL.username, '--secret-stdin'],
      {
        dir: v.dir,
        input: 'not-the-password\n',
      },
    )
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('not added')
    const list = await cli(['accounts', 'list', '--json'], { dir: v.dir })
    const labels = (JSON.parse(list.stdout) as { label: string; remember: boolean }[]).map((a) => [
      a.label,
      a.remember,
    ])
    expect(labels).toEqual([
      ['acme-prod', true],
      ['cl', false],
    ])

    const invalid = await cli(
      [...base, '--label', 'x', '--username', 'u@x.test', '--remember', '--secret-stdin'],
      {
        dir: v.dir,
        input: 'pw\n',
      },
    )
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toContain('  --org: This field is required.')
  })

  it('header prints the exact line the sandbox accepts; token prints the bare token', async () => {
    const v = await vaultWith([{ label: 'hdr', org: 'hdr-org' }])
    const h = await cli(['header', 'hdr'], { dir: v.dir })
    expect(h.code).toBe(0)
    const token = HEADER_LINE.exec(h.stdout)?.[1]
    expect(token).toBeDefined()
    const res = await fetch(`${sb.tpstreams.baseUrl}/api/v1/hdr-org/assets/`, {
      headers: { Authorization: h.stdout.trim().slice('Authorization: '.length) },
    })
    expect(res.status).toBe(200)
    const t = await cli(['token', 'hdr'], { dir: v.dir })
    expect(t.stdout).toBe(`${token}\n`)
    const j = JSON.parse((await cli(['header', 'hdr', '--json'], { dir: v.dir })).stdout)
    expect(j).toMatchObject({ header: h.stdout.trim(), reused: true, expiresAt: null })

    const x = await v.accounts.add({
      label: 'xp',
      providerId: 'xpay',
      baseUrl: sb.xpay.baseUrl,
      fields: { username: XP.username, secretKey: XP.secret },
      remember: true,
    })
    expect(x.ok).toBe(true)
    const xh = await cli(['header', 'xp'], { dir: v.dir })
    const [name, value] = xh.stdout.trim().split(': ')
    expect(value).toMatch(/^Bearer ey/)
    const profile = await fetch(`${sb.xpay.baseUrl}/client/profile`, {
      headers: { [name!]: value! },
    })
    expect(profile.status).toBe(200)
  })

  it('login reuses, --force mints anew; NO_SECRET until login --secret-stdin', async () => {
    const v = await vaultWith([{ label: 'lg', org: 'login-org' }])
    expect((await cli(['login', 'lg'], { dir: v.dir })).stdout).toBe('lg: logged in (no expiry)\n')
    const old = (await cli(['token', 'lg'], { dir: v.dir })).stdout.trim()
    expect((await cli(['login', 'lg'], { dir: v.dir })).stdout).toBe(
      'lg: token reused (no expiry)\n',
    )
    const forced = await cli(['login', 'lg', '--force'], { dir: v.dir })
    expect(forced.stdout).toBe('lg: logged in (no expiry)\n')
    expect(forced.stdout + forced.stderr).not.toContain(old)
    expect(sb.tpstreams.isTokenValid(old)).toBe(false) // revoked on replace (capped provider)

    const add = ['accounts', 'add', '--provider', 'classic', '--base-url', sb.classic.baseUrl]
    await cli([...add, '--label', 'forget', '--username', CL.username, '--secret-stdin'], {
      dir: v.dir,
      input: CL.secret,
    })
    expect((await cli(['revoke', 'forget'], { dir: v.dir })).code).toBe(0)
    const no = await cli(['header', 'forget'], { dir: v.dir })
    expect(no.code).toBe(1)
    expect(no.stderr).toContain('does not remember its password')
    const typed = await cli(['login', 'forget', '--secret-stdin'], { dir: v.dir, input: CL.secret })
    expect(typed.stdout).toMatch(
      /^forget: logged in \(token valid until \d{4}-\d\d-\d\d \d\d:\d\d UTC\)\n$/,
    )
    const again = await cli(['token', 'forget'], { dir: v.dir })
    expect(sb.classic.isTokenValid(again.stdout.trim())).toBe(true)
  })

  it('--passphrase-stdin --secret-stdin: unlocks with line 1, then reads the secret on line 2', async () => {
    const v = await vaultWith()
    const added = await v.accounts.add({
      label: 'typed',
      providerId: 'classic',
      baseUrl: sb.classic.baseUrl,
      fields: { username: CL.username },
      remember: false,
    })
    expect(added.ok).toBe(true)
    // `header` takes no --secret-stdin: `login` is the command that reads a typed secret.
    const flags = ['login', 'typed', '--passphrase-stdin', '--secret-stdin']
    const env = { TOKENDECK_PASSPHRASE: undefined }
    const before = sb.classic.stats.loginRequests
    // Both lines in one write: the passphrase read keeps the secret line for after the unlock.
    const r = await cli(flags, { dir: v.dir, env, input: `${TEST_PASSPHRASE}\n${CL.secret}\n` })
    expect(r).toMatchObject({ code: 0, stderr: '' })
    expect(r.stdout).toMatch(/^typed: logged in \(token valid until .+ UTC\)\n$/)
    expect(sb.classic.stats.loginRequests - before).toBe(1)
    // The header of the token that secret minted (reused, no second login).
    const h = await cli(['header', 'typed'], { dir: v.dir })
    expect(h.code).toBe(0)
    const [, value] = /^Authorization: Token (\S+)\n$/.exec(h.stdout) ?? []
    expect(sb.classic.isTokenValid(value!)).toBe(true)
    expect(sb.classic.stats.loginRequests - before).toBe(1)

    // A wrong passphrase fails as with TOKENDECK_PASSPHRASE, before any secret is asked for: stdin
    // stays open with no secret line, and the CLI still exits at once.
    const viaEnv = await cli(['header', 'typed'], {
      dir: v.dir,
      env: { TOKENDECK_PASSPHRASE: 'not the passphrase' },
    })
    const wrong = await cli(flags, {
      dir: v.dir,
      env,
      input: 'not the passphrase\n',
      holdStdin: true,
    })
    expect(wrong).toMatchObject({ code: 3, stdout: '', stderr: viaEnv.stderr })
    expect(wrong.stderr).toMatch(/^tokendeck: Wrong passphrase/)
    expect(wrong.stderr).not.toContain('Password for')
  })
})

describe('tokendeck revoke, status, log, providers', SLOW, () => {
  it('revoke, revoke --all, revoke --uncertain; accounts remove refuses live tokens', async () => {
    const v = await vaultWith([{ label: 'rv', org: 'revoke-org' }])
    const t1 = (await cli(['token', 'rv'], { dir: v.dir })).stdout.trim()
    const r = await cli(['revoke', 'rv'], { dir: v.dir })
    expect(r).toMatchObject({ code: 0, stdout: 'rv: Revoked 1 token.\n' })
    expect(sb.tpstreams.isTokenValid(t1)).toBe(false)
    await cli(['login', 'rv'], { dir: v.dir })
    const blocked = await cli(['accounts', 'remove', 'rv'], { dir: v.dir })
    expect(blocked.code).toBe(2)
    expect(blocked.stderr).toContain('tokendeck revoke rv --all')
    expect((await cli(['revoke', 'rv', '--all'], { dir: v.dir })).code).toBe(0)
    expect((await cli(['revoke', 'rv'], { dir: v.dir })).code).toBe(2) // nothing live

    sb.tpstreams.setFault({ kind: 'malformed-json' }, { route: 'login', times: 1 })
    expect((await cli(['header', 'rv'], { dir: v.dir })).code).toBe(1)
    const uncertain = async () => {
      const s = JSON.parse((await cli(['status', 'rv', '--json'], { dir: v.dir })).stdout)
      return s.organizations[0].cap.uncertain as number
    }
    expect(await uncertain()).toBe(1)
    const st = (await cli(['status', 'rv'], { dir: v.dir })).stdout
    expect(st).toContain('1/20 tokens, 1 uncertain')
    expect(st).toMatch(/^ {2}rv +\S+ +uncertain$/m)
    const dismissed = await cli(['revoke', 'rv', '--uncertain'], { dir: v.dir })
    expect(dismissed.stdout).toContain('dismissed 1 uncertain token')
    expect(await uncertain()).toBe(0)
    const removed = await cli(['accounts', 'remove', 'rv'], { dir: v.dir })
    expect(removed).toMatchObject({ code: 0, stdout: 'Removed account "rv".\n' })
  })

  it('revoke --oldest and --org act on the whole organization of L, with --json', async () => {
    const v = await vaultWith([
      { label: 'o1', org: 'org-wide' },
      { label: 'o2', org: 'org-wide' },
      { label: 'elsewhere', org: 'org-other' },
    ])
    const t1 = (await cli(['token', 'o1'], { dir: v.dir })).stdout.trim()
    const t2 = (await cli(['token', 'o2'], { dir: v.dir })).stdout.trim()
    const t3 = (await cli(['token', 'elsewhere'], { dir: v.dir })).stdout.trim()
    // L names the organization: o2's organization's oldest token is o1's.
    const oldest = await cli(['revoke', 'o2', '--oldest', '--json'], { dir: v.dir })
    expect(oldest.code).toBe(0)
    const report = JSON.parse(oldest.stdout) as { revoked: { accountId: string }[] }
    expect(report.revoked).toHaveLength(1)
    expect(JSON.stringify(report)).not.toContain(t1)
    expect(sb.tpstreams.isTokenValid(t1)).toBe(false)
    expect(sb.tpstreams.isTokenValid(t2)).toBe(true)
    const t1b = (await cli(['token', 'o1'], { dir: v.dir })).stdout.trim()
    const org = await cli(['revoke', 'o1', '--org'], { dir: v.dir })
    expect(org.code).toBe(0)
    expect(org.stdout).toMatch(/o1: Revoked 1 token\. o2: Revoked 1 token\./)
    expect([t1b, t2].map((t) => sb.tpstreams.isTokenValid(t))).toEqual([false, false])
    expect(sb.tpstreams.isTokenValid(t3)).toBe(true) // another organization is left alone
    const none = await cli(['revoke', 'o1', '--org', '--json'], { dir: v.dir })
    expect(none.code).toBe(2)
    expect(JSON.parse(none.stderr).error.code).toBe('NOT_FOUND')
    const both = await cli(['revoke', 'o1', '--org', '--oldest'], { dir: v.dir })
    expect(both.code).toBe(2)
    expect(both.stderr).toContain('not several')
  })

  it('status groups accounts by organization with cap usage; --json has no secret', async () => {
    const v = await vaultWith([
      { label: 'st-a', org: 'status-org' },
      { label: 'st-b', org: 'status-org' },
    ])
    const token = (await cli(['token', 'st-a'], { dir: v.dir })).stdout.trim()
    const s = await cli(['status'], { dir: v.dir })
    expect(s.stdout.split('\n')[0]).toBe('status-org (TPStreams)  1/20 tokens')
    expect(s.stdout).toMatch(/ {2}st-a +any@test +active +no expiry/)
    expect(s.stdout).toMatch(/ {2}st-b +any@test +no token/)
    const j = await cli(['status', '--json'], { dir: v.dir })
    const parsed = JSON.parse(j.stdout)
    expect(parsed.accounts.map((a: { label: string }) => a.label)).toEqual(['st-a', 'st-b'])
    expect(parsed.organizations[0]).toMatchObject({
      organizationId: 'status-org',
      cap: { used: 1, max: 20 },
    })
    expect(j.stdout).not.toContain(token)
    expect(j.stdout).not.toContain('any-org-secret')
  })

  it('log lists events newest first, one line each, and filters by account', async () => {
    const v = await vaultWith([{ label: 'lg1', org: 'log-org' }])
    await cli(['header', 'lg1'], { dir: v.dir })
    await cli(['header', 'lg1'], { dir: v.dir })
    const r = await cli(['log', '--limit', '2'], { dir: v.dir })
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}reuse {2}cli {2}Reused the token of "lg1"\.$/,
    )
    expect(lines[1]).toMatch(/ {2}mint {3}cli {2}Minted a token for "lg1"\.$/)
    const j = JSON.parse((await cli(['log', '--json', '--account', 'lg1'], { dir: v.dir })).stdout)
    expect(j.map((e: { type: string }) => e.type)).toEqual(['reuse', 'mint', 'account'])
  })

  it('providers list, providers add (valid and invalid file)', async () => {
    const v = await vaultWith()
    const list = await cli(['providers', 'list'], { dir: v.dir })
    expect(list.stdout).toMatch(/tpstreams +TPStreams +built-in +20 tokens per organization/)
    const file = path.join(v.dir, 'my-api.json')
    const classic = JSON.parse(fs.readFileSync('src/main/providers/builtin/classic.json', 'utf8'))
    fs.writeFileSync(file, JSON.stringify({ ...classic, id: 'my-api', name: 'My API' }))
    const add = await cli(['providers', 'add', file], { dir: v.dir })
    expect(add).toMatchObject({ code: 0, stdout: 'Imported provider "My API" (my-api), no cap.\n' })
    const after = JSON.parse((await cli(['providers', 'list', '--json'], { dir: v.dir })).stdout)
    expect(after.find((p: { id: string }) => p.id === 'my-api')).toMatchObject({ builtin: false })
    fs.writeFileSync(file, JSON.stringify({ ...classic, id: 'my-api', login: { path: 'nope' } }))
    const bad = await cli(['providers', 'add', file], { dir: v.dir })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('tokendeck: This is not a valid provider profile.\n  login.path:')
  })
})

describe('tokendeck across processes', SLOW, () => {
  it('25 parallel `header L` processes on one account cause exactly one login', async () => {
    const v = await vaultWith([{ label: 'par', org: 'parallel-org' }])
    const before = sb.tpstreams.stats.loginRequests
    const runs = await Promise.all(
      Array.from({ length: 25 }, () => cli(['header', 'par'], { dir: v.dir })),
    )
    expect(runs.map((r) => r.code)).toEqual(Array(25).fill(0))
    expect(sb.tpstreams.stats.loginRequests - before).toBe(1)
    expect(new Set(runs.map((r) => r.stdout)).size).toBe(1)
    expect(runs[0]!.stdout).toMatch(HEADER_LINE)
  })

  it('fills an organization to its cap of 20, then exits 4 without asking the server', async () => {
    const accounts = Array.from({ length: 21 }, (_, i) => ({ label: `cap-${i}`, org: 'cap-org' }))
    const v = await vaultWith(accounts)
    const before = sb.tpstreams.stats.loginRequests
    const fill = await Promise.all(
      accounts.slice(0, 20).map((a) => cli(['header', a.label], { dir: v.dir })),
    )
    expect(fill.map((r) => r.code)).toEqual(Array(20).fill(0))
    expect(sb.tpstreams.stats.loginRequests - before).toBe(20)
    const over = await cli(['header', 'cap-20'], { dir: v.dir })
    expect(over.code).toBe(4)
    expect(over.stderr).toContain('has 20 of 20 tokens in use')
    expect(sb.tpstreams.stats.loginRequests - before).toBe(20)
    const j = await cli(['header', 'cap-20', '--json'], { dir: v.dir })
    expect(j.stdout).toBe('')
    expect(JSON.parse(j.stderr).error.code).toBe('TOKEN_CAP_REACHED')
  })

  it('`sandbox --json` prints its URLs, serves logins, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'sandbox', '--json'], { env: { HOME } })
    const exited = new Promise<[number | null, string | null]>((r) =>
      child.on('exit', (code, signal) => r([code, signal])),
    )
    const line = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (out.includes('\n')) resolve(out.split('\n')[0]!)
      })
      child.on('exit', () => reject(new Error(`sandbox exited early: ${out}`)))
    })
    const info = JSON.parse(line)
    expect(info.users.tpstreams[0].username).toBe(TP.username)
    const v = await newVault()
    const added = await v.accounts.add({
      label: 'child',
      providerId: 'classic',
      baseUrl: info.classic,
      fields: { username: CL.username, password: CL.secret },
      remember: true,
    })
    expect(added.ok).toBe(true)
    const h = await cli(['header', 'child'], { dir: v.dir })
    expect(h.code).toBe(0)
    const me = await fetch(`${info.classic}/api/me`, {
      headers: { Authorization: h.stdout.trim().slice('Authorization: '.length) },
    })
    expect(me.status).toBe(200)
    child.kill('SIGTERM')
    expect(await exited).toEqual([0, null])
  })
})
