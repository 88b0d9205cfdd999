// The gateway against the real core and the real TPStreams sandbox: it adds the account's header
// and nothing of the client's credentials, refuses requests without the access token, from web
// pages and outside the policy, never reaches another host, and answers a server-side revoke with
// exactly one new login. Requests go over real sockets (node:http, and raw bytes where a client
// would not send them).
import { createHash } from 'node:crypto'
import http from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { DEMO_USERS } from '../../src/main/sandbox'
import { actionsSource, startGateway, type RunningGateway } from '../../src/main/gateway'
import { actionFixture, sandboxPerTest, type ActionFixture } from '../helpers/actions'
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server'

const sandbox = sandboxPerTest()
const ACCESS = 'gateway-access-token-for-tests-0123456789'
const tp = DEMO_USERS.tpstreams[0]!
const ORG = tp.organizations![0]!

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

function request(
  gw: RunningGateway,
  path: string,
  o: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Host, port and path given apart: a URL string would be normalised (`..` resolved).
    const req = http.request(
      {
        hostname: '127.0.0.1',
        port: gw.port,
        path,
        method: o.method ?? 'GET',
        headers: { 'x-tokendeck-gateway': ACCESS, ...o.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(o.body)
  })
}

const json = (a: Answer) => JSON.parse(a.body.toString('utf8')) as Record<string, unknown>

let gw: RunningGateway | undefined
let recorder: RecordingServer | undefined
afterEach(async () => {
  await gw?.close()
  await recorder?.close()
  gw = undefined
  recorder = undefined
})

async function setup(baseUrl = sandbox().tpstreams.baseUrl, label = 'acme') {
  const f = await actionFixture()
  const r = await f.actions.accounts.add(
    {
      label,
      providerId: 'tpstreams',
      baseUrl,
      fields: { username: tp.username, password: tp.secret, organization_id: ORG },
      remember: true,
      login: false,
    },
    'cli',
  )
  if (!r.ok) throw new Error(r.message)
  const started = await startGateway({
    source: actionsSource(() => f.actions),
    accessToken: ACCESS,
    port: 0,
  })
  if (!started.ok) throw new Error(started.message)
  gw = started.value
  return { f, gw: started.value, accountId: r.value.account.id }
}

/** A TPStreams-shaped server that mints "recorded-token" and records every request. */
async function recordingUpstream(): Promise<RecordingServer> {
  recorder = await startRecordingServer((req) =>
    req.path.endsWith('/api/auth/login/')
      ? { status: 200, json: { token: 'recorded-token' } }
      : { status: 200, json: { ok: true } },
  )
  return recorder
}

async function currentToken(f: ActionFixture, accountId: string): Promise<string> {
  const h = await f.actions.tokens.header(accountId, 'cli')
  if (!h.ok) throw new Error(h.message)
  return h.value.token
}

describe('forwarding', () => {
  it("adds the account's header, keeps method, path and query, and drops the client's credentials", async () => {
    const { gw } = await setup()
    const a = await request(gw, `/acme/api/v1/${ORG}/echo/x/y?page=2&q=a%20b`, {
      method: 'PUT',
      headers: {
        authorization: 'Bearer the-clients-own',
        'proxy-authorization': 'Basic eA==',
        connection: 'x-drop-me',
        'x-drop-me': '1',
        'x-keep-me': 'kept',
      },
      body: Buffer.from('hello'),
    })
    expect(a.status).toBe(200)
    const echo = json(a)
    expect(echo).toMatchObject({
      method: 'PUT',
      path: `/api/v1/${ORG}/echo/x/y`,
      query: '?page=2&q=a%20b',
      bytes: 5,
      sha256: createHash('sha256').update('hello').digest('hex'),
    })
    const headers = echo.headers as Record<string, string>
    // The sandbox says only which scheme came: the account's, never the client's Bearer.
    expect(headers.authorization).toBe('Token')
    expect(headers['x-keep-me']).toBe('kept')
    expect(headers).not.toHaveProperty('x-tokendeck-gateway')
    expect(headers).not.toHaveProperty('proxy-authorization')
    expect(headers).not.toHaveProperty('x-drop-me')
    expect(headers.host).toBe(new URL(sandbox().tpstreams.baseUrl).host)
  })

  it('streams a 5 MB body up and 5 MB down intact', async () => {
    const { gw } = await setup()
    const body = Buffer.alloc(5 * 1024 * 1024)
    for (let i = 0; i < body.length; i += 4096) body[i] = i % 251
    const up = await request(gw, `/acme/api/v1/${ORG}/echo/upload`, { method: 'POST', body })
    expect(up.status).toBe(200)
    expect(json(up)).toMatchObject({
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    })
    const down = await request(gw, `/acme/api/v1/${ORG}/bytes/${5 * 1024 * 1024}`)
    expect(down.status).toBe(200)
    expect(down.body.length).toBe(5 * 1024 * 1024)
  })

  it('a client that goes away before the answer ends the upstream exchange too', async () => {
    // An upstream that logs in at once and never answers anything else.
    let arrived!: () => void
    const reached = new Promise<void>((resolve) => (arrived = resolve))
    let ended!: () => void
    const upstreamClosed = new Promise<void>((resolve) => (ended = resolve))
    const held = http.createServer((req, res) => {
      if (req.url?.endsWith('/api/auth/login/')) {
        req.resume()
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(JSON.stringify({ token: 'held-token' }))
      }
      arrived()
      res.on('close', () => ended())
    })
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve))
    try {
      const { gw } = await setup(`http://127.0.0.1:${(held.address() as net.AddressInfo).port}`)
      const client = http.request({
        hostname: '127.0.0.1',
        port: gw.port,
        path: '/acme/slow',
        headers: { 'x-tokendeck-gateway': ACCESS },
        agent: false,
      })
      client.on('error', () => {})
      client.end()
      await reached
      client.destroy()
      // Without the cancel, the upstream request would stay open until the test times out.
      await upstreamClosed
    } finally {
      held.closeAllConnections()
      await new Promise<void>((resolve) => held.close(() => resolve()))
    }
  })

  it('reuses one token for many requests: one login in all', async () => {
    const { gw } = await setup()
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => request(gw, `/acme/api/v1/${ORG}/assets/`)),
    )
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200))
    expect(sandbox().tpstreams.stats.loginRequests).toBe(1)
  })
})

