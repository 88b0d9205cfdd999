// The app's gateway through the window's handler table, over the real core and the real TPStreams
// sandbox, with real sockets: it runs only while Settings say so, follows the port, answers 503
// from the first request after a lock (nothing held from the unlocked vault), reports a port in
// use, makes a new access token that ends the old one, and never puts a token in what the window
// receives (the URL and the access token go to the clipboard only).
import http from 'node:http'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS } from '../../src/main/sandbox'
import { INVOKE, type InvokeChannel } from '../../src/shared/ipc/channels'
import { CONTRACT, resultSchema, type GatewayStatusView } from '../../src/shared/ipc/schemas'
import { startTestApp, type TestApp } from '../helpers/app'
import { freePort } from '../helpers/free-port'

const PASS = 'a long enough passphrase'
const tp = DEMO_USERS.tpstreams[0]!
const ORG = tp.organizations![0]!

let app: TestApp
/** Every answer the "window" received, for the no-secret check. */
const received: string[] = []

async function call<T = unknown>(channel: InvokeChannel, payload?: unknown) {
  const r = await app.handlers[channel](payload)
  received.push(JSON.stringify(r))
  expect(resultSchema(CONTRACT[channel].response).safeParse(r).success).toBe(true)
  return r as { ok: true; value: T } | { ok: false; code: string; message: string }
}

/** A call that must succeed. */
async function must(channel: InvokeChannel, payload?: unknown): Promise<void> {
  const r = await call(channel, payload)
  expect(r.ok).toBe(true)
}

async function status(): Promise<GatewayStatusView> {
  const r = await call<GatewayStatusView>(INVOKE.gatewayStatus)
  if (!r.ok) throw new Error(r.code)
  return r.value
}

/** The access token, as a user gets it: copied to the (recording) clipboard. */
async function accessToken(): Promise<string> {
  const r = await call<{ clearsInSeconds: number }>(INVOKE.gatewayCopyAccessToken)
  expect(r).toMatchObject({ ok: true, value: { clearsInSeconds: 30 } })
  return app.copier.copies.at(-1)!.text
}

