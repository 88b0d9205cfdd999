// `tokendeck curl L` sends L's header only to L's server (attacker 3 and 5: a script or AI agent
// that may run `tokendeck curl`, an echoing server elsewhere, a hostile ~/.curlrc or proxy
// variable). Every URL curl would request must be below L's base URL; options that route the
// request elsewhere, read stdin, turn off TLS checks or write the header unmasked are refused
// before a token is asked for; `--any-host` lets URLs and routes through. With the real curl
// behind a recording shim, the sandbox, and a recording "other server" on another port.
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { curlGroups, urlOutside } from '../../src/main/cli/curl-args'
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
/** The other server: records what reaches it (through a proxy too: absolute request targets). */
let other: { url: string; port: number; seen: { target: string; auth: string }[] }
let otherServer: http.Server
let assets = ''

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  dir = await vaultWithTwoAccounts(sb)
  assets = `${sb.tpstreams.baseUrl}/api/v1/acme/assets/`
  shimDir = tempDir('tokendeck-curl-shim-')
  record = path.join(shimDir, 'record')
  fs.writeFileSync(
    path.join(shimDir, 'curl'),
    `#!/bin/sh\nprintf '%s\\0' "$@" > "${record}.argv"\nexec ${REAL_CURL ?? 'curl'} "$@"\n`,
    { mode: 0o755 },
  )
  const seen: { target: string; auth: string }[] = []
  otherServer = http.createServer((req, res) => {
    seen.push({ target: req.url ?? '', auth: req.headers.authorization ?? '' })
    res.end('{"echo": true}')
  })
  await new Promise<void>((resolve) => otherServer.listen(0, '127.0.0.1', resolve))
  const port = (otherServer.address() as AddressInfo).port
  other = { url: `http://127.0.0.1:${port}`, port, seen }
}, 60_000)
afterAll(async () => {
  otherServer.closeAllConnections()
  await new Promise<void>((resolve) => otherServer.close(() => resolve()))
  await sb.close()
})
beforeEach(() => {
  other.seen.length = 0
  fs.rmSync(`${record}.argv`, { force: true })
})

const curl = (args: string[], o: { env?: NodeJS.ProcessEnv; home?: string } = {}) =>
  runCli(['curl', ...args], dir, {
    ...(o.home ? { home: o.home } : {}),
    env: { PATH: `${shimDir}:${process.env.PATH}`, ...o.env },
  })

/** The newest event in the log: a token asked for (minted or reused) would be a newer one. */
async function newestEvent(): Promise<string> {
  const r = await runCli(['log', '--limit', '1', '--json'], dir)
  return r.stdout
}

