// `tokendeck curl` with the real curl against the sandbox: the protected endpoint answers 200
// with the header TokenDeck hands over, while a shim `curl` first on PATH records curl's argv and
// environment and neither holds the token; curl's exit code comes back; `-v` shows the header
// masked; options that would read stdin are refused; the header's config line is quoted right.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { curlArgs, curlHeaderConfig } from '../../src/main/cli/commands-curl'
import { curlGroups } from '../../src/main/cli/curl-args'
import { startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, runCli, vaultWithTwoAccounts } from '../helpers/cli'
import { tempDir } from '../helpers/vault'

const REAL_CURL = ['/usr/bin/curl', '/bin/curl', '/usr/local/bin/curl'].find((p) =>
  fs.existsSync(p),
)
let sb: SandboxSet
let dir = ''
let shimDir = ''
let record = ''

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  dir = await vaultWithTwoAccounts(sb)
  // The shim: records its arguments (NUL-separated) and environment, then runs the real curl.
  shimDir = tempDir('tokendeck-curl-shim-')
  record = path.join(shimDir, 'record')
  fs.writeFileSync(
    path.join(shimDir, 'curl'),
    `#!/bin/sh\nprintf '%s\\0' "$@" > "${record}.argv"\nenv > "${record}.env"\nexec ${REAL_CURL ?? 'curl'} "$@"\n`,
    { mode: 0o755 },
  )
}, 60_000)
afterAll(async () => {
  await sb.close()
})

const viaShim = (args: string[], input?: string) =>
  runCli(['curl', ...args], dir, {
    env: { PATH: `${shimDir}:${process.env.PATH}` },
    ...(input !== undefined ? { input } : {}),
  })

describe('tokendeck curl with the real curl', { timeout: 60_000 }, () => {
  it('the sandbox answers 200; the token is in neither curl argv nor its environment', async (ctx) => {
    if (!REAL_CURL) ctx.skip('curl is not installed')
    const url = `${sb.tpstreams.baseUrl}/api/v1/acme/assets/`
    const r = await viaShim(['acme-prod', '--', '-sS', '-w', '\n%{http_code}', url])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/"results":\[.*\]\}\n200$/s)
    const token = (await runCli(['token', 'acme-prod'], dir)).stdout.trim()
    expect(token).toMatch(/^[0-9a-f]{40}$/)
    const argv = fs.readFileSync(`${record}.argv`, 'utf8').split('\0').slice(0, -1)
    expect(argv).toEqual(['-q', '--config', '-', '-sS', '-w', '\n%{http_code}', url])
    expect(argv.join(' ')).not.toContain(token)
    const env = fs.readFileSync(`${record}.env`, 'utf8')
    expect(env).not.toContain(token)
    expect(env).not.toContain('TOKENDECK_PASSPHRASE')
    // The same request without TokenDeck is refused: the header really came from it. (Not
    // spawnSync: the sandbox runs in this process and must answer.)
    const bare = await new Promise<string>((resolve) => {
      let out = ''
      const child = spawn(REAL_CURL!, ['-s', '-o', '/dev/null', '-w', '%{http_code}', url])
      child.stdout.on('data', (d: Buffer) => (out += d.toString()))
      child.on('close', () => resolve(out))
    })
    expect(bare).toBe('401')
  })

  it("returns curl's exit code, masks -v, and keeps -q first", async (ctx) => {
    if (!REAL_CURL) ctx.skip('curl is not installed')
    const refused = await viaShim(['xpay-dev', '--any-host', '--', '-s', 'http://127.0.0.1:1/'])
    expect(refused.code).toBe(7) // curl: failed to connect
    const fail = await viaShim(['xpay-dev', '--', '-sf', `${sb.xpay.baseUrl}/nowhere`])
    expect(fail.code).toBe(22) // curl -f: HTTP error
    const verbose = await viaShim([
      'xpay-dev',
      '--',
      '-q',
      '-sv',
      `${sb.xpay.baseUrl}/client/profile`,
    ])
    expect(verbose.code).toBe(0)
    expect(verbose.stdout).toContain('"username":"dev@acme.test"')
    expect(verbose.stderr).toMatch(/^> Authorization: <concealed by tokendeck>\r?$/m)
    const token = (await runCli(['token', 'xpay-dev'], dir)).stdout.trim()
    expect(verbose.stderr).not.toContain(token)
    const argv = fs.readFileSync(`${record}.argv`, 'utf8').split('\0')
    expect(argv.slice(0, 3)).toEqual(['-q', '--config', '-'])
  })

  it('refuses options that would read stdin, and needs --', async () => {
    for (const args of [
      ['-d', '@-'],
      ['-sd@-'],
      ['--data-binary', '@-'],
      ['-T', '-'],
      ['--config', '-'],
      ['-K', '-'],
      ['-F', 'file=@-;type=text/plain'],
      ['-H', '@-'],
    ]) {
      const r = await viaShim(['acme-prod', '--', ...args, 'https://example.com/'])
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/curl's stdin carries the header, so -[-\w]+ cannot read it/)
    }
    const noDashes = await runCli(['curl', 'acme-prod', 'https://example.com/'], dir)
    expect(noDashes.code).toBe(2)
    expect(noDashes.stderr).toMatch(/the -- is needed/)
  })
})

