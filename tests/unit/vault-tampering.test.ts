// Attacker 1 of docs/security.md: someone who can write the vault folder but does not know the
// passphrase edits vault.json by hand. Everything but the header (format, vault id, key check,
// key slots) is sealed in one body whose associated data is a hash of the header, so labels,
// hosts and the ledger are unreadable, and any edit, a swapped-in body or slot from a vault the
// attacker made, or a changed header, is VAULT_TAMPERED: the real CLI, the victim, sends nothing
// to the attacker's server and the file is left untouched. Every secret and token is also bound
// to its account, provider and base URL; a format 1 file (from before) is upgraded only when the
// person confirms, and a record that does not open as it was sealed refuses the upgrade.
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { createVaultServices, passphraseProtector } from '../../src/main/vault'
import type { VaultData, VaultFileV2 } from '../../src/main/vault/storage/schema'
import {
  CHEAP_SCRYPT,
  TEST_PASSPHRASE,
  newVault,
  readSealed,
  tempDir,
  vaultKey,
} from '../helpers/vault'
import { CLI, runCli } from '../helpers/cli'
import { asLegacyFormat1 } from '../helpers/legacy-vault'
const tp = DEMO_USERS.tpstreams[0]!
let sb: SandboxSet
let attacker: http.Server
let attackerUrl = ''
const received: string[] = []

// A sandbox of its own for each test: its organizations are capped at 20 tokens.
beforeEach(async () => {
  sb = await startSandbox()
})
afterEach(async () => {
  await sb.close()
})

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
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
  await new Promise<void>((r) => attacker.close(() => r()))
})

const cli = (args: string[], dir: string) => runCli(args, dir)
const ATTACKER_PASSPHRASE = 'the attacker knows this one'

async function vaultWithTwoAccounts() {
  const v = await newVault()
  const ids: string[] = []
  for (const label of ['acme-prod', 'acme-ci']) {
    const r = await v.accounts.add({
      label,
      providerId: 'tpstreams',
      baseUrl: sb.tpstreams.baseUrl,
      fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
      remember: true,
    })
    if (!r.ok) throw new Error(r.message)
    ids.push(r.value.id)
    const h = await v.tokens.header(r.value.id, { surface: 'cli' })
    if (!h.ok) throw new Error(h.message)
  }
  const file = path.join(v.dir, 'vault.json')
  const raw = () => JSON.parse(fs.readFileSync(file, 'utf8')) as VaultFileV2
  const edit = (change: (d: VaultFileV2) => void) => {
    const d = raw()
    change(d)
    fs.writeFileSync(file, JSON.stringify(d))
    return fs.readFileSync(file, 'utf8')
  }
  return { v, file, raw, edit, ids }
}

/**
 * A vault the attacker made with a passphrase they know: the same labels, but pointing at their
 * server, where they would like the victim's password and tokens to go.
 */
async function attackersVault(): Promise<VaultFileV2> {
  const a = await newVault({ passphrase: ATTACKER_PASSPHRASE })
  for (const label of ['acme-prod', 'acme-ci']) {
    const r = await a.accounts.add({
      label,
      providerId: 'tpstreams',
      baseUrl: attackerUrl,
      fields: { username: tp.username, organization_id: 'acme' },
      remember: false,
    })
    if (!r.ok) throw new Error(r.message)
  }
  return JSON.parse(fs.readFileSync(path.join(a.dir, 'vault.json'), 'utf8')) as VaultFileV2
}

/** The victim runs the commands that would send a secret; nothing reaches the attacker. */
async function expectRefusedAndNothingSent(dir: string, file: string, edited: string) {
  const before = received.length
  for (const args of [
    ['header', 'acme-prod'],
    ['login', 'acme-prod', '--force'],
    ['revoke', 'acme-prod'],
    ['status'],
  ]) {
    const r = await cli(args, dir)
    expect(r.code, args.join(' ')).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/changed outside TokenDeck/)
    expect(r.stderr).not.toContain(tp.secret)
  }
  expect(received.length).toBe(before)
  expect(fs.readFileSync(file, 'utf8')).toBe(edited)
}

