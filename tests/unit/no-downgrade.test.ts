// Attacker 1 of docs/security.md tries a downgrade: they can write the vault folder but do not
// know the passphrase, so they copy the victim's plain header (vault id, key check, key slots)
// into a file marked format 1, with their own plaintext account (pointed at their server),
// routes, settings and gateway access token. Before this guarantee it opened with the victim's
// passphrase and was re-sealed as authentic format 2, and the victim's password went to the
// attacker. Now a sealed vault is never read as format 1: its key slots name the sealed format
// (so the forgery fails on any machine), and this machine remembers the format of every vault it
// opened (outside the vault folder). A real format 1 vault is upgraded only once the person has
// seen what nothing authenticated, resetting what could send tokens elsewhere; one with no sealed
// record at all is refused. The real CLI is the victim; a recording server is the attacker's.
import fs from 'node:fs'
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
import { asLegacyFormat1, asLegacyFormat2, forgeFormat1 } from '../helpers/legacy-vault'
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server'

const tp = DEMO_USERS.tpstreams[0]!
const ATTACKER_GATEWAY_TOKEN = 'attacker-knows-this-gateway-token-0123456789'
let sb: SandboxSet
let attacker: RecordingServer
/** What the attacker's server received. */
const received = () => attacker.requests.length

beforeEach(async () => {
  sb = await startSandbox()
})
afterEach(async () => {
  await sb.close()
})
beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  attacker = await startRecordingServer(() => ({
    status: 200,
    json: { token: 'attacker-token-0000000000000000000000000000' },
  }))
})
afterAll(async () => {
  await attacker.close()
})

/** This test process's machine state: the CLI runs "on the same machine" as the tests' vault. */
const thisMachine = () => ({ TOKENDECK_STATE_DIR: process.env.TOKENDECK_STATE_DIR })
/** A machine that never opened the vault (a new laptop reading a synced folder). */
const otherMachine = () => ({ TOKENDECK_STATE_DIR: tempDir('tokendeck-other-machine-') })

async function victimVault() {
  const v = await newVault()
  const r = await v.accounts.add({
    label: 'acme-prod',
    providerId: 'tpstreams',
    baseUrl: sb.tpstreams.baseUrl,
    fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
    remember: true,
  })
  if (!r.ok) throw new Error(r.message)
  const h = await v.tokens.header(r.value.id, { surface: 'cli' })
  if (!h.ok) throw new Error(h.message)
  return { v, file: path.join(v.dir, 'vault.json'), accountId: r.value.id }
}

/** The reviewer's forgery against this test's victim (tests/helpers/legacy-vault.ts). */
const forge = (file: string) =>
  forgeFormat1(file, {
    attackerUrl: attacker.baseUrl,
    label: 'acme-prod',
    username: tp.username,
    gatewayToken: ATTACKER_GATEWAY_TOKEN,
  })

/** The victim logs in to the account and types the password it asks for. */
function victimTypesPassword(dir: string, env: NodeJS.ProcessEnv) {
  return runCli(['login', 'acme-prod', '--secret-stdin'], dir, { env, input: `${tp.secret}\n` })
}

describe('a sealed vault is never read as format 1 (the downgrade)', { timeout: 60_000 }, () => {
  for (const [where, env] of [
    ['on the machine that opened it', thisMachine],
    ['on a machine that never saw it (its key slot names the format)', otherMachine],
  ] as const) {
    it(`${where}: refused before any secret is read; nothing sent, file untouched`, async () => {
      const { v, file } = await victimVault()
      v.vault.lock()
      const forged = forge(file)
      const before = received()
      const r = await victimTypesPassword(v.dir, env())
      expect(r.code).toBe(3)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(/format 1.*already sealed|never reads a sealed vault as format 1/s)
      expect(received()).toBe(before)
      expect(fs.readFileSync(file, 'utf8')).toBe(forged)
      // The confirmation cannot be used to force it either.
      const forced = await runCli(['vault', 'upgrade', '--yes'], v.dir, { env: env() })
      expect(forced.code).toBe(3)
      expect(received()).toBe(before)
      expect(fs.readFileSync(file, 'utf8')).toBe(forged)
    })
  }

  it('a vault from the TokenDeck before this one: its slot is bound at its next unlock, then a forgery fails anywhere', async () => {
    const { v, file } = await victimVault()
    const key = vaultKey(v)
    v.vault.lock()
    asLegacyFormat2(v.dir, key, TEST_PASSPHRASE)
    const legacySlot = (JSON.parse(fs.readFileSync(file, 'utf8')) as VaultFileV2).keySlots[0]!
    // The user's next unlock, with this TokenDeck, on another machine than the tests'.
    const opened = await runCli(['status', '--json'], v.dir, { env: otherMachine() })
    expect(opened.code).toBe(0)
    const header = JSON.parse(fs.readFileSync(file, 'utf8')) as VaultFileV2
    expect(header.keySlots[0]!.id).toBe(legacySlot.id)
    expect(header.keySlots[0]).not.toEqual(legacySlot)
    // Records were re-bound to their base URL in the same write: the token is reused.
    const h = await runCli(['header', 'acme-prod'], v.dir, { env: otherMachine() })
    expect(h.code).toBe(0)
    expect(sb.tpstreams.stats.loginRequests).toBe(1)

    const forged = forge(file)
    const before = received()
    const r = await victimTypesPassword(v.dir, otherMachine())
    expect(r.code).toBe(3)
    expect(received()).toBe(before)
    expect(fs.readFileSync(file, 'utf8')).toBe(forged)
  })

  it("a format 1 file with no sealed record at all is refused, even from an earlier TokenDeck's slot on a new machine", async () => {
    const { v, file } = await victimVault()
    const key = vaultKey(v)
    v.vault.lock()
    // The header of a genuine old vault (its slot wrapped without the format)...
    asLegacyFormat1(v.dir, key, TEST_PASSPHRASE)
    // ...with the attacker's content in it.
    const forged = forge(file)
    const before = received()
    for (const args of [
      ['login', 'acme-prod', '--secret-stdin'],
      ['vault', 'upgrade', '--yes'],
    ]) {
      const r = await runCli(args, v.dir, { env: otherMachine(), input: `${tp.secret}\n` })
      expect(r.code, args.join(' ')).toBe(3)
      expect(r.stderr).toMatch(/holds no sealed secret or token/)
    }
    expect(received()).toBe(before)
    expect(fs.readFileSync(file, 'utf8')).toBe(forged)
  })
})