describe('curl arguments and config', () => {
  it('finds every stdin reader, bundled or not, and nothing else', () => {
    const reader = (args: string[]) => {
      const r = curlGroups(args, { anyHost: true, headerName: 'Authorization' })
      return r.ok ? null : /so (\S+) cannot read it/.exec(r.message)?.[1]
    }
    expect(reader(['-d', '@-'])).toBe('-d')
    expect(reader(['-sSd@-'])).toBe('-d')
    expect(reader(['--data-urlencode', 'name@-'])).toBe('--data-urlencode')
    expect(reader(['-F', 'a=<-'])).toBe('-F')
    expect(reader(['-T', '.'])).toBe('-T')
    expect(reader(['-b', '-'])).toBe('-b')
    expect(reader(['-w', '@-'])).toBe('-w')
    expect(reader(['--json=@-'])).toBe('--json')
    expect(reader(['-d', '@body.json', '-T', 'file', '-o', '-', '-H', 'X-A: @-x'])).toBeNull()
    // -o takes the rest of the bundle as its value: "d@-" is a file name there.
    expect(reader(['-od@-'])).toBeNull()
    expect(reader(['-D', '-', '--trace-ascii', '%', 'https://x/'])).toBeNull()
  })

  it('quotes the header for curl config syntax and refuses control characters', () => {
    expect(curlHeaderConfig('Authorization', 'Token ab"c\\d')).toEqual({
      ok: true,
      value: 'header = "Authorization: Token ab\\"c\\\\d"\n',
    })
    expect(curlHeaderConfig('Authorization', 'Token a\nb').ok).toBe(false)
    expect(curlHeaderConfig('Bad Name', 'x').ok).toBe(false)
    // -q (no .curlrc) is always first, where curl honours it; a user's own -q is that one.
    expect(curlArgs(['--disable', '-s'])).toEqual(['-q', '--config', '-', '-s'])
    expect(curlArgs(['-s', '-q'])).toEqual(['-q', '--config', '-', '-s', '-q'])
  })

  it('curl sends a quoted header exactly as it was', async (ctx) => {
    if (!REAL_CURL) ctx.skip('curl is not installed')
    const value = "Token a\"b\\c 'd' #e"
    const config = curlHeaderConfig('X-Test', value)
    if (!config.ok) throw new Error('no config')
    let got: string | undefined
    const server = http.createServer((req, res) => {
      got = req.headers['x-test'] as string
      res.end('ok')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const port = (server.address() as AddressInfo).port
      const r = await new Promise<number | null>((resolve) => {
        const child = spawn(REAL_CURL!, ['--config', '-', '-s', `http://127.0.0.1:${port}/`])
        child.on('close', resolve)
        child.stdin.end(config.value)
      })
      expect(r).toBe(0)
      expect(got).toBe(value)
    } finally {
      server.close()
    }
  })
})
