// Gateway paths are decided once (decide.ts): every way a partly trusted client (attacker 5) could
// make the policy read one path while the server behind it reads another (`..;`, `;` parameters,
// `%252e`, backslashes, encoded slashes, overlong or fullwidth dots, NUL) is refused, and an
// allowed request goes upstream with exactly the canonical path the policy matched. A table over
// the pure function, then the same tricks through the real gateway against a recording upstream
// that must receive nothing, and TRACE / CONNECT refused whatever the policy says.
import http from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { parsePolicy } from '../../src/main/actions/gateway'
import { canonicalPath } from '../../src/shared/canonical-path'
import {
  decide,
  decidePreflight,
  DecisionMemo,
  type GatewayRoute,
} from '../../src/main/gateway/decide'
import { actionsSource, startGateway, type RunningGateway } from '../../src/main/gateway'
import { DEMO_USERS } from '../../src/main/sandbox'
import { actionFixture } from '../helpers/actions'
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server'

const ALLOWED = '/api/v1/acme/assets'
const route = (paths: string[] = [ALLOWED], methods: string[] = []): GatewayRoute => ({
  label: 'acme',
  baseUrl: 'https://api.example/base',
  policy: { origins: ['https://app.example'], methods, paths },
})
const get = (path: string, query = '') => ({ method: 'GET', path, query })

// Each one aims below the allowed prefix and then climbs, or hides a separator, so that a server
// (Tomcat/Spring: `;` and `..;`; a double-decoding proxy: `%252e`; IIS: `\`, trailing dots;
// NFKC folding: fullwidth dots) reads a path outside the allow-list.
const TRICKS: [string, RegExp][] = [
  [`${ALLOWED}/..;/admin`, /";"/],
  [`${ALLOWED}/..;jsessionid=x/admin`, /";"/],
  [`${ALLOWED};x=1`, /";"/],
  [`${ALLOWED}/x;/../../admin`, /";"/],
  [`${ALLOWED}/%3b/admin`, /";"/],
  [`${ALLOWED}/%2e%2e;/admin`, /";"/],
  [`${ALLOWED}/../admin`, /\. or \.\./],
  [`${ALLOWED}/./x`, /\. or \.\./],
  [`${ALLOWED}/%2e%2e/admin`, /\. or \.\./],
  [`${ALLOWED}/.%2E/admin`, /\. or \.\./],
  [`${ALLOWED}/%2E/admin`, /\. or \.\./],
  [`${ALLOWED}/.../admin`, /\. or \.\./],
  [`${ALLOWED}/..%20/admin`, /\. or \.\./],
  [`${ALLOWED}/%252e%252e/admin`, /encoded again/],
  [`${ALLOWED}/%252E%252E%252Fadmin`, /encoded again/],
  [`${ALLOWED}/%25252e%25252e/admin`, /encoded again/],
  [`${ALLOWED}/%25%32%65%25%32%65/admin`, /encoded again/],
  [`${ALLOWED}/%252f..%252fadmin`, /encoded again/],
  [`${ALLOWED}/..%2fadmin`, /encoded slash/],
  [`${ALLOWED}%2f..%2f..%2fadmin`, /encoded slash/],
  [`${ALLOWED}/%2F`, /encoded slash/],
  [`${ALLOWED}\\..\\admin`, /backslash/],
  [`${ALLOWED}/..%5cadmin`, /backslash/],
  [`${ALLOWED}/%5C..%5C/admin`, /backslash/],
  [`${ALLOWED}/%ef%bc%8e%ef%bc%8e/admin`, /\. or \.\./], // fullwidth ．．
  [`${ALLOWED}/%e2%80%a5/admin`, /\. or \.\./], // two-dot leader ‥
  [`${ALLOWED}/%ef%bc%8fadmin`, /encoded slash/], // fullwidth ／
  [`${ALLOWED}/%ef%bc%bcadmin`, /backslash/], // fullwidth ＼
  [`${ALLOWED}/%c0%ae%c0%ae/admin`, /invalid percent-encoding/], // overlong UTF-8 dots
  [`${ALLOWED}/%e0%80%ae/admin`, /invalid percent-encoding/],
  [`${ALLOWED}/%2/admin`, /invalid percent-encoding/],
  [`${ALLOWED}/%zz`, /invalid percent-encoding/],
  [`${ALLOWED}/%`, /invalid percent-encoding/],
  [`${ALLOWED}/%u002e%u002e/admin`, /invalid percent-encoding/],
  [`${ALLOWED}/%00/../admin`, /Control characters/],
  [`${ALLOWED}/x%00.json`, /Control characters/],
  [`${ALLOWED}/%0d%0aX-Injected:%201`, /Control characters/],
  [`${ALLOWED}/%c2%85`, /Control characters/],
  [`${ALLOWED}/a#/../../admin`, /"#"/],
  [`${ALLOWED}/caf\u00e9`, /must be percent-encoded/],
  [`${ALLOWED}/a b`, /must be percent-encoded/],
]

