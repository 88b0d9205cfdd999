// Attacker 1 of docs/security.md: someone who can write the vault folder but does not know the
// passphrase edits vault.json by hand. Each secret and token is bound (AEAD associated data) to
// its account, provider and origin, so: pointing an account at another server and marking its
// token revoked sends nothing anywhere (the password does not open for the new origin); a token
// moved to another account does not open; a hand-edited header name is refused. The real CLI is
// the victim; the file is left untouched. A vault written before bindings is bound on unlock.
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { boundAad, legacyAad } from '../../src/main/vault/bindings'
import { openRecord, seal } from '../../src/main/vault/crypto'
import { createVaultServices, passphraseProtector } from '../../src/main/vault'
import { sealedRecords } from '../../src/main/vault/rekey'
import type { VaultData } from '../../src/main/vault/schema'
import { CHEAP_SCRYPT, TEST_PASSPHRASE, newVault, tempDir } from '../helpers/vault'
import { CLI, runCli } from '../helpers/cli'

const tp = DEMO_USERS.tpstreams[0]!
let sb: SandboxSet
let attacker: http.Server
let attackerUrl = ''
const received: string[] = []

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  attacker = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      received.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)} ${body}`)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"token":"attacker-token-0000000000000000000000000000"}')
    })
  })
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r))
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`
})
afterAll(async () => {
  await sb.close()
  await new Promise<void>((r) => attacker.close(() => r()))
})

const cli = (args: string[], dir: string) => runCli(args, dir)

async function vaultWithTwoAccounts() {
  const v = await newVault()
  for (const label of ['acme-prod', 'acme-ci']) {
    const r = await v.accounts.add({
      label,
      providerId: 'tpstreams',
      baseUrl: sb.tpstreams.baseUrl,
      fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
      remember: true,
    })
    if (!r.ok) throw new Error(r.message)
    const h = await v.tokens.header(r.value.id, { surface: 'cli' })
    if (!h.ok) throw new Error(h.message)
  }
  const file = path.join(v.dir, 'vault.json')
  const edit = (change: (d: VaultData) => void) => {
    const d = JSON.parse(fs.readFileSync(file, 'utf8')) as VaultData
    change(d)
    fs.writeFileSync(file, JSON.stringify(d))
    return fs.readFileSync(file, 'utf8')
  }
  return { v, file, edit }
}

describe('a hand-edited vault file', { timeout: 60_000 }, () => {
  it('an account pointed at another server, its token marked revoked: nothing is sent', async () => {
    const { file, edit, v } = await vaultWithTwoAccounts()
    const edited = edit((d) => {
      const acc = d.accounts.find((a) => a.label === 'acme-prod')!
      acc.baseUrl = attackerUrl
      for (const t of d.tokens) {
        if (t.accountId !== acc.id) continue
        t.state = 'revoked'
        t.secret = null
      }
    })
    const before = received.length
    const r = await cli(['header', 'acme-prod'], v.dir)
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/changed outside TokenDeck/)
    expect(r.stdout).toBe('')
    expect(received.length).toBe(before)
    const login = await cli(['login', 'acme-prod', '--force'], v.dir)
    expect(login.code).toBe(3)
    expect(received.length).toBe(before)
    expect(fs.readFileSync(file, 'utf8')).toBe(edited)
  })

  it('a token moved to another account does not open: its label never gets that token', async () => {
    const { edit, v } = await vaultWithTwoAccounts()
    let moved = ''
    edit((d) => {
      const prod = d.accounts.find((a) => a.label === 'acme-prod')!
      const ci = d.accounts.find((a) => a.label === 'acme-ci')!
      d.tokens = d.tokens.filter((t) => t.accountId !== ci.id)
      const t = d.tokens.find((x) => x.accountId === prod.id)!
      t.accountId = ci.id
      moved = t.id
    })
    expect(moved).not.toBe('')
    const r = await cli(['header', 'acme-ci'], v.dir)
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/changed outside TokenDeck/)
  })

  it('a hand-edited header name cannot inject a line into `tokendeck header`', async () => {
    const { edit, v } = await vaultWithTwoAccounts()
    edit((d) => {
      for (const t of d.tokens) t.headerName = 'Authorization: x\r\nX-Injected'
    })
    const r = await cli(['header', 'acme-prod'], v.dir)
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stdout + r.stderr).not.toContain('X-Injected:')
  })
})

describe('a vault written before records were bound', () => {
  it('is bound on the first unlock, once, and then works as before', async () => {
    const dir = tempDir()
    const v = await newVault({ dir })
    const added = await v.accounts.add({
      label: 'old',
      providerId: 'tpstreams',
      baseUrl: sb.tpstreams.baseUrl,
      fields: { username: tp.username, password: tp.secret, organization_id: 'globex' },
      remember: true,
    })
    expect(added.ok).toBe(true)
    const first = await v.tokens.header(added.ok ? added.value.id : '', { surface: 'cli' })
    expect(first.ok).toBe(true)
    // Rewrite the file as the previous format had it: records under the unbound associated data.
    const key = (v.vault as unknown as { key: Buffer }).key
    const file = path.join(dir, 'vault.json')
    const d = JSON.parse(fs.readFileSync(file, 'utf8')) as VaultData
    for (const ref of sealedRecords(d)) {
      const plain = openRecord(key, ref.rec, boundAad(d.vaultId, ref.recordId, ref.binding))
      expect(plain).not.toBeNull()
      ref.replace(seal(key, plain!, legacyAad(d.vaultId, ref.recordId)))
    }
    delete d.bindings
    fs.writeFileSync(file, JSON.stringify(d))
    v.vault.lock()

    const fresh = createVaultServices({ dir })
    expect((await fresh.vault.unlock(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT))).ok).toBe(
      true,
    )
    expect((JSON.parse(fs.readFileSync(file, 'utf8')) as VaultData).bindings).toBe(2)
    const h = await fresh.tokens.header(added.ok ? added.value.id : '', { surface: 'cli' })
    expect(h.ok && h.value.reused).toBe(true)
    expect(h.ok && first.ok && h.value.token).toBe(first.ok ? first.value.token : 'x')
  })
})
