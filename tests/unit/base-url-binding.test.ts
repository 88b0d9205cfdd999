// A secret or token only ever reaches the base URL it was entered or minted for, whatever sequence
// of *valid* calls a compromised renderer makes through the real IPC handler table. fast-check
// drives random sequences (add, move an account to the other server with or without typing the
// secret again, log in, log in again, copy, revoke, remove) against two TPStreams sandboxes, each
// with its own password, behind recording proxies laid out two ways: two origins, and two base
// URLs under one host (/tenant-a, /tenant-b: two APIs on one host are two servers). Afterwards
// neither server may have received the other's password or any token the other minted. A move
// that is refused (no secret typed again) revokes nothing.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INVOKE } from '../../src/shared/ipc/channels'
import { startTpstreamsSandbox, type TpstreamsSandbox } from '../../src/main/sandbox'
import { startTestApp, type TestApp } from '../helpers/app'
import { newVault } from '../helpers/vault'

type Side = 'A' | 'B'
const USER = 'origin@test'
const PASSWORD: Record<Side, string> = {
  A: 'password-for-origin-A',
  B: 'password-for-origin-B',
}

/** What one server behind the proxies received, and the tokens it minted. */
interface Recorder {
  url: string
  seen: string[]
  minted: Set<string>
}

/** How the two servers are reached: each on its own origin, or both under one host. */
type Layout = 'origins' | 'paths'

/**
 * Reverse proxies in front of the two servers that record every request and every token minted.
 * 'origins': one proxy per server. 'paths': one proxy, `/tenant-a/...` to A and `/tenant-b/...`
 * to B (the prefix removed), so both base URLs share an origin.
 */
async function recordingProxies(
  layout: Layout,
  targets: Record<Side, string>,
): Promise<Record<Side, Recorder> & { close(): Promise<void> }> {
  const rec = (): Recorder => ({ url: '', seen: [], minted: new Set() })
  const recorders: Record<Side, Recorder> = { A: rec(), B: rec() }
  const prefix: Record<Side, string> = { A: '/tenant-a', B: '/tenant-b' }
  const serve = (pick: (url: string) => { side: Side; path: string } | null) =>
    http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        const to = pick(req.url ?? '/')
        if (!to) {
          res.writeHead(404).end()
          return
        }
        const r = recorders[to.side]
        r.seen.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)} ${body.toString()}`)
        const upstream = new URL(targets[to.side])
        const out = http.request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: to.path,
            headers: { ...req.headers, host: upstream.host },
          },
          (up) => {
            const back: Buffer[] = []
            up.on('data', (c: Buffer) => back.push(c))
            up.on('end', () => {
              const text = Buffer.concat(back).toString()
              const token = /"token"\s*:\s*"([^"]+)"/.exec(text)?.[1]
              if (token) r.minted.add(token)
              res.writeHead(up.statusCode ?? 502, up.headers)
              res.end(text)
            })
          },
        )
        out.on('error', () => res.destroy())
        out.end(body)
      })
    })
  const listen = async (server: http.Server) => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }
  const servers: http.Server[] = []
  if (layout === 'origins') {
    for (const side of ['A', 'B'] as const) {
      const server = serve((url) => ({ side, path: url }))
      servers.push(server)
      recorders[side].url = await listen(server)
    }
  } else {
    const server = serve((url) => {
      for (const side of ['A', 'B'] as const) {
        if (url.startsWith(`${prefix[side]}/`))
          return { side, path: url.slice(prefix[side].length) }
      }
      return null
    })
    servers.push(server)
    const origin = await listen(server)
    for (const side of ['A', 'B'] as const) recorders[side].url = `${origin}${prefix[side]}`
  }
  return {
    ...recorders,
    close: async () => {
      for (const server of servers) {
        server.closeAllConnections()
        await new Promise<void>((r) => server.close(() => r()))
      }
    },
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

describe.each(['origins', 'paths'] as const)('base URL binding, servers on two %s', (layout) => {
  it('no secret or token reaches a server it was not bound to', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 14 }), async (steps) => {
        const proxy = await recordingProxies(layout, {
          A: servers.A.baseUrl,
          B: servers.B.baseUrl,
        })
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
          await proxy.close()
        }
      }),
      { numRuns: 20 },
    )
  })

  it('moving an account: refused without the secret and nothing revoked; then settled at the old server, never sent on', async () => {
    const proxy = await recordingProxies(layout, { A: servers.A.baseUrl, B: servers.B.baseUrl })
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
      const logouts = servers.A.stats.logoutRequests
      const refused = await call(INVOKE.accountsUpdate, {
        accountId: added.value.id,
        patch: { baseUrl: proxy.B.url },
      })
      expect(refused.code).toBe('VALIDATION_FAILED')
      expect(refused.fields.password).toBeDefined()
      // A refused move revokes nothing: the token is still live at its own server.
      expect(servers.A.isTokenValid(token!)).toBe(true)
      expect(servers.A.stats.logoutRequests).toBe(logouts)
      const moved = await call(INVOKE.accountsUpdate, {
        accountId: added.value.id,
        patch: { baseUrl: proxy.B.url, fields: { password: PASSWORD.B } },
      })
      expect(moved.ok).toBe(true)
      // The move settled the old token where it was minted, first.
      expect(servers.A.isTokenValid(token!)).toBe(false)
      expect((await call(INVOKE.copyHeader, { accountId: added.value.id })).ok).toBe(true)
      const toB = proxy.B.seen.join('\n')
      expect(toB).toContain(PASSWORD.B)
      expect(toB).not.toContain(PASSWORD.A)
      expect(toB).not.toContain(token!)
      expect(proxy.A.seen.join('\n')).not.toContain(PASSWORD.B)
    } finally {
      await app.close()
      await proxy.close()
    }
  })
})

describe('the binding itself', () => {
  it('a record sealed for one base URL does not open for another path on the same host', async () => {
    const v = await newVault()
    const a = { id: 'acc-1', providerId: 'tpstreams', baseUrl: 'https://api.example.com/tenant-a' }
    const sealed = v.vault.storage.sealSecret('account/acc-1/secret/password', a, 'hunter2-hunter2')
    expect(sealed.ok).toBe(true)
    if (!sealed.ok) return
    const same = v.vault.storage.openSecret('account/acc-1/secret/password', a, sealed.value)
    expect(same.ok && same.value).toBe('hunter2-hunter2')
    const other = v.vault.storage.openSecret(
      'account/acc-1/secret/password',
      { ...a, baseUrl: 'https://api.example.com/tenant-b' },
      sealed.value,
    )
    expect(!other.ok && other.code).toBe('VAULT_TAMPERED')
  })
})