describe('decide(): the table', () => {
  it.each(TRICKS)('%s is refused (400) whatever the allow-list says', (path, reason) => {
    for (const paths of [[ALLOWED], []]) {
      const d = decide(get(path), route(paths))
      expect(d).toMatchObject({ allowed: false, status: 400, code: 'GATEWAY_PATH_REFUSED' })
      expect(!d.allowed && d.message).toMatch(reason)
    }
  })

  // [as received, forwarded below the base URL]
  const FORWARDED: [string, string][] = [
    [ALLOWED, ALLOWED],
    [`${ALLOWED}/`, `${ALLOWED}/`],
    [`${ALLOWED}/42`, `${ALLOWED}/42`],
    [`/api/v1/acme/%61ssets/42`, `${ALLOWED}/42`], // decoded once: %61 is "a"
    [`/%61%70%69/v1/acme/assets`, ALLOWED],
    [`${ALLOWED}/a+b`, `${ALLOWED}/a%2Bb`], // "+" read as a space by some servers: encoded
    [`${ALLOWED}/a%2bb`, `${ALLOWED}/a%2Bb`],
    [`${ALLOWED}/a%20b`, `${ALLOWED}/a%20b`],
    [`${ALLOWED}/caf%c3%a9`, `${ALLOWED}/caf%C3%A9`],
    [`${ALLOWED}/%7e%21:@$&'()*,=-._`, `${ALLOWED}/~!:@$&'()*,=-._`],
    [`${ALLOWED}/a|{b}"<c>^\``, `${ALLOWED}/a%7C%7Bb%7D%22%3Cc%3E%5E%60`],
    [`${ALLOWED}/100%25`, `${ALLOWED}/100%25`], // a lone % decoded once stays a literal %
    [`${ALLOWED}/v1.2..3/.hidden/a..b`, `${ALLOWED}/v1.2..3/.hidden/a..b`],
    [`${ALLOWED}//x`, `${ALLOWED}//x`], // an empty segment cannot climb
    [`${ALLOWED}/%3f%23`, `${ALLOWED}/%3F%23`], // ? and # as data stay data
  ]
  it.each(FORWARDED)('%s goes upstream as exactly %s', (raw, canonical) => {
    const d = decide(get(raw, '?page=2&q=a%20b'), route())
    expect(d).toMatchObject({ allowed: true, path: canonical, query: '?page=2&q=a%20b' })
    if (!d.allowed) return
    expect(d.url.href).toBe(`https://api.example/base${canonical}?page=2&q=a%20b`)
    // Canonical means a fixed point: reading it again changes nothing.
    expect(canonicalPath(canonical)).toMatchObject({ ok: true, path: canonical })
  })

  it('the memo answers exactly as decide() does, and a new reading of a policy is decided again', () => {
    const memo = new DecisionMemo()
    const r = route()
    const asked = [
      ...TRICKS.map(([p]) => get(p)),
      ...FORWARDED.map(([p]) => get(p, '?page=2')),
      { ...get(ALLOWED), origin: 'https://app.example' },
      { ...get(ALLOWED), origin: 'https://evil.example' },
      { ...get(ALLOWED), origin: '' }, // an empty Origin is not an absent one
      { ...get(ALLOWED), upgrade: 'websocket' },
      { method: 'TRACE', path: ALLOWED, query: '' },
    ]
    // The URL inside is compared by its href (JSON.stringify), not as an empty object.
    const same = (a: unknown, b: unknown) => expect(JSON.stringify(a)).toBe(JSON.stringify(b))
    for (let round = 0; round < 2; round++)
      for (const q of asked) same(memo.decide(q, r), decide(q, r))
    expect(memo.decide({ ...get(ALLOWED), origin: '' }, r)).toMatchObject({ status: 403 })
    expect(memo.decide(get(ALLOWED), r)).toMatchObject({ allowed: true })
    // The gateway reads policies again as new route objects: a narrowed one refuses at once.
    expect(memo.decide(get(ALLOWED), route(['/other']))).toMatchObject({ status: 403 })
    // Bounded, never wrong: more distinct targets than it keeps are each decided right.
    for (let i = 0; i < 600; i++) {
      expect(memo.decide(get(`${ALLOWED}/${i}`), r)).toMatchObject({ path: `${ALLOWED}/${i}` })
    }
  })

  it.each([
    [`/api/v1/acme/assetsX`, 'a longer segment is not the prefix'],
    [`/api/v1/acme`, 'above the prefix'],
    [`/api/v1/acme/admin`, 'beside it'],
    [`/api/v1/acme/ASSETS/1`, 'another case'],
    [`/api/v1/acme/assets%2e/1`, '"assets." is another segment'],
    [`//api/v1/acme/assets`, 'an empty first segment'],
  ])('%s is outside the allow-list (403): %s', (path) => {
    expect(decide(get(path), route())).toMatchObject({
      allowed: false,
      status: 403,
      code: 'GATEWAY_PATH_REFUSED',
    })
  })

  it('an overlong path is 414; a query is forwarded as sent and never decides a path', () => {
    const long = `${ALLOWED}/${'a'.repeat(8200)}`
    expect(decide(get(long), route())).toMatchObject({ allowed: false, status: 414 })
    // Each short escape grows to a long one: the canonical form is bounded too.
    expect(decide(get(`${ALLOWED}/${'+'.repeat(4000)}`), route())).toMatchObject({ status: 414 })
    const d = decide(get(ALLOWED, '?next=/../../admin&x=%2e%2e;'), route())
    expect(d).toMatchObject({ allowed: true, path: ALLOWED })
    expect(d.allowed && d.url.pathname).toBe(`/base${ALLOWED}`)
    expect(decide(get(ALLOWED, '?a#b'), route())).toMatchObject({ allowed: false, status: 400 })
  })

  it('TRACE, TRACK and CONNECT are refused (405) even when the policy lists them', () => {
    for (const method of ['TRACE', 'TRACK', 'CONNECT', 'trace']) {
      for (const methods of [[], ['TRACE', 'TRACK', 'CONNECT', 'GET']]) {
        expect(decide({ method, path: ALLOWED, query: '' }, route([], methods))).toMatchObject({
          allowed: false,
          status: 405,
          code: 'GATEWAY_METHOD_REFUSED',
        })
      }
    }
    expect(
      decide({ method: 'DELETE', path: ALLOWED, query: '' }, route([], ['GET'])),
    ).toMatchObject({ allowed: false, status: 403, code: 'GATEWAY_METHOD_REFUSED' })
    expect(decide({ method: 'PROPFIND', path: ALLOWED, query: '' }, route([]))).toMatchObject({
      allowed: true,
    })
    // A browser is never told it may send them either.
    const preflight = decidePreflight({ origin: 'https://app.example', method: 'TRACE' }, route())
    expect(preflight).toMatchObject({ allowed: false, status: 403 })
    // A policy cannot even be set to allow them.
    expect(parsePolicy({ methods: ['GET', 'TRACE'] })).toMatchObject({ ok: false })
  })

  it('Origin, upgrade and the order of refusals stay as they were', () => {
    const page = { ...get(ALLOWED), origin: 'https://evil.example' }
    expect(decide(page, route())).toMatchObject({ status: 403, code: 'GATEWAY_ORIGIN_REFUSED' })
    // From a page that may not use the gateway, even a trick path is an origin refusal.
    expect(decide({ ...page, path: `${ALLOWED}/..;/x` }, route())).toMatchObject({ status: 403 })
    expect(decide({ ...get(ALLOWED), origin: 'https://app.example' }, route()).allowed).toBe(true)
    expect(decide({ ...get(ALLOWED), upgrade: 'websocket' }, route())).toMatchObject({
      status: 501,
      code: 'UNSUPPORTED',
    })
  })

  it('policy prefixes are matched in the same canonical form; an ambiguous one allows nothing', () => {
    const typed = route(['/api/v1/%61cme/assets/'])
    expect(decide(get(`${ALLOWED}/1`), typed)).toMatchObject({ allowed: true })
    expect(decide(get(`${ALLOWED}/1`), route(['/api/v1/acme;x/assets']))).toMatchObject({
      status: 403,
    })
    // Setting a policy stores the canonical form, and refuses an ambiguous prefix with words.
    expect(parsePolicy({ paths: ['/api/v1/%61cme/assets/', '/a+b'] })).toMatchObject({
      ok: true,
      value: { paths: [ALLOWED, '/a%2Bb'] },
    })
    for (const bad of ['/api/..;/x', '/a%252e', '/a%2fb', '/a\\b']) {
      expect(parsePolicy({ paths: [bad] }), bad).toMatchObject({
        ok: false,
        code: 'VALIDATION_FAILED',
      })
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Through the real gateway: a TPStreams-shaped recording upstream behind a policy.

const ACCESS = 'gateway-access-token-for-tests-0123456789'
const tp = DEMO_USERS.tpstreams[0]!
let gw: RunningGateway | undefined
let recorder: RecordingServer | undefined
afterEach(async () => {
  await gw?.close()
  await recorder?.close()
  gw = recorder = undefined
})

async function gatewayWithPolicy(): Promise<{ gw: RunningGateway; up: RecordingServer }> {
  recorder = await startRecordingServer((req) =>
    req.path.endsWith('/api/auth/login/')
      ? { status: 200, json: { token: 'recorded-token' } }
      : { status: 200, json: { ok: true } },
  )
  const f = await actionFixture()
  const added = await f.actions.accounts.add(
    {
      label: 'acme',
      providerId: 'tpstreams',
      baseUrl: `${recorder.baseUrl}/base`,
      fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
      remember: true,
      login: false,
    },
    'cli',
  )
  if (!added.ok) throw new Error(added.message)
  const set = await f.actions.gateway.setPolicy('acme', { paths: [ALLOWED] }, 'cli')
  if (!set.ok) throw new Error(set.message)
  const started = await startGateway({
    source: actionsSource(() => f.actions),
    accessToken: ACCESS,
    port: 0,
  })
  if (!started.ok) throw new Error(started.message)
  gw = started.value
  return { gw, up: recorder }
}

/** Sends the request target byte for byte (no client library normalises it). */
function raw(port: number, requestLine: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () =>
      // Not half-closed (the gateway would take that as the client leaving): the server closes.
      s.write(
        `${requestLine} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nx-tokendeck-gateway: ${ACCESS}\r\n\r\n`,
      ),
    )
    let text = ''
    s.on('data', (d: Buffer) => (text += d.toString('latin1')))
    s.on('error', reject)
    s.on('close', () => resolve(text))
  })
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)

describe('through the real gateway', () => {
  it('no trick reaches a path outside the allow-list: the upstream receives nothing', async () => {
    const { gw, up } = await gatewayWithPolicy()
    for (const [path] of TRICKS) {
      // Node's own parser already refuses raw spaces and non-ASCII: the rest reach decide().
      if (/[ \u0080-\uffff]/.test(path)) continue
      const answer = await raw(gw.port, `GET /acme${path}`)
      expect(statusOf(answer), path).toBe(400)
      expect(answer).toContain('GATEWAY_PATH_REFUSED')
    }
    const trace = await raw(gw.port, `TRACE /acme${ALLOWED}`)
    expect(statusOf(trace)).toBe(405)
    expect(trace).toContain('GATEWAY_METHOD_REFUSED')
    expect(up.requests).toEqual([])

    // Allowed, and re-encoded: the upstream gets exactly the canonical path.
    const ok = await raw(gw.port, `GET /acme/api/v1/acme/%61ssets/a+b|c?q=1`)
    expect(statusOf(ok)).toBe(200)
    expect(up.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /base/api/auth/login/',
      `GET /base${ALLOWED}/a%2Bb%7Cc?q=1`,
    ])
  })

  it('CONNECT is answered 405 and the connection closed; nothing is forwarded', async () => {
    const { gw, up } = await gatewayWithPolicy()
    for (const target of ['127.0.0.1:443', 'evil.example:443', `127.0.0.1:${gw.port}`]) {
      const answer = await raw(gw.port, `CONNECT ${target}`)
      expect(statusOf(answer), target).toBe(405)
      expect(answer).toContain('GATEWAY_METHOD_REFUSED')
    }
    // The same through node:http, as a client library would send it.
    const viaClient = await new Promise<number>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: gw.port,
        method: 'CONNECT',
        path: 'evil.example:443',
        headers: { 'x-tokendeck-gateway': ACCESS },
      })
      req.on('connect', (res, socket) => {
        socket.destroy()
        resolve(res.statusCode ?? 0)
      })
      req.on('response', (res) => resolve(res.statusCode ?? 0))
      req.on('error', reject)
      req.end()
    })
    expect(viaClient).toBe(405)
    expect(up.requests).toEqual([])
  })
})
