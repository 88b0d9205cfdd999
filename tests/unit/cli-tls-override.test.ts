// Guarantee: NODE_TLS_REJECT_UNAUTHORIZED=0 in the CLI's environment turns no certificate check
// off. The built CLI (`node out/main/cli.js`) says once on stderr that the variable is ignored,
// and adding an account against a self-signed https server is a TLS error: the password never
// reaches that server (a network attacker with their own certificate learns nothing).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import https from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newVault, tempDir } from '../helpers/vault'
import { CLI, runCli } from '../helpers/cli'

const HOME = tempDir('tokendeck-tls-home-')
const WARNING =
  'tokendeck: NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored: TokenDeck always verifies TLS.'
const PASSWORD = 'tls-test-password-7f3a'

function cli(args: string[], o: { dir?: string; input?: string; tls?: string } = {}) {
  const env = o.tls !== undefined ? { NODE_TLS_REJECT_UNAUTHORIZED: o.tls } : {}
  return runCli(args, o.dir, { home: HOME, env, ...(o.input ? { input: o.input } : {}) })
}

/** An https server with a fresh self-signed certificate that records every byte it is sent. */
let server: https.Server | null = null
let received = ''
let requests = 0
let baseUrl = ''
const sockets = new Set<Socket>()

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npx electron-vite build first`)
  const dir = tempDir('tokendeck-tls-cert-')
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore', timeout: 10_000 },
    )
  } catch {
    return // no openssl: the https case is skipped below
  }
  const options = {
    key: fs.readFileSync(path.join(dir, 'key.pem')),
    cert: fs.readFileSync(path.join(dir, 'cert.pem')),
  }
  fs.rmSync(dir, { recursive: true, force: true })
  const s = https.createServer(options, (req, res) => {
    requests += 1
    req.on('data', (d: Buffer) => (received += d.toString()))
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ token: 'a'.repeat(40) }))
    })
  })
  s.on('connection', (c: Socket) => {
    sockets.add(c)
    c.on('close', () => sockets.delete(c))
  })
  s.on('tlsClientError', () => undefined)
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  baseUrl = `https://127.0.0.1:${(s.address() as AddressInfo).port}`
  server = s
})

afterAll(async () => {
  const s = server
  if (!s) return
  await new Promise<void>((resolve) => {
    s.close(() => resolve())
    for (const c of sockets) c.destroy()
  })
})

const SLOW = { timeout: 90_000 }

describe('NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored by the CLI', SLOW, () => {
  it('warns once on stderr when the variable is 0, and only then', async () => {
    const help = await cli(['help'], { tls: '0' })
    expect(help.code).toBe(0)
    expect(help.stderr).toBe(`${WARNING}\n`)
    expect(help.stdout).not.toContain('NODE_TLS')

    const v = await newVault()
    const status = await cli(['status'], { dir: v.dir, tls: '0' })
    expect(status).toMatchObject({ code: 0, stderr: `${WARNING}\n` })
    for (const tls of [undefined, '1']) {
      const quiet = await cli(['status'], { dir: v.dir, ...(tls ? { tls } : {}) })
      expect(quiet).toMatchObject({ code: 0, stderr: '' })
    }
  })

  it('adding an account against a self-signed server is a TLS error; no password is sent', async (ctx) => {
    if (!server) ctx.skip('openssl is not available, so no self-signed certificate can be made')
    const v = await newVault()
    const r = await cli(
      [
        'accounts',
        'add',
        '--provider',
        'tpstreams',
        '--base-url',
        baseUrl,
        '--label',
        'mitm',
        '--username',
        'dev@acme.test',
        '--org',
        'acme',
        '--secret-stdin',
      ],
      { dir: v.dir, tls: '0', input: `${PASSWORD}\n` },
    )
    expect(r.code).toBe(1)
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines[0]).toBe(WARNING)
    expect(lines.filter((l) => l.includes('NODE_TLS_REJECT_UNAUTHORIZED'))).toHaveLength(1)
    expect(r.stderr).toContain('could not be verified')
    expect(requests).toBe(0)
    expect(received).not.toContain(PASSWORD)
    expect(`${r.stdout}${r.stderr}`).not.toContain(PASSWORD)
  })
})
