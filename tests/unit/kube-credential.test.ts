// `tokendeck kube-credential` as kubectl's exec credential plugin: real kubectl (when installed)
// against a fake Kubernetes API server over TLS that lets a request in only when the sandbox
// accepts its Bearer token; and the ExecCredential itself (v1, the bare token, the expiry in
// RFC 3339 only when the token expires, v1beta1 when kubectl asks for it). When kubectl names the
// cluster (provideClusterInfo: true), a token is printed only for a cluster whose server is the
// account's own (attacker 5: a kubeconfig, or a KUBERNETES_EXEC_INFO, that points elsewhere).
import { execFileSync, spawn } from 'node:child_process'
import http from 'node:http'
import fs from 'node:fs'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { DEMO_USERS } from '../../src/main/sandbox'
import { CLI, addXpayAccount, runCli, vaultWithTwoAccounts } from '../helpers/cli'
import { TEST_PASSPHRASE, tempDir } from '../helpers/vault'

let sb: SandboxSet
let dir = ''

function has(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 20_000 })
    return true
  } catch {
    return false
  }
}

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  dir = await vaultWithTwoAccounts(sb)
}, 60_000)
afterAll(async () => {
  await sb.close()
})

interface ExecCredential {
  apiVersion: string
  kind: string
  status: { token: string; expirationTimestamp?: string }
}

describe('tokendeck kube-credential', { timeout: 60_000 }, () => {
  it('prints a v1 ExecCredential: the bare token the sandbox accepts and its expiry', async () => {
    const r = await runCli(['kube-credential', 'xpay-dev'], dir)
    expect(r).toMatchObject({ code: 0, stderr: '' })
    const c = JSON.parse(r.stdout) as ExecCredential
    expect(Object.keys(c)).toEqual(['apiVersion', 'kind', 'status'])
    expect(c.apiVersion).toBe('client.authentication.k8s.io/v1')
    expect(c.kind).toBe('ExecCredential')
    expect(Object.keys(c.status).sort()).toEqual(['expirationTimestamp', 'token'])
    const t = JSON.parse((await runCli(['token', 'xpay-dev', '--json'], dir)).stdout) as {
      token: string
      expiresAt: number
    }
    expect(c.status.token).toBe(t.token)
    expect(c.status.expirationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(Date.parse(c.status.expirationTimestamp!)).toBe(Math.floor(t.expiresAt / 1000) * 1000)
    const res = await fetch(`${sb.xpay.baseUrl}/client/profile`, {
      headers: { Authorization: `Bearer ${c.status.token}` },
    })
    expect(res.status).toBe(200)
  })

  it('leaves out expirationTimestamp for a token that does not expire; answers v1beta1 when asked', async () => {
    const r = await runCli(['kube-credential', 'acme-prod'], dir, {
      env: {
        KUBERNETES_EXEC_INFO: JSON.stringify({
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          kind: 'ExecCredential',
          spec: { interactive: false },
        }),
      },
    })
    expect(r.code).toBe(0)
    const c = JSON.parse(r.stdout) as ExecCredential
    expect(c.apiVersion).toBe('client.authentication.k8s.io/v1beta1')
    expect(c.status).toEqual({ token: expect.stringMatching(/^[0-9a-f]{40}$/) as string })
    const unknown = await runCli(['kube-credential', 'nobody'], dir)
    expect(unknown.code).toBe(2)
    expect(unknown.stdout).toBe('')
  })

  it('with the cluster named, prints a token only for the account server', async () => {
    const info = (server: unknown) =>
      JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        spec: { cluster: { server, 'insecure-skip-tls-verify': false }, interactive: false },
      })
    const base = sb.xpay.baseUrl
    const port = Number(new URL(base).port)
    for (const server of [base, `${base}/`, `${base}/k8s/clusters/c-1`]) {
      const r = await runCli(['kube-credential', 'xpay-dev'], dir, {
        env: { KUBERNETES_EXEC_INFO: info(server) },
      })
      expect(r.code, server).toBe(0)
      expect((JSON.parse(r.stdout) as ExecCredential).status.token).toMatch(/^ey/)
    }
    const refused: [unknown, RegExp][] = [
      [
        `http://127.0.0.1:${port + 1}`,
        /cluster at http:\/\/127\.0\.0\.1:\d+\/, which is not "xpay-dev"'s server/,
      ],
      [`https://127.0.0.1:${port}`, /not "xpay-dev"'s server/],
      [`http://localhost:${port}`, /not "xpay-dev"'s server/],
      [`http://127.0.0.1:${port}@evil.test/`, /cluster at http:\/\/evil\.test\//],
      [sb.tpstreams.baseUrl, /not "xpay-dev"'s server/],
      ['', /names a cluster but not its server/],
      [42, /names a cluster but not its server/],
    ]
    for (const [server, why] of refused) {
      const r = await runCli(['kube-credential', 'xpay-dev'], dir, {
        env: { KUBERNETES_EXEC_INFO: info(server) },
      })
      expect(r.code, String(server)).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(why)
    }
    const garbled = await runCli(['kube-credential', 'xpay-dev'], dir, {
      env: { KUBERNETES_EXEC_INFO: '{not json' },
    })
    expect(garbled.code).toBe(2)
    expect(garbled.stdout).toBe('')
    // No cluster given (provideClusterInfo off): as before, a credential.
    const none = await runCli(['kube-credential', 'xpay-dev'], dir, {
      env: {
        KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion: V1, spec: { interactive: false } }),
      },
    })
    expect(none.code).toBe(0)
  })

  it('real kubectl sends the token to the API server (TLS, exec plugin, interactiveMode Never)', async (ctx) => {
    const api = await fakeApi(ctx)
    try {
      const run = await kubectl(api, { label: 'xpay-dev', provideClusterInfo: false })
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'NamespaceList' })
      const token = (await runCli(['token', 'xpay-dev'], dir)).stdout.trim()
      expect(api.seen.length).toBeGreaterThan(0)
      expect(api.seen.every((s) => s === `Bearer ${token}`)).toBe(true)
    } finally {
      await api.close()
    }
  })

  it('real kubectl with provideClusterInfo: a cluster on another server gets no token', async (ctx) => {
    const api = await fakeApi(ctx)
    try {
      // xpay-dev's server is the xpay sandbox; this cluster is elsewhere.
      const run = await kubectl(api, { label: 'xpay-dev', provideClusterInfo: true })
      expect(run.code).not.toBe(0)
      expect(run.stdout).toBe('')
      // kubectl passes the plugin's words on.
      expect(run.stderr).toMatch(/which is not "xpay-dev"'s server/)
      const token = (await runCli(['token', 'xpay-dev'], dir)).stdout.trim()
      expect(api.seen.some((s) => s.includes(token))).toBe(false)
    } finally {
      await api.close()
    }
  })

  it("real kubectl with provideClusterInfo: the account's own cluster gets its token", async (ctx) => {
    const api = await fakeApi(ctx)
    try {
      // An account whose server is the API server itself (logins pass through to the sandbox).
      const xp = DEMO_USERS.xpay[0]!
      const env = { NODE_EXTRA_CA_CERTS: api.cert }
      const add = await addXpayAccount(
        dir,
        { baseUrl: api.url, label: 'kube-own', username: xp.username, secret: xp.secret },
        env,
      )
      expect(add.code, add.stderr).toBe(0)
      const run = await kubectl(api, { label: 'kube-own', provideClusterInfo: true, env })
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'NamespaceList' })
      const token = (await runCli(['token', 'kube-own'], dir, { env })).stdout.trim()
      expect(api.seen).toContain(`Bearer ${token}`)
    } finally {
      await api.close()
    }
  })
})

