// A shared ledger's address: checked before anything is stored, TLS verified for any host off
// this machine (and whenever the URL asks for it), and its password kept off command lines and
// out of every message. The TLS check is attacked with a real server that offers TLS with a
// certificate no one trusts (a man in the middle), and passes with the CA the URL names.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseLedgerUrl } from '../../src/main/vault/ledger/shared/postgres-url'
import { PostgresLedgerStore } from '../../src/main/vault/ledger/shared/postgres-store'
import { CLI, runCli } from '../helpers/cli'
import { newVault, tempDir } from '../helpers/vault'

describe('parseLedgerUrl', () => {
  it.each([
    ['postgres://u@db.example.com/ledger', { host: 'db.example.com', tls: true }],
    [
      'postgresql://u@db.example.com:6543/ledger?sslmode=require',
      { host: 'db.example.com', tls: true },
    ],
    ['postgres://u@127.0.0.1:5432/ledger', { host: '127.0.0.1', tls: false }],
    ['postgres://u@localhost/ledger', { host: '127.0.0.1', tls: false }],
    ['postgres://u@[::1]/ledger', { host: '::1', tls: false }],
    ['postgres://u@127.0.0.1/ledger?sslmode=verify-full', { host: '127.0.0.1', tls: true }],
    [
      'postgres://u@localhost/ledger?host=/var/run/postgresql',
      { host: '/var/run/postgresql', tls: false },
    ],
  ])('%s', (url, want) => {
    const r = parseLedgerUrl(url)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.config.host).toBe(want.host)
    if (want.tls) expect(r.value.config.ssl).toEqual({ rejectUnauthorized: true })
    else expect(r.value.config.ssl).toBe(false)
  })

  it.each([
    ['https://db.example.com/ledger', /postgres:\/\//],
    ['postgres://db.example.com/ledger', /no user/],
    ['postgres://u@db.example.com/', /no database/],
    ['postgres://u@db.example.com/ledger?sslmode=disable', /in the clear/],
    ['postgres://u@db.example.com/ledger?sslmode=prefer', /in the clear/],
    ['postgres://u@db.example.com/ledger?options=-c%20x', /Unknown parameter/],
    ['postgres://u@db.example.com/ledger?host=relative', /absolute path/],
    ['postgres://u@db.example.com/ledger?sslmode=allowish', /not one of/],
  ])('refuses %s', (url, why) => {
    const r = parseLedgerUrl(url)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.code).toBe('VALIDATION_FAILED')
      expect(r.message).toMatch(why)
    }
  })

  it('shows the address without its password, and never in a refusal', () => {
    const r = parseLedgerUrl('postgres://team:s3cr3t-pw@db.example.com:5433/ledger')
    expect(r.ok && r.value.display).toBe('postgres://team@db.example.com:5433/ledger')
    expect(r.ok && r.value.hasPassword).toBe(true)
    const bad = parseLedgerUrl('postgres://team:s3cr3t-pw@db.example.com/ledger?sslmode=disable')
    expect(!bad.ok && bad.message).not.toContain('s3cr3t-pw')
  })
})

describe('TLS to the ledger is verified', () => {
  let dir: string
  let server: net.Server
  let port: number
  beforeAll(async () => {
    dir = tempDir('tokendeck-tls-')
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    )
    const key = fs.readFileSync(path.join(dir, 'key.pem'))
    const cert = fs.readFileSync(path.join(dir, 'cert.pem'))
    // A server that answers PostgreSQL's SSLRequest with 'S' and then speaks TLS with a
    // certificate signed by no one the client trusts.
    server = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write('S')
        const secure = new tls.TLSSocket(socket, { isServer: true, key, cert })
        secure.on('error', () => {})
        secure.on('data', () => secure.destroy())
      })
      socket.on('error', () => {})
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as net.AddressInfo).port
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  it('refuses a certificate it cannot verify (nothing is sent over it)', async () => {
    const a = parseLedgerUrl(
      `postgres://u:pw-not-shown@127.0.0.1:${port}/ledger?sslmode=verify-full`,
    )
    if (!a.ok) throw new Error(a.message)
    const store = new PostgresLedgerStore(a.value)
    const r = await store.read('org')
    await store.close()
    expect(!r.ok && r.code).toBe('LEDGER_UNAVAILABLE')
    expect(!r.ok && r.message).toMatch(/certificate/i)
    expect(!r.ok && r.message).not.toContain('pw-not-shown')
  })

  it('trusts the CA the URL names (sslrootcert): the handshake completes', async () => {
    const ca = path.join(dir, 'cert.pem')
    const a = parseLedgerUrl(
      `postgres://u@127.0.0.1:${port}/ledger?sslmode=verify-full&sslrootcert=${ca}`,
    )
    if (!a.ok) throw new Error(a.message)
    const store = new PostgresLedgerStore(a.value)
    const r = await store.read('org')
    await store.close()
    // Past TLS: the fake server then hangs up, which is not a certificate problem.
    expect(!r.ok && r.code).toBe('LEDGER_UNAVAILABLE')
    expect(!r.ok && r.message).not.toMatch(/certificate/i)
  })
})

describe('tokendeck ledger connect', () => {
  it('refuses a URL with a password on the command line, stores nothing and never prints it', async () => {
    expect(fs.existsSync(CLI)).toBe(true)
    const v = await newVault()
    const r = await runCli(
      ['ledger', 'connect', 'postgres://team:hunter2-pw@127.0.0.1:1/ledger'],
      v.dir,
      {
        env: { TOKENDECK_AGENT: 'off' },
      },
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--url-stdin/)
    expect(r.stdout + r.stderr).not.toContain('hunter2-pw')
    const s = await runCli(['ledger', 'status', '--json'], v.dir, {
      env: { TOKENDECK_AGENT: 'off' },
    })
    expect(JSON.parse(s.stdout).backend).toBe('local')
  })

  it('with --url-stdin, an unreachable database is refused with exit 5 and nothing stored', async () => {
    const v = await newVault()
    const r = await runCli(['ledger', 'connect', '--url-stdin'], v.dir, {
      env: { TOKENDECK_AGENT: 'off' },
      input: 'postgres://team:hunter2-pw@127.0.0.1:1/ledger\n',
    })
    expect(r.code).toBe(5)
    expect(r.stderr).toMatch(/cannot be used: nothing listens there/)
    expect(r.stdout + r.stderr).not.toContain('hunter2-pw')
    const s = await runCli(['ledger', 'status', '--json'], v.dir, {
      env: { TOKENDECK_AGENT: 'off' },
    })
    expect(JSON.parse(s.stdout).backend).toBe('local')
  })
})
