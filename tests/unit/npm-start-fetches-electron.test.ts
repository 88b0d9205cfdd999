// `npm install && npm start` on a fresh clone: the start fetches Electron's binary through
// Electron's own installer first (honouring ELECTRON_MIRROR, its cache and
// ELECTRON_SKIP_BINARY_DOWNLOAD), and when that cannot work says why and what to do in one line
// instead of electron-vite's "Error: Electron uninstall" stack trace. Each test runs the real
// `npm start` (or `npm run demo`) in a fresh-clone copy against a mirror on 127.0.0.1 that serves
// a stand-in Electron release: a shell script that records how it was started.
import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { electronRelease, freshClone } from '../helpers/fresh-clone'
import { freePort } from '../helpers/free-port'
import { makeZip } from '../helpers/zip'

const { version, file } = electronRelease()
const RELEASE = `/v${version}/${file}`
const posix = process.platform !== 'win32'

/** A stand-in Electron release: `electron` records its arguments and folder, then exits 0. */
const STANDIN = makeZip([
  {
    name: 'electron',
    data: '#!/bin/sh\nprintf "%s\\n" "args: $*" "cwd: $(pwd)" > "$STANDIN_LOG"\n',
    mode: 0o755,
  },
  { name: 'version', data: version },
])

interface Mirror {
  url: string
  requests: string[]
  close(): Promise<void>
}

/** A release mirror on 127.0.0.1 serving `zip` (and its SHASUMS256.txt) for this machine. */
async function startMirror(zip: Buffer | null): Promise<Mirror> {
  const requests: string[] = []
  const sums = `${crypto
    .createHash('sha256')
    .update(zip ?? '')
    .digest('hex')} *${file}\n`
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '')
    if (zip && req.url === RELEASE) return void res.end(zip)
    if (zip && req.url === `/v${version}/SHASUMS256.txt`) return void res.end(sums)
    res.writeHead(404).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c()
})

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * `npm <args>` in `cwd` with a clean environment: a temp HOME and Electron cache (nothing cached
 * is used), none of this machine's ELECTRON_* settings, plus `env`.
 */
function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-npm-home-'))
  cleanup.push(() => fs.rmSync(home, { recursive: true, force: true }))
  const full: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CACHE_HOME: path.join(home, '.cache'),
    electron_config_cache: path.join(home, 'electron-cache'),
    // npm's own "new version available" notice would be a second line on stderr.
    npm_config_update_notifier: 'false',
    ...env,
  }
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd, env: full, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

