// A secret or token only ever reaches the origin it was entered or minted for, whatever sequence
// of *valid* calls a compromised renderer makes through the real IPC handler table. fast-check
// drives random sequences (add, move an account to the other server with or without typing the
// secret again, log in, log in again, copy, revoke, remove) against two TPStreams sandboxes, each
// behind a recording proxy that is its own origin with its own password; afterwards neither
// origin may have received the other's password or any token the other minted.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INVOKE } from '../../src/shared/ipc/channels'
import { startTpstreamsSandbox, type TpstreamsSandbox } from '../../src/main/sandbox'
import { startTestApp, type TestApp } from '../helpers/app'

type Side = 'A' | 'B'
const USER = 'origin@test'
const PASSWORD: Record<Side, string> = {
  A: 'password-for-origin-A',
  B: 'password-for-origin-B',
}

/** A reverse proxy that records every request it forwards and every token it saw minted. */
interface Recorder {
  url: string
  seen: string[]
  minted: Set<string>
  close(): Promise<void>
}

async function recordingProxy(target: string): Promise<Recorder> {
  const seen: string[] = []
  const minted = new Set<string>()
  const upstream = new URL(target)
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      seen.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)} ${body.toString()}`)
      const out = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          const back: Buffer[] = []
          up.on('data', (c: Buffer) => back.push(c))
          up.on('end', () => {
            const text = Buffer.concat(back).toString()
            const token = /"token"\s*:\s*"([^"]+)"/.exec(text)?.[1]
            if (token) minted.add(token)
            res.writeHead(up.statusCode ?? 502, up.headers)
            res.end(text)
          })
        },
      )
      out.on('error', () => res.destroy())
      out.end(body)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    minted,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

const side = fc.constantFrom<Side>('A', 'B')
const idx = fc.nat(3)
// Weighted towards what moves credentials: adding, moving, logging in and revoking.
const step = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('add' as const), side, remember: fc.boolean() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('move' as const),
      idx,
      to: side,
      retype: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('login' as const), idx, force: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('copy' as const), idx }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('revoke' as const), idx, all: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), idx }) },
)

let servers: Record<Side, TpstreamsSandbox>
/** A fresh organization per run: the servers live across runs, and each caps 20 tokens per org. */
let orgs = 0

beforeAll(async () => {
  servers = { A: await startTpstreamsSandbox(), B: await startTpstreamsSandbox() }
  servers.A.addUser({ username: USER, secret: PASSWORD.A })
  servers.B.addUser({ username: USER, secret: PASSWORD.B })
})
afterAll(async () => {
  await servers.A.close()
  await servers.B.close()
})

describe('origin binding under random sequences of valid calls', () => {
  it('no secret or token reaches an origin it was not bound to', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 14 }), async (steps) => {
        const proxy = {
          A: await recordingProxy(servers.A.baseUrl),
          B: await recordingProxy(servers.B.baseUrl),
        }
        const sideOf = (url: string): Side => (url === proxy.A.url ? 'A' : 'B')
        const app: TestApp = await startTestApp()
        const org = `org-${orgs++}`
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const call = (c: string, p?: unknown): Promise<any> =>
          app.handlers[c as keyof typeof app.handlers](p)
        try {
          const created = await call(INVOKE.vaultCreate, {
            protection: 'passphrase',
            passphrase: 'origin test passphrase',
          })
          expect(created.ok).toBe(true)
          let n = 0
          const accounts = async () =>
            (await call(INVOKE.snapshot)).value.accounts as {
              id: string
              baseUrl: string
              remember: boolean
            }[]
          for (const s of steps) {
            const list = await accounts()
            const a = 'idx' in s ? list[s.idx % Math.max(list.length, 1)] : undefined
            if ('idx' in s && !a) continue
            switch (s.kind) {
              case 'add':
                await call(INVOKE.accountsAdd, {
                  label: `acct-${n++}`,
                  providerId: 'tpstreams',
                  baseUrl: proxy[s.side].url,
                  fields: { username: USER, password: PASSWORD[s.side], organization_id: org },
                  remember: s.remember,
                  login: true,
                })
                break
              case 'move':
                await call(INVOKE.accountsUpdate, {
                  accountId: a!.id,
                  patch: {
                    baseUrl: proxy[s.to].url,
                    ...(s.retype ? { fields: { password: PASSWORD[s.to] } } : {}),
                  },
                })
                break
              case 'login':
                // A person types the password of the server the account is on now.
                await call(INVOKE.tokensLogin, {
                  accountId: a!.id,
                  force: s.force,
                  ...(a!.remember ? {} : { secrets: { password: PASSWORD[sideOf(a!.baseUrl)] } }),
                })
                break
              case 'copy':
                await call(INVOKE.copyHeader, { accountId: a!.id })
                break
              case 'revoke':
                await call(INVOKE.tokensRevoke, { accountId: a!.id, all: s.all })
                break
              case 'remove':
                await call(INVOKE.accountsRemove, { accountId: a!.id, revokeFirst: true })
                break
            }
          }
          for (const [here, there] of [
            ['A', 'B'],
            ['B', 'A'],
          ] as const) {
            const received = proxy[here].seen.join('\n')
            expect(received).not.toContain(PASSWORD[there])
            for (const t of proxy[there].minted) expect(received).not.toContain(t)
          }
        } finally {
          await app.close()
          await proxy.A.close()
          await proxy.B.close()
        }
      }),
      { numRuns: 30 },
    )
  })

  it('moving an account: refused without the secret, settles old tokens, then never sends old ones', async () => {
    const proxy = {
      A: await recordingProxy(servers.A.baseUrl),
      B: await recordingProxy(servers.B.baseUrl),
    }
    const app = await startTestApp()
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const call = (c: string, p?: unknown): Promise<any> =>
      app.handlers[c as keyof typeof app.handlers](p)
    try {
      await call(INVOKE.vaultCreate, {
        protection: 'passphrase',
        passphrase: 'origin test passphrase',
      })
      const added = await call(INVOKE.accountsAdd, {
        label: 'mover',
        providerId: 'tpstreams',
        baseUrl: proxy.A.url,
        fields: { username: USER, password: PASSWORD.A, organization_id: `org-${orgs++}` },
        remember: true,
        login: true,
      })
      expect(added.ok).toBe(true)
      const [token] = [...proxy.A.minted]
      expect(servers.A.isTokenValid(token!)).toBe(true)
      const refused = await call(INVOKE.accountsUpdate, {
        accountId: added.value.id,
        patch: { baseUrl: proxy.B.url },
      })
      expect(refused.code).toBe('VALIDATION_FAILED')
      expect(refused.fields.password).toBeDefined()
      // The refusal revoked the old token at its own origin first: nothing is left live there.
      expect(servers.A.isTokenValid(token!)).toBe(false)
      const moved = await call(INVOKE.accountsUpdate, {
        accountId: added.value.id,
        patch: { baseUrl: proxy.B.url, fields: { password: PASSWORD.B } },
      })
      expect(moved.ok).toBe(true)
      expect((await call(INVOKE.copyHeader, { accountId: added.value.id })).ok).toBe(true)
      const toB = proxy.B.seen.join('\n')
      expect(toB).not.toContain(PASSWORD.A)
      expect(toB).not.toContain(token!)
    } finally {
      await app.close()
      await proxy.A.close()
      await proxy.B.close()
    }
  })
})
