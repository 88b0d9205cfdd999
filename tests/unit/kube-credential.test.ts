// `tokendeck kube-credential` as kubectl's exec credential plugin: real kubectl (when installed)
// against a fake Kubernetes API server over TLS that lets a request in only when the sandbox
// accepts its Bearer token; and the ExecCredential itself (v1, the bare token, the expiry in
// RFC 3339 only when the token expires, v1beta1 when kubectl asks for it).
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, runCli, vaultWithTwoAccounts } from '../helpers/cli'
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

  it('real kubectl sends the token to the API server (TLS, exec plugin, interactiveMode Never)', async (ctx) => {
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
    // A fake API server: a request gets in when the xpay sandbox accepts its Bearer token.
    const seen: string[] = []
    const api = https.createServer(
      { key: fs.readFileSync(key), cert: fs.readFileSync(cert) },
      (req, res) => {
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
    try {
      const port = (api.address() as AddressInfo).port
      const kubeconfig = path.join(certDir, 'kubeconfig')
      fs.writeFileSync(
        kubeconfig,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- name: fake',
          '  cluster:',
          `    server: https://127.0.0.1:${port}`,
          `    certificate-authority-data: ${fs.readFileSync(cert).toString('base64')}`,
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
          `      args: [${JSON.stringify(CLI)}, kube-credential, xpay-dev]`,
          '      interactiveMode: Never',
          '',
        ].join('\n'),
      )
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
        (resolve) => {
          const child = spawn('kubectl', ['get', '--raw', '/api/v1/namespaces'], {
            env: {
              PATH: process.env.PATH,
              HOME: certDir,
              KUBECONFIG: kubeconfig,
              TOKENDECK_VAULT: dir,
              TOKENDECK_PASSPHRASE: TEST_PASSPHRASE,
            },
          })
          let stdout = ''
          let stderr = ''
          child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
          child.on('close', (code) => resolve({ code, stdout, stderr }))
        },
      )
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'NamespaceList' })
      const token = (await runCli(['token', 'xpay-dev'], dir)).stdout.trim()
      expect(seen.length).toBeGreaterThan(0)
      expect(seen.every((s) => s === `Bearer ${token}`)).toBe(true)
    } finally {
      await new Promise<void>((resolve) => api.close(() => resolve()))
      fs.rmSync(certDir, { recursive: true, force: true })
    }
  })
})