function clone(): string {
  const dir = freshClone()
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

const installed = (dir: string) => fs.existsSync(path.join(dir, 'node_modules/electron/path.txt'))

describe('npm start on a fresh clone', () => {
  it.runIf(posix)(
    'asks ELECTRON_MIRROR for this machine’s release, installs it, then starts it; once',
    async () => {
      const dir = clone()
      const mirror = await startMirror(STANDIN)
      cleanup.push(() => mirror.close())
      const log = path.join(dir, 'standin.log')
      const env = {
        ELECTRON_MIRROR: mirror.url,
        // The stand-in is not Electron's published file: check it against the mirror's sums.
        electron_use_remote_checksums: '1',
        STANDIN_LOG: log,
      }
      const first = await npm(['start'], dir, env)
      expect(first.stderr).not.toContain('Electron uninstall')
      expect(first.code, first.stderr).toBe(0)
      expect(mirror.requests).toEqual([RELEASE, `/v${version}/SHASUMS256.txt`])
      expect(fs.readFileSync(path.join(dir, 'node_modules/electron/path.txt'), 'utf8')).toBe(
        'electron',
      )
      // electron-vite built the app and ran the installed binary on it.
      expect(fs.readFileSync(log, 'utf8')).toBe(`args: .\ncwd: ${fs.realpathSync(dir)}\n`)
      expect(fs.existsSync(path.join(dir, 'out/main/index.js'))).toBe(true)

      fs.rmSync(log)
      const second = await npm(['start'], dir, env)
      expect(second.code, second.stderr).toBe(0)
      expect(mirror.requests).toHaveLength(2) // nothing downloaded again
      expect(fs.readFileSync(log, 'utf8')).toContain('args: .')
    },
  )

  it('with nothing listening at ELECTRON_MIRROR: one line on stderr, why and what to do', async () => {
    const dir = clone()
    const port = await freePort()
    const r = await npm(['start'], dir, { ELECTRON_MIRROR: `http://127.0.0.1:${port}/` })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toBe(
      `Could not download Electron ${version}: 127.0.0.1:${port} could not be reached (the ` +
        'connection was refused). To fix: check ELECTRON_MIRROR (and ELECTRON_CUSTOM_DIR), then ' +
        'run `npm start` again.\n',
    )
    expect(r.stdout).not.toMatch(/Error|\n\s+at /)
    expect(installed(dir)).toBe(false)
  })

  it('ELECTRON_SKIP_BINARY_DOWNLOAD set: nothing is asked for, one line says to unset it', async () => {
    const dir = clone()
    const mirror = await startMirror(STANDIN)
    cleanup.push(() => mirror.close())
    const r = await npm(['run', 'demo'], dir, {
      ELECTRON_MIRROR: mirror.url,
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
    })
    expect(r.code).not.toBe(0)
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(
      /ELECTRON_SKIP_BINARY_DOWNLOAD is set.*unset ELECTRON_SKIP_BINARY_DOWNLOAD and run `npm run demo` again/,
    )
    expect(r.stderr).toContain('node node_modules/electron/install.js')
    expect(mirror.requests).toEqual([])
  })

  it('a mirror that answers 404: one line naming the status and the file', async () => {
    const dir = clone()
    const mirror = await startMirror(null)
    cleanup.push(() => mirror.close())
    const r = await npm(['start'], dir, { ELECTRON_MIRROR: mirror.url })
    expect(r.code).not.toBe(0)
    expect(mirror.requests).toEqual([RELEASE])
    expect(r.stderr).toBe(
      `Could not download Electron ${version}: ${new URL(mirror.url).host} answered 404 Not ` +
        `Found for ${file}. To fix: check ELECTRON_MIRROR (and ELECTRON_CUSTOM_DIR), then run ` +
        '`npm start` again.\n',
    )
  })

  it('a mirror serving another file than Electron published: nothing is installed or run', async () => {
    const dir = clone()
    // Without electron_use_remote_checksums the installer checks Electron's own checksums.json,
    // which the stand-in (an attacker's binary, as far as it knows) cannot match.
    const mirror = await startMirror(STANDIN)
    cleanup.push(() => mirror.close())
    const log = path.join(dir, 'standin.log')
    const r = await npm(['start'], dir, { ELECTRON_MIRROR: mirror.url, STANDIN_LOG: log })
    expect(r.code).not.toBe(0)
    expect(mirror.requests).toEqual([RELEASE])
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(
      /does not match Electron's published checksum, so nothing was installed/,
    )
    expect(installed(dir)).toBe(false)
    expect(fs.existsSync(path.join(dir, 'node_modules/electron/dist/electron'))).toBe(false)
    expect(fs.existsSync(log)).toBe(false)
  })
})

describe('explainFailure (build/electron-binary.mjs)', () => {
  type Explain = (o: {
    stderr: string
    reports: object[]
    version: string
    env: Record<string, string>
  }) => string
  const script = pathToFileURL(path.resolve('build/electron-binary.mjs')).href
  const load = async () => (await import(script)) as { explainFailure: Explain }

  it('names a full disk and a folder it may not write, never with a stack trace', async () => {
    const { explainFailure } = await load()
    const env = { npm_lifecycle_event: 'start' }
    const full = explainFailure({
      stderr: 'Error: ENOSPC: no space left on device, write\n    at async WriteStream._write (x)',
      reports: [{ url: 'https://github.com/x.zip', status: 200 }],
      version: '45.4.1',
      env,
    })
    expect(full).toMatch(
      /^Could not install Electron 45\.4\.1: no space left on the disk\. .*`npm start` again\.$/,
    )
    const denied = explainFailure({
      stderr:
        "Error: EACCES: permission denied, mkdir '/repo/node_modules/electron/dist'\n    at x",
      reports: [],
      version: '45.4.1',
      env,
    })
    expect(denied).toContain('/repo/node_modules/electron/dist may not be written (EACCES)')
    const other = explainFailure({
      stderr: 'Error\n    at new Thing (x.js:1:1)',
      reports: [],
      version: '45.4.1',
      env,
    })
    expect(other).toBe(
      "Electron's installer failed. To see its whole output, run: node node_modules/electron/install.js",
    )
    for (const line of [full, denied, other]) expect(line).not.toMatch(/\n|\bat /)
  })

  it('never repeats a user name or password from the mirror address', async () => {
    const { explainFailure } = await load()
    const line = explainFailure({
      stderr: 'TypeError: fetch failed',
      reports: [{ url: 'https://alice:s3cret@mirror.example/v45/x.zip', code: 'ENOTFOUND' }],
      version: '45.4.1',
      env: { ELECTRON_MIRROR: 'https://alice:s3cret@mirror.example/' },
    })
    expect(line).toContain(
      'mirror.example could not be reached (its name did not resolve: offline?)',
    )
    expect(line).not.toMatch(/alice|s3cret/)
  })
})

describe.runIf(posix)('sandboxProblem (build/electron-binary.mjs)', () => {
  const script = pathToFileURL(path.resolve('build/electron-binary.mjs')).href
  type Check = (dir: string, platform: string, proc: string) => string | null

  it('names chrome-sandbox where user namespaces are restricted and it is not setuid root', async () => {
    const { sandboxProblem } = (await import(script)) as { sandboxProblem: Check }
    const electron = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-electron-'))
    const proc = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-proc-'))
    cleanup.push(() => fs.rmSync(electron, { recursive: true, force: true }))
    cleanup.push(() => fs.rmSync(proc, { recursive: true, force: true }))
    const helper = path.join(electron, 'dist', 'chrome-sandbox')
    expect(sandboxProblem(electron, 'linux', proc)).toBeNull() // no helper: nothing to say
    fs.mkdirSync(path.dirname(helper))
    fs.writeFileSync(helper, '', { mode: 0o755 })
    expect(sandboxProblem(electron, 'linux', proc)).toBeNull() // namespaces not restricted
    fs.writeFileSync(path.join(proc, 'apparmor_restrict_unprivileged_userns'), '1\n')
    expect(sandboxProblem(electron, 'linux', proc)).toBe(helper)
    expect(sandboxProblem(electron, 'darwin', proc)).toBeNull()
    fs.writeFileSync(path.join(proc, 'apparmor_restrict_unprivileged_userns'), '0\n')
    fs.writeFileSync(path.join(proc, 'unprivileged_userns_clone'), '0\n') // Debian's switch
    expect(sandboxProblem(electron, 'linux', proc)).toBe(helper)
    if (process.getuid?.() === 0) {
      fs.chmodSync(helper, 0o4755) // owned by root (this test runs as root): set up
      expect(sandboxProblem(electron, 'linux', proc)).toBeNull()
    }
  })
})