function get(
  port: number,
  path: string,
  token?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: '127.0.0.1',
        port,
        path,
        headers: token ? { 'X-TokenDeck-Gateway': token } : {},
        agent: false,
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** Whether anything accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

const assets = `/acme-prod/api/v1/${ORG}/assets/`

beforeAll(async () => {
  app = await startTestApp()
  expect((await call(INVOKE.vaultCreate, { protection: 'passphrase', passphrase: PASS })).ok).toBe(
    true,
  )
  const added = await call(INVOKE.accountsAdd, {
    label: 'acme-prod',
    providerId: 'tpstreams',
    baseUrl: app.sandbox.tpstreams.baseUrl,
    fields: { username: tp.username, password: tp.secret, organization_id: ORG },
    remember: true,
    login: true,
  })
  expect(added.ok).toBe(true)
})

afterAll(async () => {
  await app.close()
})

describe('the app gateway', () => {
  let port = 0
  let token = ''

  it('is off until Settings turn it on; then serves the vault on 127.0.0.1:gatewayPort', async () => {
    const off = await status()
    expect(off).toMatchObject({ state: 'off', port: null, origin: null, failure: null })
    expect(off.accounts).toEqual([
      {
        accountId: expect.any(String),
        label: 'acme-prod',
        url: null,
        baseUrl: app.sandbox.tpstreams.baseUrl,
        policy: 'any method; any path; no web origin',
      },
    ])
    expect(
      await call(INVOKE.gatewayCopyUrl, { accountId: off.accounts[0]!.accountId }),
    ).toMatchObject({ ok: false, code: 'UNSUPPORTED' })

    port = await freePort()
    const changes: number[] = []
    const unsubscribe = app.gateway.onChange(() => changes.push(1))
    expect(
      (await call(INVOKE.settingsUpdate, { gatewayEnabled: true, gatewayPort: port })).ok,
    ).toBe(true)
    await app.gateway.sync()
    unsubscribe()
    expect(changes.length).toBeGreaterThan(0)
    const on = await status()
    expect(on).toMatchObject({ state: 'running', port, origin: `http://127.0.0.1:${port}` })
    expect(on.accounts[0]!.url).toBe(`http://127.0.0.1:${port}/acme-prod/`)
    expect(app.gateway.summary()).toEqual({ state: 'running', port })

    token = await accessToken()
    expect(token.length).toBeGreaterThanOrEqual(40)
    const ok = await get(port, assets, token)
    expect(ok.status).toBe(200)
    expect((await get(port, assets)).status).toBe(401)
    expect((await get(port, assets, 'not-the-access-token-at-all')).status).toBe(401)

    // The URL goes to the clipboard, cleared like a header; the answer names only the label.
    const copied = await call(INVOKE.gatewayCopyUrl, { accountId: on.accounts[0]!.accountId })
    expect(copied).toEqual({ ok: true, value: { label: 'acme-prod', clearsInSeconds: 30 } })
    expect(app.copier.copies.at(-1)).toEqual({
      text: `http://127.0.0.1:${port}/acme-prod/`,
      clearAfterSeconds: 30,
    })
  })

  it('moves when the port changes, and the old port is closed', async () => {
    const old = port
    port = await freePort()
    expect((await call(INVOKE.settingsUpdate, { gatewayPort: port })).ok).toBe(true)
    await app.gateway.sync()
    expect(await status()).toMatchObject({ state: 'running', port })
    expect(await listening(old)).toBe(false)
    expect((await get(port, assets, token)).status).toBe(200)
  })

  it('answers 503 VAULT_LOCKED from the first request after a lock, and serves again after unlock', async () => {
    // A request just before the lock: the proxy holds the header for up to a second.
    expect((await get(port, assets, token)).status).toBe(200)
    await must(INVOKE.vaultLock)
    await app.gateway.sync()
    const locked = await get(port, assets, token)
    expect(locked.status).toBe(503)
    expect(JSON.parse(locked.body)).toMatchObject({ error: { code: 'VAULT_LOCKED' } })
    expect((await get(port, assets)).status).toBe(401)
    expect(await call(INVOKE.gatewayCopyAccessToken)).toMatchObject({
      ok: false,
      code: 'VAULT_LOCKED',
    })
    expect((await status()).accounts).toEqual([])

    await must(INVOKE.vaultUnlock, { method: 'passphrase', passphrase: PASS })
    await app.gateway.sync()
    expect(await status()).toMatchObject({ state: 'running', port })
    expect((await get(port, assets, token)).status).toBe(200)
  })

  it('a new access token ends the old one', async () => {
    const r = await call<GatewayStatusView>(INVOKE.gatewayNewAccessToken)
    expect(r).toMatchObject({ ok: true, value: { state: 'running', port } })
    expect((await get(port, assets, token)).status).toBe(401)
    const fresh = await accessToken()
    expect(fresh).not.toBe(token)
    expect((await get(port, assets, fresh)).status).toBe(200)
    token = fresh
  })

  it('says so when the port is in use, and starts once another port is chosen', async () => {
    const squatter = net.createServer()
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve))
    const taken = (squatter.address() as net.AddressInfo).port
    try {
      await must(INVOKE.settingsUpdate, { gatewayPort: taken })
      await app.gateway.sync()
      const s = await status()
      expect(s).toMatchObject({
        state: 'failed',
        port: taken,
        origin: null,
        failure: {
          code: 'CONFLICT',
          message: `Port ${taken} on 127.0.0.1 is in use; choose another.`,
        },
      })
      expect(s.accounts[0]!.url).toBeNull()
      expect(app.gateway.summary()).toEqual({ state: 'failed', port: taken, code: 'CONFLICT' })
      // An unrelated vault change does not try the same port again.
      await must(INVOKE.settingsUpdate, { clipboardClearSeconds: 30 })
      await app.gateway.sync()
      expect((await status()).state).toBe('failed')
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()))
    }
    port = await freePort()
    await must(INVOKE.settingsUpdate, { gatewayPort: port })
    await app.gateway.sync()
    expect(await status()).toMatchObject({ state: 'running', port, failure: null })
  })

  it('serves the user vault only: the demo gets 503 and no account list', async () => {
    expect((await call(INVOKE.demoStart)).ok).toBe(true)
    await app.gateway.sync()
    expect(await status()).toMatchObject({ state: 'running', port, accounts: [] })
    const r = await get(port, assets, token)
    expect(r.status).toBe(503)
    expect(await call(INVOKE.gatewayNewAccessToken)).toMatchObject({
      ok: false,
      code: 'VAULT_LOCKED',
      message: expect.stringContaining('not the demo'),
    })
    // The demo vault's own settings do not move the user's gateway.
    await must(INVOKE.settingsUpdate, { gatewayEnabled: false })
    await app.gateway.sync()
    expect(await listening(port)).toBe(true)
    await app.core.stopDemo()
    await must(INVOKE.vaultUnlock, { method: 'passphrase', passphrase: PASS })
    await app.gateway.sync()
    expect((await get(port, assets, token)).status).toBe(200)
  })

  it('stops when turned off', async () => {
    await must(INVOKE.settingsUpdate, { gatewayEnabled: false })
    await app.gateway.sync()
    expect(await status()).toMatchObject({ state: 'off', port: null })
    expect(await listening(port)).toBe(false)
    expect(app.gateway.summary()).toEqual({ state: 'off' })
  })

  it('stops on close (quit)', async () => {
    await must(INVOKE.settingsUpdate, { gatewayEnabled: true })
    await app.gateway.sync()
    expect(await listening(port)).toBe(true)
    await app.gateway.close()
    expect(await listening(port)).toBe(false)
  })

  it('never put an access token, the passphrase or a password in an answer to the window', () => {
    const accessTokens = app.copier.copies.map((c) => c.text).filter((t) => !t.startsWith('http'))
    expect(new Set(accessTokens).size).toBe(2) // the first one and the new one
    const everything = received.join('\n')
    for (const s of [PASS, tp.secret, ...accessTokens]) expect(everything).not.toContain(s)
  })
})