describe('refusals', () => {
  it('without the access token, or with a wrong one: 401 and nothing reaches the server', async () => {
    const up = await recordingUpstream()
    const { gw } = await setup(up.baseUrl)
    const none = await request(gw, '/acme/anything', { headers: { 'x-tokendeck-gateway': '' } })
    const wrong = await request(gw, '/acme/anything', {
      headers: { 'x-tokendeck-gateway': `${ACCESS}x` },
    })
    expect([none.status, wrong.status]).toEqual([401, 401])
    expect(json(none)).toMatchObject({ error: { code: 'GATEWAY_UNAUTHORIZED' } })
    expect(up.requests).toEqual([])
  })

  it('a request from a web page (Origin) is refused unless the account allows that origin', async () => {
    const up = await recordingUpstream()
    const { f, gw } = await setup(up.baseUrl)
    const page = await request(gw, '/acme/data', {
      headers: { origin: 'https://evil.example' },
    })
    expect(page.status).toBe(403)
    expect(up.requests).toEqual([])
    const set = await f.actions.gateway.setPolicy(
      'acme',
      { origins: ['https://app.example'] },
      'cli',
    )
    expect(set.ok).toBe(true)
    // The gateway reads policies again at most once a second.
    await new Promise((r) => setTimeout(r, 1100))
    expect(
      (await request(gw, '/acme/data', { headers: { origin: 'https://evil.example' } })).status,
    ).toBe(403)
    const allowed = await request(gw, '/acme/data', { headers: { origin: 'https://app.example' } })
    expect(allowed.status).toBe(200)
    expect(up.requests.map((r) => r.path)).toEqual(['/api/auth/login/', '/data'])
  })

  it("a page from an allowed origin passes the browser's preflight and can read the answer", async () => {
    const up = await recordingUpstream()
    const { f, gw } = await setup(up.baseUrl)
    const preflight = (origin: string, method: string) =>
      request(gw, '/acme/data', {
        method: 'OPTIONS',
        headers: {
          'x-tokendeck-gateway': '',
          origin,
          'access-control-request-method': method,
          'access-control-request-headers': 'x-tokendeck-gateway, content-type',
        },
      })
    // Before any policy: refused, and nothing forwarded.
    expect((await preflight('http://localhost:5173', 'GET')).status).toBe(403)
    const set = await f.actions.gateway.setPolicy(
      'acme',
      { origins: ['http://localhost:5173'], methods: ['GET'] },
      'cli',
    )
    expect(set.ok).toBe(true)
    await new Promise((r) => setTimeout(r, 1100))
    const ok = await preflight('http://localhost:5173', 'GET')
    expect(ok.status).toBe(204)
    expect(ok.headers).toMatchObject({
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-allow-methods': 'GET',
      'access-control-allow-headers': 'x-tokendeck-gateway, content-type',
    })
    expect((await preflight('http://localhost:5173', 'DELETE')).status).toBe(403)
    expect((await preflight('https://evil.example', 'GET')).status).toBe(403)
    const real = await request(gw, '/acme/data', { headers: { origin: 'http://localhost:5173' } })
    expect(real.status).toBe(200)
    expect(real.headers['access-control-allow-origin']).toBe('http://localhost:5173')
    expect(up.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/auth/login/',
      'GET /data',
    ])
  })

  it('method and path allow-lists refuse the rest before anything is sent', async () => {
    const up = await recordingUpstream()
    const { f, gw } = await setup(up.baseUrl)
    const set = await f.actions.gateway.setPolicy(
      'acme',
      { methods: ['get'], paths: ['/api/v1/acme/assets'] },
      'cli',
    )
    expect(set.ok).toBe(true)
    expect((await request(gw, '/acme/api/v1/acme/assets/1')).status).toBe(200)
    expect((await request(gw, '/acme/api/v1/acme/assets')).status).toBe(200)
    expect((await request(gw, '/acme/api/v1/acme/assetsX')).status).toBe(403)
    expect((await request(gw, '/acme/api/v1/acme/assets/1', { method: 'DELETE' })).status).toBe(403)
    expect(up.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/auth/login/',
      'GET /api/v1/acme/assets/1',
      'GET /api/v1/acme/assets',
    ])
  })

  it('no path, Host header or request target reaches another host', async () => {
    const up = await recordingUpstream()
    const { gw } = await setup(`${up.baseUrl}/base`)
    const tries = [
      '/acme/../other/x',
      '/acme/%2e%2e/other',
      '/acme/.%2E/other',
      '/acme/a/%2F..%2Fb',
      '/acme/a\\..\\b',
    ]
    for (const p of tries) expect((await request(gw, p)).status, p).toBe(400)
    // "//evil.example/x" is a path below the base URL, not a host.
    const slashes = await request(gw, '/acme//evil.example/x', {
      headers: { host: 'evil.example' },
    })
    expect(slashes.status).toBe(200)
    // An absolute-form request target names a host: it is only a label lookup that fails.
    const raw = await new Promise<string>((resolve) => {
      const s = net.connect(gw.port, '127.0.0.1', () =>
        s.end(
          `GET http://evil.example/acme/x HTTP/1.1\r\nHost: evil.example\r\nx-tokendeck-gateway: ${ACCESS}\r\n\r\n`,
        ),
      )
      let text = ''
      s.on('data', (d) => (text += d.toString()))
      s.on('close', () => resolve(text))
    })
    expect(raw).toMatch(/^HTTP\/1\.1 404/)
    expect(up.requests.map((r) => r.path)).toEqual([
      '/base/api/auth/login/',
      '/base//evil.example/x',
    ])
  })

  it('an upstream redirect is passed back, never followed', async () => {
    const { gw } = await setup()
    const a = await request(gw, `/acme/api/v1/${ORG}/redirect`)
    expect(a.status).toBe(302)
    expect(a.headers.location).toBe('https://elsewhere.invalid/steal')
  })

  it('an account the gateway does not serve, or an unknown label, is 404', async () => {
    const { f, gw } = await setup()
    await gw.close()
    const only = await startGateway({
      source: actionsSource(() => f.actions),
      accessToken: ACCESS,
      port: 0,
      labels: ['someone-else'],
    })
    if (!only.ok) throw new Error(only.message)
    try {
      expect((await request(only.value, `/acme/api/v1/${ORG}/assets/`)).status).toBe(404)
      expect((await request(only.value, '/nobody/x')).status).toBe(404)
      expect(sandbox().tpstreams.stats.loginRequests).toBe(0)
    } finally {
      await only.value.close()
    }
  })
})