describe('the vault file at rest', () => {
  it('shows no label, host, username, organization or setting to someone who reads it', async () => {
    const { file, v } = await vaultWithTwoAccounts()
    expect((await v.vault.updateSettings({ globalShortcut: 'Alt+Shift+F7' })).ok).toBe(true)
    const bytes = fs.readFileSync(file, 'utf8')
    const { host } = new URL(sb.tpstreams.baseUrl)
    for (const plain of ['acme-prod', 'acme-ci', host, tp.username, '"acme"', 'Alt+Shift+F7']) {
      expect(bytes, plain).not.toContain(plain)
    }
    expect(Object.keys(JSON.parse(bytes) as object).sort()).toEqual(
      ['body', 'createdAt', 'format', 'keyCheck', 'keySlots', 'schemaVersion', 'vaultId'].sort(),
    )
  })
})

describe('a hand-edited vault file', { timeout: 60_000 }, () => {
  it('one changed byte of the body: refused everywhere, nothing sent, file untouched', async () => {
    const { file, edit, v } = await vaultWithTwoAccounts()
    const edited = edit((d) => {
      const ct = Buffer.from(d.body.ct, 'base64')
      ct[ct.length >> 1]! ^= 0x01
      d.body.ct = ct.toString('base64')
    })
    await expectRefusedAndNothingSent(v.dir, file, edited)
  })

  it("the attacker's own body (accounts pointed at their server) under the victim's header", async () => {
    const { file, edit, v } = await vaultWithTwoAccounts()
    const theirs = await attackersVault()
    const edited = edit((d) => {
      d.body = theirs.body
    })
    await expectRefusedAndNothingSent(v.dir, file, edited)
  })

  it("the attacker's vault with the victim's key slot planted beside theirs", async () => {
    const { file, raw, v } = await vaultWithTwoAccounts()
    const mine = raw()
    const theirs = await attackersVault()
    const planted = { ...theirs, vaultId: mine.vaultId, keySlots: [...mine.keySlots] }
    fs.writeFileSync(file, JSON.stringify(planted))
    await expectRefusedAndNothingSent(v.dir, file, fs.readFileSync(file, 'utf8'))
  })

  it("a passphrase slot of the attacker's added to the victim's header opens nothing", async () => {
    const { file, edit, v } = await vaultWithTwoAccounts()
    const theirs = await attackersVault()
    const edited = edit((d) => {
      d.keySlots.push(theirs.keySlots[0]!)
    })
    // The victim's own passphrase: the header no longer matches what the body was sealed with.
    await expectRefusedAndNothingSent(v.dir, file, edited)
    // The attacker's passphrase: a slot bound to another vault id does not even unwrap.
    const r = await runCli(['status'], v.dir, {
      env: { TOKENDECK_PASSPHRASE: ATTACKER_PASSPHRASE },
    })
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(fs.readFileSync(file, 'utf8')).toBe(edited)
  })

  it('a changed creation time, key check or removed slot is refused the same way', async () => {
    for (const change of [
      (d: VaultFileV2) => (d.createdAt += 1),
      (d: VaultFileV2) => (d.keyCheck = 'A'.repeat(22)),
    ]) {
      const { file, edit, v } = await vaultWithTwoAccounts()
      const edited = edit(change)
      await expectRefusedAndNothingSent(v.dir, file, edited)
    }
  })

  it('rolling the whole file back to an older authentic copy: noticed on this machine, opens on one that never saw the vault (a documented limit)', async () => {
    const { file, v, ids } = await vaultWithTwoAccounts()
    const older = fs.readFileSync(file, 'utf8')
    const removed = await v.accounts.remove(ids[1]!, { force: true })
    expect(removed.ok).toBe(true)
    fs.writeFileSync(file, older)
    // The tests' own process wrote the newer copy: the same machine for the CLI.
    const here = await runCli(['status', '--json'], v.dir, {
      env: { TOKENDECK_STATE_DIR: process.env.TOKENDECK_STATE_DIR },
    })
    expect(here.code).toBe(3)
    expect(here.stderr).toMatch(/older than the newest copy this computer has seen/)
    expect(fs.readFileSync(file, 'utf8')).toBe(older)
    // Another machine knows of no newer copy.
    const elsewhere = await cli(['status', '--json'], v.dir)
    expect(elsewhere.code).toBe(0)
    expect(elsewhere.stdout).toContain('acme-ci')
  })
})