const V1 = 'client.authentication.k8s.io/v1'

interface FakeApi {
  url: string
  cert: string
  certDir: string
  /** The Authorization header of every Kubernetes API request. */
  seen: string[]
  close(): Promise<void>
}

/**
 * A fake Kubernetes API server over TLS (self-signed for 127.0.0.1): `/api/...` requests get in
 * when the xpay sandbox accepts their Bearer token; anything else is passed to the xpay sandbox
 * (so an xpay account can log in with this server as its base URL).
 */
async function fakeApi(ctx: { skip(note: string): never }): Promise<FakeApi> {
  if (!has('kubectl', ['version', '--client'])) ctx.skip('kubectl is not installed')
  const certDir = tempDir('tokendeck-kube-cert-')
  const key = path.join(certDir, 'key.pem')
  const cert = path.join(certDir, 'cert.pem')
  const made = has('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ])
  if (!made) ctx.skip('openssl is not available (kubectl sends credentials only over TLS)')
  const seen: string[] = []
  const xpay = new URL(sb.xpay.baseUrl)
  const api = https.createServer(
    { key: fs.readFileSync(key), cert: fs.readFileSync(cert) },
    (req, res) => {
      if (!(req.url ?? '').startsWith('/api')) {
        const upstream = http.request(
          {
            host: xpay.hostname,
            port: xpay.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: xpay.host },
          },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers)
            up.pipe(res)
          },
        )
        req.pipe(upstream)
        return
      }
      const auth = req.headers.authorization ?? ''
      seen.push(auth)
      void fetch(`${sb.xpay.baseUrl}/client/profile`, { headers: { Authorization: auth } }).then(
        (check) => {
          res.setHeader('content-type', 'application/json')
          if (check.status !== 200) {
            res.statusCode = 401
            res.end('{"kind":"Status","apiVersion":"v1","status":"Failure","code":401}')
            return
          }
          res.end('{"kind":"NamespaceList","apiVersion":"v1","metadata":{},"items":[]}')
        },
      )
    },
  )
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve))
  const port = (api.address() as AddressInfo).port
  return {
    url: `https://127.0.0.1:${port}`,
    cert,
    certDir,
    seen,
    close: async () => {
      api.closeAllConnections()
      await new Promise<void>((resolve) => api.close(() => resolve()))
      fs.rmSync(certDir, { recursive: true, force: true })
    },
  }
}

/** `kubectl get --raw /api/v1/namespaces` against `api` with the tokendeck exec plugin for L. */
async function kubectl(
  api: FakeApi,
  o: { label: string; provideClusterInfo: boolean; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const kubeconfig = path.join(api.certDir, `kubeconfig-${o.label}`)
  fs.writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${api.url}`,
      `    certificate-authority-data: ${fs.readFileSync(api.cert).toString('base64')}`,
      'contexts:',
      '- name: fake',
      '  context: {cluster: fake, user: tokendeck}',
      'current-context: fake',
      'users:',
      '- name: tokendeck',
      '  user:',
      '    exec:',
      '      apiVersion: client.authentication.k8s.io/v1',
      `      command: ${JSON.stringify(process.execPath)}`,
      `      args: [${JSON.stringify(CLI)}, kube-credential, ${o.label}]`,
      '      interactiveMode: Never',
      `      provideClusterInfo: ${o.provideClusterInfo}`,
      '',
    ].join('\n'),
  )
  return new Promise((resolve) => {
    const child = spawn('kubectl', ['get', '--raw', '/api/v1/namespaces'], {
      env: {
        PATH: process.env.PATH,
        HOME: api.certDir,
        KUBECONFIG: kubeconfig,
        TOKENDECK_VAULT: dir,
        TOKENDECK_PASSPHRASE: TEST_PASSPHRASE,
        ...o.env,
      },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