describe('a real format 1 vault is upgraded only when confirmed', { timeout: 60_000 }, () => {
  async function oldVault() {
    const { v, file, accountId } = await victimVault()
    expect(
      (await v.vault.updateSettings({ agentApproval: 'dont-ask', autoLockMinutes: 0 })).ok,
    ).toBe(true)
    const key = vaultKey(v)
    v.vault.lock()
    const plain = asLegacyFormat1(v.dir, key, TEST_PASSPHRASE)
    // What an earlier TokenDeck's user had set up (plain JSON then, so anyone could have).
    const d = JSON.parse(fs.readFileSync(plain, 'utf8')) as VaultData
    d.routes = [{ prefix: 'https://github.com', accountId }]
    d.gateway = { accessToken: ATTACKER_GATEWAY_TOKEN, policies: [] }
    fs.writeFileSync(plain, JSON.stringify(d))
    return { v, file, key, bytes: fs.readFileSync(file, 'utf8') }
  }

  it('every command asks first: the accounts with their servers are shown, nothing is written or sent', async () => {
    const { v, file, bytes } = await oldVault()
    const env = otherMachine()
    const r = await runCli(['header', 'acme-prod'], v.dir, { env })
    expect(r.code).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/old format 1/)
    expect(r.stderr).toContain(`acme-prod (tpstreams) at ${sb.tpstreams.baseUrl}`)
    expect(r.stderr).toContain('https://github.com -> acme-prod')
    expect(r.stderr).toContain('tokendeck vault upgrade --yes')
    const json = await runCli(['vault', 'upgrade', '--json'], v.dir, { env })
    expect(json.code).toBe(3)
    const error = (
      JSON.parse(json.stderr) as { error: { code: string; details: { reset: string[] } } }
    ).error
    expect(error.code).toBe('VAULT_UPGRADE_NEEDED')
    expect(error.details.reset.join(' ')).toMatch(/gateway.*routes.*agent approval.*auto-lock/)
    expect(fs.readFileSync(file, 'utf8')).toBe(bytes)
    expect(sb.tpstreams.stats.loginRequests).toBe(1)
  })

  it('confirmed: sealed whole, the gateway, routes, agent approval and auto-lock reset; tokens reused; never format 1 again', async () => {
    const { v, file, key } = await oldVault()
    const env = otherMachine()
    const r = await runCli(['vault', 'upgrade', '--yes'], v.dir, { env })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const onDisk = JSON.parse(fs.readFileSync(file, 'utf8')) as VaultFileV2
    expect(onDisk.schemaVersion).toBe(2)
    const d = readSealed(v.dir, key)
    expect(d.bindings).toBe(3)
    expect(d.routes).toBeUndefined()
    expect(d.gateway).toBeUndefined()
    expect(d.settings.agentApproval).toBe('ask')
    expect(d.settings.autoLockMinutes).toBe(15)
    const h = await runCli(['header', 'acme-prod'], v.dir, { env })
    expect(h.code).toBe(0)
    expect(sb.tpstreams.stats.loginRequests).toBe(1)

    // The old copy put back: this machine has seen the vault sealed.
    const again = await runCli(['vault', 'upgrade', '--yes'], v.dir, { env })
    expect(again.stdout).toMatch(/nothing to upgrade/)
    const fresh = createVaultServices({ dir: v.dir, stateDir: env.TOKENDECK_STATE_DIR })
    const sealed = fs.readFileSync(file, 'utf8')
    asLegacyFormat1(v.dir, key, TEST_PASSPHRASE)
    const downgraded = fs.readFileSync(file, 'utf8')
    expect(downgraded).not.toBe(sealed)
    const u = await fresh.vault.unlock(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT), {
      upgrade: true,
    })
    expect(!u.ok && u.code).toBe('VAULT_TAMPERED')
    expect(fs.readFileSync(file, 'utf8')).toBe(downgraded)
  })

  it('a record that does not open as it was sealed (a hand-edited server) makes the upgrade fail; nothing is written or sent', async () => {
    const { v, file } = await oldVault()
    const d = JSON.parse(fs.readFileSync(file, 'utf8')) as VaultData
    d.accounts[0]!.baseUrl = attacker.baseUrl
    fs.writeFileSync(file, JSON.stringify(d))
    const bytes = fs.readFileSync(file, 'utf8')
    const before = received()
    const r = await runCli(['vault', 'upgrade', '--yes'], v.dir, { env: otherMachine() })
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/changed outside TokenDeck/)
    expect(received()).toBe(before)
    expect(fs.readFileSync(file, 'utf8')).toBe(bytes)
  })
})
