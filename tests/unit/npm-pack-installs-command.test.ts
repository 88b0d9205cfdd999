// The package installs as a command: `npm pack` of a fresh clone (its prepack builds the CLI),
// then `npm install -g` of that tarball into a temporary prefix, offline and with an empty npm
// cache (the runtime dependencies travel in the tarball), gives a `tokendeck` that works from a
// folder outside the repository with nothing but what it installed: --version, and a real header
// from the installed command's own sandbox, which that sandbox then accepts.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshClone, runtimePackages } from '../helpers/fresh-clone'

const posix = process.platform !== 'win32'
const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string }

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function run(
  cmd: string,
  args: string[],
  o: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(o.input ?? '')
  })
}

const temp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix))
const made: string[] = []
let tarball = ''
let prefix = ''
let tokendeck = ''
let outside = ''
/** What a user's shell has: the prefix's bin and node, nothing from this repository. */
let env: NodeJS.ProcessEnv = {}

beforeAll(async () => {
  if (!posix) return
  const clone = freshClone({ copy: runtimePackages() })
  const packs = temp('tokendeck-pack-')
  prefix = temp('tokendeck-prefix-')
  outside = temp('tokendeck-elsewhere-')
  const cache = temp('tokendeck-npm-cache-')
  made.push(clone, packs, prefix, outside, cache)
  const npmEnv = {
    PATH: process.env.PATH,
    HOME: outside,
    npm_config_cache: cache,
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  }
  const packed = await run('npm', ['pack', '--pack-destination', packs], {
    cwd: clone,
    env: npmEnv,
  })
  expect(packed.code, packed.stderr).toBe(0)
  tarball = path.join(packs, `tokendeck-${version}.tgz`)
  // --offline with an empty cache: nothing may come from a registry.
  const installed = await run('npm', ['install', '-g', '--prefix', prefix, '--offline', tarball], {
    cwd: outside,
    env: npmEnv,
  })
  expect(installed.code, installed.stderr).toBe(0)
  tokendeck = path.join(prefix, 'bin', 'tokendeck')
  env = {
    PATH: `${path.join(prefix, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: outside,
  }
}, 180_000)

afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true })
})

describe.runIf(posix)('npm pack, then npm install -g of the tarball', () => {
  it('ships the built CLI and its runtime dependencies; no sources, tests, renderer or dev tools', async () => {
    const list = await run('tar', ['-tzf', tarball], { cwd: outside, env })
    const files = list.stdout.split('\n').filter(Boolean)
    expect(files).toContain('package/bin/tokendeck.mjs')
    expect(files).toContain('package/out/main/cli.js')
    for (const f of files) {
      expect(f).not.toMatch(/^package\/(src|tests|docs|bench|build|out\/renderer|out\/preload)\//)
      expect(f).not.toBe('package/out/main/index.js') // the Electron main process
    }
    const installed = fs
      .readdirSync(path.join(prefix, 'lib/node_modules/tokendeck/node_modules'))
      .filter((name) => !name.startsWith('.'))
    expect(installed.sort()).toEqual(runtimePackages().sort())
    for (const dev of ['electron', 'vite', 'react', 'typescript', 'vitest']) {
      expect(installed).not.toContain(dev)
    }
  })

  it('`tokendeck --version` from a folder outside the repository', async () => {
    expect(fs.realpathSync(outside).startsWith(fs.realpathSync(process.cwd()))).toBe(false)
    const r = await run('tokendeck', ['--version'], { cwd: outside, env })
    expect(r).toEqual({ code: 0, stdout: `tokendeck ${version}\n`, stderr: '' })
    expect(fs.realpathSync(tokendeck)).toBe(
      path.join(fs.realpathSync(prefix), 'lib/node_modules/tokendeck/bin/tokendeck.mjs'),
    )
  })

  it('a real header from its own sandbox, which the sandbox accepts', async () => {
    let sandbox: ChildProcess | null = null
    try {
      sandbox = spawn(tokendeck, ['sandbox', '--json'], { cwd: outside, env })
      type Printed = {
        tpstreams: string
        users: { tpstreams: { username: string; secret: string; organizations?: string[] }[] }
      }
      const urls = await new Promise<Printed>((resolve, reject) => {
        let out = ''
        sandbox!.stdout!.setEncoding('utf8').on('data', (d: string) => {
          out += d
          if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!))
        })
        sandbox!.on('exit', (code) => reject(new Error(`sandbox exited (${code})`)))
      })
      const demo = urls.users.tpstreams[0]!
      const org = demo.organizations![0]!
      const vault = path.join(temp('tokendeck-vault-'), 'vault')
      made.push(path.dirname(vault))
      const user = {
        ...env,
        TOKENDECK_VAULT: vault,
        TOKENDECK_PASSPHRASE: 'a long demo passphrase',
      }
      const init = await run('tokendeck', ['init'], { cwd: outside, env: user })
      expect(init.code, init.stderr).toBe(0)
      const add = await run(
        'tokendeck',
        [
          'accounts',
          'add',
          '--provider',
          'tpstreams',
          '--base-url',
          urls.tpstreams,
          '--label',
          'acme-dev',
          '--username',
          demo.username,
          '--org',
          org,
          '--remember',
          '--secret-stdin',
        ],
        { cwd: outside, env: user, input: `${demo.secret}\n` },
      )
      expect(add.code, add.stderr).toBe(0)
      const header = await run('tokendeck', ['header', 'acme-dev'], { cwd: outside, env: user })
      expect(header.code, header.stderr).toBe(0)
      expect(header.stdout).toMatch(/^Authorization: Token [0-9a-f]{40}\n$/)
      const value = header.stdout.trim().slice('Authorization: '.length)
      const res = await fetch(`${urls.tpstreams}/api/v1/${org}/assets/`, {
        headers: { Authorization: value },
      })
      expect(res.status).toBe(200)
    } finally {
      if (sandbox && sandbox.exitCode === null) {
        const exited = new Promise((r) => sandbox!.once('exit', r))
        sandbox.kill('SIGINT')
        await exited
      }
    }
  })
})