describe('a format 1 vault (from before the whole file was sealed)', { timeout: 60_000 }, () => {
  /** A vault of two accounts as an earlier TokenDeck left it, on a machine that never saw it. */
  async function oldVault(bindings: 'none' | 'origin') {
    const { v } = await vaultWithTwoAccounts()
    const key = vaultKey(v)
    v.vault.lock()
    const file = asLegacyFormat1(v.dir, key, TEST_PASSPHRASE, { bindings })
    const edit = (change: (d: VaultData) => void) => {
      const d = JSON.parse(fs.readFileSync(file, 'utf8')) as VaultData
      change(d)
      fs.writeFileSync(file, JSON.stringify(d))
      return fs.readFileSync(file, 'utf8')
    }
    return { v, file, key, edit }
  }

  it('hand-edited before its upgrade: nothing runs until it is upgraded, and bound secrets refuse another server then', async () => {
    const { v, file, edit } = await oldVault('origin')
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
    const asked = await cli(['header', 'acme-prod'], v.dir)
    expect(asked.code).toBe(3)
    expect(asked.stdout).toBe('')
    // The confirmation names the server the account now points at: the person can see it.
    expect(asked.stderr).toContain(`acme-prod (tpstreams) at ${attackerUrl}`)
    const r = await cli(['vault', 'upgrade', '--yes'], v.dir)
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/changed outside TokenDeck/)
    expect(received.length).toBe(before)
    expect(fs.readFileSync(file, 'utf8')).toBe(edited)
  })

  it('a token moved to another account does not open: the upgrade is refused, its label never gets that token', async () => {
    const { v, edit } = await oldVault('origin')
    const edited = edit((d) => {
      const prod = d.accounts.find((a) => a.label === 'acme-prod')!
      const ci = d.accounts.find((a) => a.label === 'acme-ci')!
      d.tokens = d.tokens.filter((t) => t.accountId !== ci.id)
      d.tokens.find((x) => x.accountId === prod.id)!.accountId = ci.id
    })
    const r = await cli(['vault', 'upgrade', '--yes'], v.dir)
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/changed outside TokenDeck/)
    expect(fs.readFileSync(path.join(v.dir, 'vault.json'), 'utf8')).toBe(edited)
  })

  it('a hand-edited header name cannot inject a line into `tokendeck header`, even once upgraded', async () => {
    const { v, edit } = await oldVault('origin')
    edit((d) => {
      for (const t of d.tokens) t.headerName = 'Authorization: x\r\nX-Injected'
    })
    const home = tempDir('tokendeck-cli-home-')
    expect((await runCli(['vault', 'upgrade', '--yes'], v.dir, { home })).code).toBe(0)
    const r = await runCli(['header', 'acme-prod'], v.dir, { home })
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stdout + r.stderr).not.toContain('X-Injected:')
  })

  it('is upgraded once confirmed, at one unlock: sealed whole, its log sealed, tokens reused', async () => {
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
    const key = vaultKey(v)
    v.vault.lock()
    // The previous formats: unbound records, plain JSON, and a plain event log.
    const file = asLegacyFormat1(dir, key, TEST_PASSPHRASE, { bindings: 'none' })
    const log = path.join(dir, 'events.jsonl')
    fs.writeFileSync(
      log,
      `${JSON.stringify({ id: 'e1', at: 1, type: 'vault', message: 'An old plain event.' })}\n`,
    )

    const stateDir = tempDir('tokendeck-other-machine-')
    const fresh = createVaultServices({ dir, stateDir })
    const protector = passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT)
    const asked = await fresh.vault.unlock(protector)
    expect(!asked.ok && asked.code).toBe('VAULT_UPGRADE_NEEDED')
    expect(fresh.vault.unlocked).toBe(false)
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).schemaVersion).toBe(1)
    expect((await fresh.vault.unlock(protector, { upgrade: true })).ok).toBe(true)
    const onDisk = JSON.parse(fs.readFileSync(file, 'utf8')) as VaultFileV2
    expect(onDisk.schemaVersion).toBe(2)
    expect(fs.readFileSync(file, 'utf8')).not.toContain('"old"')
    expect(fs.readFileSync(log, 'utf8')).not.toContain('An old plain event.')
    expect(fresh.vault.events.list().map((e) => e.message)).toContain('An old plain event.')
    expect(readSealed(dir, key).bindings).toBe(3)
    const h = await fresh.tokens.header(added.ok ? added.value.id : '', { surface: 'cli' })
    expect(h.ok && h.value.reused).toBe(true)
    expect(h.ok && first.ok && h.value.token).toBe(first.ok ? first.value.token : 'x')
  })
})