describe('tokendeck curl: only to the account server (real curl)', { timeout: 60_000 }, () => {
  it('a URL or route to another server is refused before a token is asked for', async (ctx) => {
    if (!REAL_CURL) ctx.skip('curl is not installed')
    const o = other.url
    const refused: string[][] = [
      [`${o}/api/v1/acme/assets/`],
      ['--url', `${o}/x`],
      [`--url=${o}/x`],
      ['-s', assets, '--next', `${o}/x`],
      ['-s', assets, '--connect-to', `::127.0.0.1:${other.port}`],
      ['-s', assets, '--resolve', `127.0.0.1:${other.port}:127.0.0.1`],
      ['-s', '-x', o, assets],
      ['-s', '--proxy', o, assets],
      ['-s', '--socks5-hostname', `127.0.0.1:${other.port}`, assets],
      ['-s', '-H', 'Host: evil.test', assets],
      ['-s', assets.replace('127.0.0.1', '127.1')],
      ['-s', `http://127.0.0.1:${other.port}@${assets.slice('http://'.length)}`],
      ['-s', `${sb.tpstreams.baseUrl}/api/v1/{acme,globex}/assets/`],
      ['-s', `${sb.tpstreams.baseUrl}:${other.port}/`],
      ['-s', assets.replace('http://', '')],
      ['-s', '--resol', `127.0.0.1:${other.port}:127.0.0.1`, assets],
    ]
    const before = await newestEvent()
    for (const args of refused) {
      const r = await curl(['acme-prod', '--', ...args])
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stdout, args.join(' ')).toBe('')
      expect(r.stderr, args.join(' ')).toMatch(/--any-host|does not know curl's option/)
      expect(fs.existsSync(`${record}.argv`), args.join(' ')).toBe(false)
    }
    expect(other.seen).toEqual([])
    // Nothing was minted or even reused: the vault's log has no newer event.
    expect(await newestEvent()).toBe(before)
  })

  it('--any-host lets such a request through: the other server then gets the header', async (ctx) => {
    if (!REAL_CURL) ctx.skip('curl is not installed')
    const r = await curl(['acme-prod', '--any-host', '--', '-s', `${other.url}/echo`])
    expect(r).toMatchObject({ code: 0, stdout: '{"echo": true}' })
    const token = (await runCli(['token', 'acme-prod'], dir)).stdout.trim()
    expect(other.seen).toEqual([{ target: '/echo', auth: `Token ${token}` }])
    // Still never: stdin readers, -k, a trace to stdout.
    for (const args of [['-d', '@-'], ['-k'], ['--trace-ascii', '-']]) {
      const no = await curl(['acme-prod', '--any-host', '--', ...args, `${other.url}/x`])
      expect(no.code, args.join(' ')).toBe(2)
    }
  })

  it('URLs below the base URL, in every group and spelling, reach the sandbox', async (ctx) => {
    if (!REAL_CURL) ctx.skip('curl is not installed')
    const upper = assets.replace('http://127.0.0.1', 'HTTP://127.0.0.1')
    const r = await curl([
      'acme-prod',
      '--',
      '-s',
      '-w',
      ' %{http_code}\n',
      assets,
      '--url',
      upper,
      '--next',
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `${sb.tpstreams.baseUrl}/api/v1/acme/assets/?page=1`,
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    // The first group carries the header (200, twice); the --next group is curl's own (401).
    expect(r.stdout).toMatch(/^\{.*\} 200\n\{.*\} 200\n401$/s)
    const argv = fs.readFileSync(`${record}.argv`, 'utf8').split('\0')
    expect(argv.slice(0, 3)).toEqual(['-q', '--config', '-'])
  })

  it('a ~/.curlrc that routes requests elsewhere is not read (-q)', async (ctx) => {
    if (!REAL_CURL) ctx.skip('curl is not installed')
    const home = tempDir('tokendeck-curl-home-')
    fs.writeFileSync(path.join(home, '.curlrc'), `connect-to = "::127.0.0.1:${other.port}"\n`)
    const r = await curl(['acme-prod', '--', '-s', '-w', ' %{http_code}', assets], { home })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/"results":.* 200$/s)
    expect(other.seen).toEqual([])
  })

  it('a proxy in the environment never sees a token meant for a loopback server', async (ctx) => {
    if (!REAL_CURL) ctx.skip('curl is not installed')
    const env = { http_proxy: other.url, HTTP_PROXY: other.url, ALL_PROXY: other.url }
    const r = await curl(['acme-prod', '--', '-s', '-w', ' %{http_code}', assets], { env })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/ 200$/)
    expect(other.seen).toEqual([])
  })

  it('a refused URL is named without its user, password or query', async () => {
    const secretUrl = 'https://user:hunter2@evil.test/x?api_key=SECRET123'
    for (const url of [secretUrl, 'user:hunter2@evil.test/x?api_key=SECRET123']) {
      const r = await curl(['acme-prod', '--', url])
      expect(r.code).toBe(2)
      expect(r.stderr).not.toMatch(/hunter2|SECRET123/)
    }
    const r = await curl(['acme-prod', '--', secretUrl])
    expect(r.stderr).toContain('https://evil.test/x?…')
  })

  it('-k, traces to a file or stdout, --stderr and --libcurl are refused; nothing is written', async () => {
    const out = tempDir('tokendeck-curl-out-')
    for (const args of [
      ['-k'],
      ['--insecure'],
      ['--trace', path.join(out, 'trace')],
      ['--trace-ascii', '-'],
      ['--stderr', path.join(out, 'stderr')],
      ['--libcurl', path.join(out, 'prog.c')],
      ['-K', path.join(out, 'config')],
    ]) {
      const r = await curl(['acme-prod', '--', ...args, assets])
      expect(r.code, args.join(' ')).toBe(2)
    }
    expect(fs.readdirSync(out)).toEqual([])
  })
})

