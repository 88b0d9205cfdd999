// `tokendeck setup-git` with the real git (issue 19): one command and `git credential fill` gets
// the account's token, which the sandbox accepts, even where a helper git inherited (a store
// holding a stale password) answered before, and that helper no longer stores the token; running it twice leaves the same two lines and one
// route; a second account on the same server gets a path route and useHttpPath, and each path
// gets its own account's token; it refuses to take a route from another account; --local
// configures only this repository; through the agent, with `tokendeck` on PATH, git runs
// `tokendeck` by name.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, addTpstreamsAccount, runCli, cheapVault } from '../helpers/cli'
import { TEST_PASSPHRASE, tempDir } from '../helpers/vault'

const tp = DEMO_USERS.tpstreams[0]!
let sb: SandboxSet
let dir = ''
let base = ''
let host = ''
beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  base = sb.tpstreams.baseUrl
  host = new URL(base).host
  dir = path.join(tempDir(), 'vault')
  await cheapVault(dir)
  for (const [label, org] of [
    ['acme', 'acme'],
    ['globex', 'globex'],
  ] as const) {
    const r = await addTpstreamsAccount(dir, { baseUrl: base, label, org, ...user() })
    expect(r.code).toBe(0)
  }
}, 60_000)
afterAll(async () => {
  await sb.close()
})

function user() {
  return { username: tp.username, secret: tp.secret }
}

const NO_PASS = { TOKENDECK_PASSPHRASE: undefined }

