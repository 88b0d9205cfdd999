// The shared ledger's URL password never reaches the window (attackers 2 and 4). Through the real
// IPC handler table over real PostgreSQL: connecting from Settings, then every channel a
// compromised renderer could call, answers without the password in any form; and a hostile
// "PostgreSQL server" on loopback that asks for the password in clear and sends it back in its
// error message (raw, URL-encoded, base64, hex) gets it masked in the failure the window sees.
import net from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { INVOKE, INVOKE_CHANNELS, type InvokeChannel } from '../../src/shared/ipc/channels'
import { CONTRACT, resultSchema } from '../../src/shared/ipc/schemas'
import { DEMO_USERS } from '../../src/main/sandbox'
import { startTestApp, type TestApp } from '../helpers/app'
import { freshDatabase } from '../helpers/postgres'

const PASS = 'a long enough passphrase'
const tp = DEMO_USERS.tpstreams[0]!

let app: TestApp
/** Every answer the "page" received. */
const received: { channel: string; json: string }[] = []

async function call(channel: InvokeChannel, payload?: unknown) {
  const r = await app.handlers[channel](payload)
  received.push({ channel, json: JSON.stringify(r) })
  expect(resultSchema(CONTRACT[channel].response).safeParse(r).success).toBe(true)
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return r as any
}

/** The password in every form a server could send it back in. */
function formsOf(password: string): string[] {
  return [
    password,
    encodeURIComponent(password),
    Buffer.from(password).toString('base64'),
    Buffer.from(password).toString('hex'),
  ]
}

function expectNowhere(password: string): void {
  for (const r of received)
    for (const form of formsOf(password))
      expect(r.json, `the password (as ${form}) in the answer on ${r.channel}`).not.toContain(form)
}

beforeAll(async () => {
  app = await startTestApp()
  expect((await call(INVOKE.vaultCreate, { protection: 'passphrase', passphrase: PASS })).ok).toBe(
    true,
  )
  const added = await call(INVOKE.accountsAdd, {
    label: 'acme-prod',
    providerId: 'tpstreams',
    baseUrl: app.sandbox.tpstreams.baseUrl,
    fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
    remember: true,
    login: true,
  })
  expect(added.ok).toBe(true)
})
afterAll(async () => {
  await app?.close()
})
afterEach(() => {
  received.length = 0
})