describe('what curl would do with its arguments', () => {
  const base = 'https://api.example.com/v1'
  const check = (args: string[], o: { anyHost?: boolean; headerName?: string } = {}) => {
    const g = curlGroups(args, {
      anyHost: o.anyHost ?? false,
      headerName: o.headerName ?? 'Authorization',
    })
    if (!g.ok) return g.message
    return o.anyHost ? null : urlOutside(g.value, base)
  }

  it.each([
    [['https://api.example.com/v1/x']],
    [['-sS', '-o', 'out', 'https://api.example.com/v1/x?a=1#frag']],
    [['--url', 'https://api.example.com/v1']],
    [['--url=https://api.example.com/v1/x']],
    [['-sSLo', 'https://evil.test/', 'https://api.example.com/v1/x']],
    [['-L', 'https://api.example.com/v1/x']],
    [['https://api.example.com/v1/a', '--next', '-s', 'https://api.example.com/v1/b']],
    [['-g', 'https://api.example.com/v1/x[1]']],
    [['-x', '', '--noproxy', '*', 'https://api.example.com/v1/x']],
    [['-e', 'https://evil.test/', '-A', 'agent', 'https://api.example.com/v1/x']],
    [['--no-location', '--no-insecure', '--trace-ascii', '%', 'https://api.example.com/v1/x']],
    [['-H', 'X-Trace: 1', '-d', '@body.json', 'https://api.example.com/v1/x']],
    [['--', 'https://api.example.com/v1/x']],
    [['-q', '-v', 'https://API.example.com./v1/%78']],
    [['https://api.example.com:0443/v1']],
  ])('lets through %j', (args) => {
    expect(check(args)).toBeNull()
  })

  it.each([
    [['https://evil.test/v1/x'], /is not below the account's base URL/],
    [['https://api.example.com/v2'], /not below/],
    [['https://api.example.com/v1x'], /not below/],
    [['http://api.example.com/v1/x'], /not below/],
    [['https://api.example.com/v1/../admin'], /not below/],
    [['https://api.example.com/v1/%2e%2e/admin'], /not below/],
    [['https://api.example.com/v1/x', '--next', 'https://evil.test/'], /evil\.test/],
    [['--', '-sS', 'https://api.example.com/v1/x'], /has no https:\/\//],
    [['api.example.com/v1/x'], /has no https:\/\//],
    [['ftp://api.example.com/v1/x'], /not an http\(s\) URL/],
    [['https://api.example.com/v1/{a,b}'], /characters curl and TokenDeck could read differently/],
    [['https://api.example.com/v1/x[1-2]'], /globbing/],
    [['https://api.example.com\\@evil.test/v1/x'], /could read differently/],
    [['https://u:p@api.example.com/v1/x'], /user name/],
    [['https://2130706433/v1'], /host that curl and URL could read differently/],
    [['https://ap%69.example.com/v1'], /cannot read the way curl does/],
    [['@urls.txt'], /reads URLs TokenDeck cannot check/],
    [['--url', '@urls.txt'], /reads URLs TokenDeck cannot check/],
    [['--expand-url', 'https://{{host}}/v1'], /could read differently/],
    [['-K', 'cfg', 'https://api.example.com/v1'], /config file/],
    [['--config=cfg'], /config file/],
    [['--connect-to', '::evil.test:443', 'https://api.example.com/v1'], /--connect-to changes/],
    [['--resolve', 'api.example.com:443:10.0.0.1'], /--resolve changes/],
    [['-xhttp://evil.test', 'https://api.example.com/v1'], /-x changes/],
    [['--preproxy', 'socks5://evil.test'], /--preproxy changes/],
    [['--doh-url', 'https://evil.test/dns'], /--doh-url changes/],
    [['--unix-socket', '/tmp/s'], /--unix-socket changes/],
    [['--request-target', '/admin'], /--request-target changes/],
    [['-H', 'host:evil.test'], /Host/],
    [['-H', '@headers.txt'], /reads headers/],
    [['--location-trusted'], /every host a redirect names/],
    [['-Ls', 'https://api.example.com/v1'], /X-Api-Key header on/, 'X-Api-Key'],
    [['--follow'], /X-Api-Key header on/, 'X-Api-Key'],
    [['-sk', 'https://api.example.com/v1'], /turns off certificate checks/],
    [['--trace', 'file'], /where TokenDeck cannot mask it/],
    [['--trace-ascii', '-'], /where TokenDeck cannot mask it/],
    [['--stderr', '-'], /where TokenDeck cannot mask it/],
    [['--libcurl', 'prog.c'], /where TokenDeck cannot mask it/],
    [['--resol', 'x'], /does not know curl's option --resol/],
    [['--verbose=1'], /does not know curl's option --verbose/],
    [['--no-url', 'x'], /does not know/],
    [['-Y9', '-%'], /does not know curl's option -%/],
    [['-'], /does not know/],
  ] as [string[], RegExp, string?][])('refuses %j', (args, why, headerName) => {
    expect(check(args, headerName ? { headerName } : {})).toMatch(why)
  })

  it('--any-host: any URL and route, but still no stdin, -k or unmasked trace', () => {
    const any = { anyHost: true }
    for (const args of [
      ['https://evil.test/'],
      ['-x', 'http://proxy:3128', '--connect-to', '::h:1', 'api.example.com/x'],
      ['-L', '--location-trusted', '-H', 'Host: x', '@urls.txt'],
    ]) {
      expect(check(args, any), args.join(' ')).toBeNull()
    }
    for (const args of [['-d', '@-'], ['-k'], ['--trace', 'f'], ['-K', 'cfg'], ['@-']]) {
      expect(check(args, any), args.join(' ')).not.toBeNull()
    }
  })

  it('puts the URLs in their --next groups, each with its own globbing', () => {
    const g = curlGroups(
      ['-g', 'https://h/a[1]', '-:', 'https://h/b', '--next', '--globoff', '--url', 'https://h/c'],
      { anyHost: true, headerName: 'Authorization' },
    )
    expect(g).toEqual({
      ok: true,
      value: [
        { urls: ['https://h/a[1]'], globoff: true },
        { urls: ['https://h/b'], globoff: false },
        { urls: ['https://h/c'], globoff: true },
      ],
    })
  })
})