describe('a token revoked behind TokenDeck: the upstream 401', () => {
  it('one request succeeds with exactly one new login; the old token is marked refused', async () => {
    const { f, gw, accountId } = await setup()
    const old = await currentToken(f, accountId)
    expect(sandbox().tpstreams.revokeToken(old)).toBe(true)
    const logins = sandbox().tpstreams.stats.loginRequests
    const a = await request(gw, `/acme/api/v1/${ORG}/assets/`)
    expect(a.status).toBe(200)
    expect(sandbox().tpstreams.stats.loginRequests - logins).toBe(1)
    const acc = f.actions.views.account('acme')
    if (!acc.ok) throw new Error(acc.message)
    expect(acc.value.tokens.filter((t) => t.state === 'revoked')).toHaveLength(1)
    expect(acc.value.tokens[0]!.note ?? acc.value.tokens[1]!.note).toMatch(/Refused by its server/)
  })

  it('twenty concurrent requests that all see the 401: one reject, one login, all succeed', async () => {
    const { f, gw, accountId } = await setup()
    const old = await currentToken(f, accountId)
    // Warm the gateway's hold on the old header, then revoke it on the server.
    expect((await request(gw, `/acme/api/v1/${ORG}/assets/`)).status).toBe(200)
    sandbox().tpstreams.revokeToken(old)
    const logins = sandbox().tpstreams.stats.loginRequests
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(gw, `/acme/api/v1/${ORG}/echo/${i}`, {
          method: 'POST',
          body: Buffer.from(`n${i}`),
        }),
      ),
    )
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200))
    expect(answers.map((a) => json(a).bytes)).toEqual(answers.map((_, i) => `n${i}`.length))
    expect(sandbox().tpstreams.stats.loginRequests - logins).toBe(1)
    const acc = f.actions.views.account('acme')
    if (!acc.ok) throw new Error(acc.message)
    expect(acc.value.tokens.filter((t) => t.state === 'revoked')).toHaveLength(1)
    expect(acc.value.tokens.filter((t) => t.state === 'active')).toHaveLength(1)
  })

  it('a body over 1 MiB cannot be replayed: the 401 comes back, and the next request gets the new token', async () => {
    const { f, gw, accountId } = await setup()
    sandbox().tpstreams.revokeToken(await currentToken(f, accountId))
    const big = Buffer.alloc(1024 * 1024 + 1, 1)
    const first = await request(gw, `/acme/api/v1/${ORG}/echo/big`, { method: 'POST', body: big })
    expect(first.status).toBe(401)
    const next = await request(gw, `/acme/api/v1/${ORG}/echo/big`, { method: 'POST', body: big })
    expect(next.status).toBe(200)
    expect(json(next).bytes).toBe(big.length)
  })
})

describe('the event log', () => {
  it('has every request: label, method, path without query, status; never a token or query', async () => {
    const { f, gw, accountId } = await setup()
    expect((await request(gw, `/acme/api/v1/${ORG}/assets/?secret-query=1`)).status).toBe(200)
    expect((await request(gw, '/acme/nothing-here')).status).toBe(404)
    await gw.close()
    const events = f.actions.views.events({ types: ['gateway'] })
    if (!events.ok) throw new Error(events.message)
    expect(events.value.events.map((e) => e.message).sort()).toEqual(
      [
        expect.stringMatching(new RegExp(`^GET /acme/api/v1/${ORG}/assets/ -> 200 in \\d+ ms$`)),
        expect.stringMatching(/^GET \/acme\/nothing-here -> 404 in \d+ ms$/),
      ].sort(),
    )
    expect(events.value.events.every((e) => e.label === 'acme' && e.surface === 'gateway')).toBe(
      true,
    )
    const token = await currentToken(f, accountId)
    const all = JSON.stringify(f.actions.views.events({ limit: 5000 }))
    expect(all).not.toContain(token)
    expect(all).not.toContain('secret-query')
  })
})