/** The real git, in `home` (its global config there), from `cwd`; TokenDeck's vault unnamed. */
function git(
  args: string[],
  o: { home: string; cwd?: string; input?: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('git', args, {
      cwd: o.cwd ?? o.home,
      env: {
        PATH: process.env.PATH,
        HOME: o.home,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_TERMINAL_PROMPT: '0',
        TOKENDECK_PASSPHRASE: TEST_PASSPHRASE,
        ...o.env,
      },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    // A child that exits without reading its stdin (git config) must not fail the run (EPIPE).
    child.stdin.on('error', () => {})
    child.stdin.end(o.input ?? '')
  })
}

/** `git credential fill` for the sandbox's server (and `p`, a path); the password it got. */
async function fill(o: { home: string; cwd?: string; env?: NodeJS.ProcessEnv }, p?: string) {
  const input = `protocol=http\nhost=${host}\n${p ? `path=${p}\n` : ''}\n`
  const r = await git(['credential', 'fill'], { ...o, input })
  return /^password=(.*)$/m.exec(r.stdout)?.[1] ?? null
}

async function accepted(token: string, org: string): Promise<number> {
  const res = await fetch(`${base}/api/v1/${org}/assets/`, {
    headers: { Authorization: `Token ${token}` },
  })
  return res.status
}

const setupGit = (
  args: string[],
  home: string,
  o: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) => runCli(['setup-git', ...args], dir, { home, ...o })

describe('tokendeck setup-git', { timeout: 120_000 }, () => {
  it('one command, and git gets the token the server accepts; run twice, nothing more', async () => {
    const home = tempDir('td-git-home-')
    // A helper git would inherit, holding a stale password for this very server.
    fs.writeFileSync(path.join(home, '.gitconfig'), '[credential]\n\thelper = store\n')
    fs.writeFileSync(path.join(home, '.git-credentials'), `http://someone:stale-password@${host}\n`)
    expect(await fill({ home })).toBe('stale-password')

    const r = await setupGit(['acme'], home)
    expect(r).toMatchObject({ code: 0, stderr: '' })
    const origin = `http://${host}`
    expect(r.stdout).toContain(`git (global): credential.${origin}.helper = !`)
    expect(r.stdout).toContain(`credential.${origin}.useHttpPath = true`) // globex shares it
    expect(r.stdout).toContain(`route: ${origin} -> acme`)
    // git runs the helper without TOKENDECK_VAULT: the vault is named in the helper line.
    const token = await fill({ home })
    expect(token).toMatch(/^[0-9a-f]{40}$/)
    expect(await accepted(token!, 'acme')).toBe(200)
    // After a request that worked, git tells every helper to store the credential: the
    // inherited `store` would write the token to ~/.git-credentials in plain text. Cut off.
    const approve = await git(['credential', 'approve'], {
      home,
      input: `protocol=http\nhost=${host}\nusername=tokendeck\npassword=${token}\n\n`,
    })
    expect(approve.code).toBe(0)
    expect(fs.readFileSync(path.join(home, '.git-credentials'), 'utf8')).not.toContain(token)

    const config = fs.readFileSync(path.join(home, '.gitconfig'), 'utf8')
    expect((await setupGit(['acme'], home)).code).toBe(0)
    expect(fs.readFileSync(path.join(home, '.gitconfig'), 'utf8')).toBe(config)
    const helpers = await git(['config', '--global', '--get-all', `credential.${origin}.helper`], {
      home,
    })
    expect(helpers.stdout.split('\n').filter((l, i, all) => i < all.length - 1)).toEqual([
      '',
      expect.stringMatching(/^!.* git-credential --vault '.*'$/),
    ])
    const routes = JSON.parse((await runCli(['route', 'list', '--json'], dir)).stdout) as unknown[]
    expect(routes).toEqual([expect.objectContaining({ prefix: origin, label: 'acme' })])
    // Another account on the same server: not by taking acme's route, nothing changed.
    const taken = await setupGit(['globex'], home)
    expect(taken.code).toBe(2)
    expect(taken.stderr).toMatch(/already uses "acme" \(a route\); nothing was changed/)
    expect(fs.readFileSync(path.join(home, '.gitconfig'), 'utf8')).toBe(config)
    // But for its own path: each path gets its own account's token.
    const own = await setupGit([`${base}/api/v1/globex`, 'globex'], home)
    expect(own.code).toBe(0)
    const g = await fill({ home }, 'api/v1/globex/repo.git')
    const a = await fill({ home }, 'api/v1/acme/repo.git')
    expect(a).toBe(token)
    expect(g).toMatch(/^[0-9a-f]{40}$/)
    expect(g).not.toBe(token)
    expect(await accepted(g!, 'globex')).toBe(200)
  })

  it('--local configures this repository only; outside a repository it changes nothing', async () => {
    const home = tempDir('td-git-home-')
    const repo = tempDir('td-repo-')
    expect(
      spawnSync('git', ['init', '-q', repo], { env: { ...process.env, HOME: home } }).status,
    ).toBe(0)
    const r = await setupGit(['acme', '--local'], home, { cwd: repo })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('git (this repository): credential.')
    expect(fs.readFileSync(path.join(repo, '.git', 'config'), 'utf8')).toContain('git-credential')
    expect(fs.existsSync(path.join(home, '.gitconfig'))).toBe(false)
    expect(await fill({ home, cwd: repo })).toMatch(/^[0-9a-f]{40}$/)
    expect(await fill({ home })).toBeNull()
    const routesBefore = (await runCli(['route', 'list', '--json'], dir)).stdout
    const outside = await setupGit([`${base}/api/v1/elsewhere`, 'acme', '--local'], home, {
      cwd: tempDir(),
    })
    expect(outside.code).toBe(2)
    expect(outside.stderr).toMatch(/not in a git repository; nothing was changed/)
    expect((await runCli(['route', 'list', '--json'], dir)).stdout).toBe(routesBefore)
  })

  it('through the agent, no passphrase; with tokendeck on PATH, git runs it by name', async () => {
    const home = tempDir('td-git-home-')
    const bin = tempDir('td-bin-')
    fs.symlinkSync(path.resolve('bin/tokendeck.mjs'), path.join(bin, 'tokendeck'))
    const PATH = [bin, path.dirname(process.execPath), process.env.PATH].join(path.delimiter)
    expect((await runCli(['agent', 'start'], dir)).code).toBe(0)
    try {
      const r = await setupGit([`${base}/api/v1/acme`, 'acme'], home, {
        env: { ...NO_PASS, PATH },
      })
      expect(r).toMatchObject({ code: 0, stderr: '' })
      expect(r.stdout).toContain(`.helper = !tokendeck git-credential --vault '${dir}'`)
      expect(r.stdout).toContain(`route: ${base}/api/v1/acme -> acme`)
      const token = await fill({ home, env: { ...NO_PASS, PATH } }, 'api/v1/acme/repo.git')
      expect(token).toMatch(/^[0-9a-f]{40}$/)
      expect(await accepted(token!, 'acme')).toBe(200)
      // The route was added by the agent, in the name of the command that asked.
      const log = await runCli(['log', '--type', 'account', '--limit', '1'], dir, { env: NO_PASS })
      expect(log.stdout).toMatch(
        /Route .*\/api\/v1\/acme -> "acme"\. Asked by "tokendeck setup-git" \(pid \d+\)\./,
      )
    } finally {
      await runCli(['agent', 'stop'], dir, { env: NO_PASS })
    }
  })
})