describe('Settings › Shared ledger over IPC', () => {
  it('connects with a URL holding a password; no answer on any channel holds it', async () => {
    const url = await freshDatabase()
    const password = decodeURIComponent(new URL(url).password)
    expect(password.length).toBeGreaterThan(8)

    // A wrong password first: refused in words, neither password comes back.
    const wrongPassword = 'not-the-ledger-password-4711'
    const wrong = new URL(url)
    wrong.password = wrongPassword
    const refused = await call(INVOKE.ledgerConnect, { url: wrong.toString() })
    expect(refused).toMatchObject({ ok: false, code: 'LEDGER_UNAVAILABLE' })
    expect(refused.message).toContain('refused the user or password')
    expect((await call(INVOKE.ledgerStatus)).value).toMatchObject({ backend: 'local' })

    const connected = await call(INVOKE.ledgerConnect, { url, machineName: 'laptop' })
    expect(connected.ok).toBe(true)
    const shown = new URL(url)
    shown.password = ''
    expect(connected.value).toMatchObject({
      backend: 'postgresql',
      url: shown.toString(),
      machineName: 'laptop',
      state: 'connected',
    })
    expect(connected.value.organizations).toEqual([
      expect.objectContaining({
        organizationId: 'acme',
        used: 1,
        here: 1,
        elsewhere: 0,
        holders: [{ name: 'laptop', live: 1, uncertain: 0, thisMachine: true }],
      }),
    ])

    // A compromised renderer calls every channel that reads; nothing holds the password.
    for (const channel of [
      INVOKE.ledgerStatus,
      INVOKE.snapshot,
      INVOKE.appStatus,
      INVOKE.settingsGet,
      INVOKE.eventsList,
      INVOKE.gatewayStatus,
    ] satisfies InvokeChannel[])
      expect((await call(channel)).ok).toBe(true)
    const snap = await call(INVOKE.snapshot)
    expect(snap.value.organizations[0].shared).toMatchObject({
      state: expect.stringMatching(/connected|unknown/),
      holders: [{ name: 'laptop', thisMachine: true }],
    })
    const events = await call(INVOKE.eventsList, { types: ['vault'] })
    expect(JSON.stringify(events.value)).toContain(`Connected to the shared ledger at ${shown}`)

    // Connecting again (another machine name) keeps this vault's machine.
    const again = await call(INVOKE.ledgerConnect, { url, machineName: 'laptop-2' })
    expect(again.value).toMatchObject({
      machineName: 'laptop-2',
      machineId: connected.value.machineId,
    })

    const off = await call(INVOKE.ledgerDisconnect)
    expect(off).toEqual({ ok: true, value: { url: shown.toString() } })
    expect((await call(INVOKE.ledgerStatus)).value).toMatchObject({
      backend: 'local',
      url: null,
      organizations: [],
    })
    expect(await call(INVOKE.ledgerDisconnect)).toEqual({ ok: true, value: { url: null } })
    expectNowhere(password)
    expectNowhere(wrongPassword)
  })

  it('a server that asks for the password in clear and echoes it in its error gets it masked', async () => {
    for (const echo of ['raw', 'url', 'base64', 'hex'] as const) {
      const password = `Echo-Me-${echo}-9f2c7d1e`
      const server = await echoingServer(echo)
      try {
        const url = `postgres://td:${encodeURIComponent(password)}@127.0.0.1:${server.port}/ledger`
        const r = await call(INVOKE.ledgerConnect, { url })
        expect(server.received, 'the server was asked with the password').toContain(password)
        expect(r).toMatchObject({ ok: false, code: 'LEDGER_UNAVAILABLE' })
        expect(r.message).toContain('[redacted]')
        expect((await call(INVOKE.ledgerStatus)).value.backend).toBe('local')
        expectNowhere(password)
      } finally {
        await server.close()
      }
    }
  })

  it('every ledger channel is in the contract, the preload API and the handler table', () => {
    for (const c of [INVOKE.ledgerStatus, INVOKE.ledgerConnect, INVOKE.ledgerDisconnect]) {
      expect(INVOKE_CHANNELS).toContain(c)
      expect(typeof app.handlers[c]).toBe('function')
    }
    // A URL is the only thing connect takes besides the name: nothing else rides along.
    const req = CONTRACT[INVOKE.ledgerConnect].request
    expect(req.safeParse({ url: 'postgres://a@b/c', extra: 1 }).success).toBe(false)
    expect(req.safeParse({ url: '' }).success).toBe(false)
  })
})

/**
 * A hostile server speaking just enough of the PostgreSQL protocol: it asks for the password in
 * clear (AuthenticationCleartextPassword), then answers an ErrorResponse quoting what it got.
 */
async function echoingServer(echo: 'raw' | 'url' | 'base64' | 'hex') {
  const received: string[] = []
  const server = net.createServer((socket) => {
    let buf = Buffer.alloc(0)
    let started = false
    socket.on('error', () => {})
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk])
      if (!started) {
        if (buf.length < 4 || buf.length < buf.readInt32BE(0)) return
        buf = buf.subarray(buf.readInt32BE(0))
        started = true
        // 'R', length 8, code 3: send the password in clear.
        const ask = Buffer.alloc(9)
        ask.write('R', 0)
        ask.writeInt32BE(8, 1)
        ask.writeInt32BE(3, 5)
        socket.write(ask)
      }
      if (buf.length < 5 || buf[0] !== 'p'.charCodeAt(0)) return
      const len = buf.readInt32BE(1)
      if (buf.length < 1 + len) return
      const password = buf.subarray(5, 1 + len - 1).toString('utf8')
      received.push(password)
      const shown =
        echo === 'raw'
          ? password
          : echo === 'url'
            ? encodeURIComponent(password)
            : Buffer.from(password).toString(echo)
      const fields = Buffer.concat([
        Buffer.from('SFATAL\0'),
        Buffer.from('CXX000\0'),
        Buffer.from(`Mlogin refused for password ${shown}\0`),
        Buffer.from('\0'),
      ])
      const head = Buffer.alloc(5)
      head.write('E', 0)
      head.writeInt32BE(4 + fields.length, 1)
      socket.end(Buffer.concat([head, fields]))
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    received,
    close: () => new Promise<void>((done) => server.close(() => done())),
  }
}
