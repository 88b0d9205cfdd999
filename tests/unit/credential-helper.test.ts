// `tokendeck credential-helper get`, the EngFlow credential-helper spec that Bazel's
// --credential_helper speaks, run as Bazel runs it (a process, JSON on stdin) against the
// sandbox: the headers are the ones the sandbox accepts, `expires` is the token's expiry in RFC
// 3339 (none when the token does not expire), gRPC URIs follow https routes, extra request
// properties are ignored, and every failure exits non-zero with nothing on stdout.
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, runCli, vaultWithTwoAccounts } from '../helpers/cli'

let sb: SandboxSet
let dir = ''

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  dir = await vaultWithTwoAccounts(sb)
}, 60_000)
afterAll(async () => {
  await sb.close()
})

/** Runs the helper as Bazel does: `get`, the request as JSON on stdin. */
const helper = (request: unknown, args = ['get'], env?: NodeJS.ProcessEnv) =>
  runCli(['credential-helper', ...args], dir, {
    input: typeof request === 'string' ? request : JSON.stringify(request),
    ...(env ? { env } : {}),
  })

interface Response {
  headers: Record<string, string[]>
  expires?: string
}

describe('tokendeck credential-helper (EngFlow / Bazel spec)', { timeout: 60_000 }, () => {
  it('answers {"headers", "expires"} with the header the sandbox accepts and the token expiry', async () => {
    const r = await helper({ uri: `${sb.xpay.baseUrl}/client/profile` })
    expect(r).toMatchObject({ code: 0, stderr: '' })
    const body = JSON.parse(r.stdout) as Response
    expect(Object.keys(body).sort()).toEqual(['expires', 'headers'])
    expect(Object.keys(body.headers)).toEqual(['Authorization'])
    const [value] = body.headers.Authorization!
    expect(value).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
    expect(body.headers.Authorization).toHaveLength(1)
    // RFC 3339 in UTC, the token's own expiry (whole seconds).
    const t = JSON.parse((await runCli(['token', 'xpay-dev', '--json'], dir)).stdout) as {
      token: string
      expiresAt: number
    }
    expect(value).toBe(`Bearer ${t.token}`)
    expect(body.expires).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(Date.parse(body.expires!)).toBe(Math.floor(t.expiresAt / 1000) * 1000)
    const res = await fetch(`${sb.xpay.baseUrl}/client/profile`, {
      headers: { Authorization: value! },
    })
    expect(res.status).toBe(200)
  })

  it('gives no "expires" for a token without expiry; extra request properties are ignored', async () => {
    const r = await helper({ uri: `${sb.tpstreams.baseUrl}/api/v1/acme/assets/`, extra: [1] })
    expect(r.code).toBe(0)
    const body = JSON.parse(r.stdout) as Response
    expect(body).not.toHaveProperty('expires')
    const res = await fetch(`${sb.tpstreams.baseUrl}/api/v1/acme/assets/`, {
      headers: { Authorization: body.headers.Authorization![0]! },
    })
    expect(res.status).toBe(200)
  })

  it('matches gRPC URIs as https routes, and ignores the query', async () => {
    const cache = 'https://cache.example.com'
    expect((await runCli(['route', 'add', cache, 'acme-prod'], dir)).code).toBe(0)
    const r = await helper({
      uri: 'grpcs://cache.example.com/build.bazel.remote.execution.v2.ActionCache/GetActionResult',
    })
    expect(r.code).toBe(0)
    const token = (await runCli(['token', 'acme-prod'], dir)).stdout.trim()
    expect(JSON.parse(r.stdout)).toEqual({ headers: { Authorization: [`Token ${token}`] } })
    const q = await helper({ uri: `${cache}/file.tgz?X-Signature=sig-in-the-query` })
    expect(q.code).toBe(0)
    const other = await helper({
      uri: 'https://elsewhere.example.com/x?X-Signature=sig-in-the-query',
    })
    expect(other.code).toBe(2)
    expect(other.stdout).toBe('')
    expect(other.stderr).toMatch(/No account serves https:\/\/elsewhere\.example\.com\/x/)
    expect(other.stderr).not.toContain('sig-in-the-query')
  })

  it('fails non-zero with words on stderr and nothing on stdout for bad input', async () => {
    const cases: [string[], string, RegExp][] = [
      [['get'], 'not json', /not JSON/],
      [['get'], '["https://x"]', /JSON object \{"uri"/],
      [['get'], '{"url": "https://x"}', /JSON object \{"uri"/],
      [['get'], '{"uri": 42}', /JSON object \{"uri"/],
      [['get'], '{"uri": "ftp://files.example.com/"}', /https, http and gRPC/],
      [['store'], '{"uri": "https://x"}', /get command only/],
      [['get'], '', /not JSON/],
    ]
    for (const [args, input, message] of cases) {
      const r = await helper(input, args)
      expect(r.code, input).not.toBe(0)
      expect(r.stdout, input).toBe('')
      expect(r.stderr, input).toMatch(message)
    }
    // No command at all: usage, and a failure (the spec: print usage, fail).
    const none = await runCli(['credential-helper'], dir)
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/Usage: tokendeck credential-helper get/)
  })

  it('answers through the agent without a passphrase', async () => {
    expect((await runCli(['agent', 'start'], dir)).code).toBe(0)
    try {
      const r = await helper({ uri: `${sb.xpay.baseUrl}/client/profile` }, ['get'], {
        TOKENDECK_PASSPHRASE: undefined,
      })
      expect(r.code).toBe(0)
      const body = JSON.parse(r.stdout) as Response
      const res = await fetch(`${sb.xpay.baseUrl}/client/profile`, {
        headers: { Authorization: body.headers.Authorization![0]! },
      })
      expect(res.status).toBe(200)
    } finally {
      await runCli(['agent', 'stop'], dir, { env: { TOKENDECK_PASSPHRASE: undefined } })
    }
    const locked = await helper({ uri: `${sb.xpay.baseUrl}/client/profile` }, ['get'], {
      TOKENDECK_PASSPHRASE: undefined,
    })
    expect(locked.code).toBe(3)
    expect(locked.stdout).toBe('')
  })
})
