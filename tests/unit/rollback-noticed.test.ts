// Attacker 1 of docs/security.md puts back an older, authentic copy of the vault file (a backup,
// or a synced folder that "wins" with an old version): it opens with the passphrase, with the
// accounts, settings and ledger of then. Every write numbers the file one higher inside the sealed
// body, and this machine remembers the highest number it saw, outside the vault folder. An older
// copy is refused with both dates before anything is written or sent, until the person accepts it;
// a copy put back while the vault is unlocked locks it. The real CLI and the real services.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { createVaultServices, passphraseProtector } from '../../src/main/vault'
import { SeenVaults } from '../../src/main/vault/storage/seen-vaults'
import {
  CHEAP_SCRYPT,
  TEST_PASSPHRASE,
  newVault,
  readSealed,
  tempDir,
  vaultKey,
} from '../helpers/vault'
import { CLI, runCli } from '../helpers/cli'

const tp = DEMO_USERS.tpstreams[0]!
let sb: SandboxSet

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
})
beforeEach(async () => {
  sb = await startSandbox()
})
afterEach(async () => {
  await sb.close()
})

/** The CLI on the machine of the tests' own process (one state folder). */
const here = (args: string[], dir: string, input?: string) =>
  runCli(args, dir, {
    env: { TOKENDECK_STATE_DIR: process.env.TOKENDECK_STATE_DIR },
    ...(input !== undefined ? { input } : {}),
  })

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
  }
  return { v, ids, file: path.join(v.dir, 'vault.json') }
}

describe('an older copy of the vault file put back', { timeout: 60_000 }, () => {
  it('is refused by every command with both dates; nothing is written or sent', async () => {
    const { v, ids, file } = await vaultWithTwoAccounts()
    const older = fs.readFileSync(file, 'utf8')
    // Since that copy: acme-ci removed, acme-prod logged in (a token the old ledger lacks).
    expect((await v.accounts.remove(ids[1]!, { force: true })).ok).toBe(true)
    expect((await v.tokens.header(ids[0]!, { surface: 'cli' })).ok).toBe(true)
    expect(sb.tpstreams.stats.loginRequests).toBe(1)
    v.vault.lock()
    fs.writeFileSync(file, older)

    for (const args of [['status'], ['header', 'acme-prod'], ['login', 'acme-ci', '--force']]) {
      const r = await here(args, v.dir)
      expect(r.code, args.join(' ')).toBe(3)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(/older than the newest copy this computer has seen/)
      expect(r.stderr).toMatch(/version \d+\), the newest seen here .* \(version \d+\)/)
      expect(r.stderr).toContain('tokendeck vault accept-older --yes')
    }
    const json = await here(['status', '--json'], v.dir)
    const error = (
      JSON.parse(json.stderr) as { error: { code: string; details: Record<string, number> } }
    ).error
    expect(error.code).toBe('VAULT_ROLLED_BACK')
    expect(error.details.fileGeneration).toBeLessThan(error.details.seenGeneration!)
    expect(sb.tpstreams.stats.loginRequests).toBe(1)
    expect(fs.readFileSync(file, 'utf8')).toBe(older)
  })

  it('accepted on purpose (vault accept-older --yes) it becomes the newest; an even older one is noticed again', async () => {
    const { v, ids, file } = await vaultWithTwoAccounts()
    const oldest = fs.readFileSync(file, 'utf8')
    expect((await v.vault.updateSettings({ clipboardClearSeconds: 45 })).ok).toBe(true)
    const older = fs.readFileSync(file, 'utf8')
    expect((await v.accounts.remove(ids[1]!, { force: true })).ok).toBe(true)
    v.vault.lock()
    fs.writeFileSync(file, older)

    const asked = await here(['vault', 'accept-older'], v.dir)
    expect(asked.code).toBe(3)
    expect(fs.readFileSync(file, 'utf8')).toBe(older)
    const accepted = await here(['vault', 'accept-older', '--yes'], v.dir)
    expect(accepted.stderr).toBe('')
    expect(accepted.code).toBe(0)
    expect(accepted.stdout).toMatch(/newest from now on/)
    const status = await here(['status', '--json'], v.dir)
    expect(status.code).toBe(0)
    expect(status.stdout).toContain('acme-ci')
    // Nothing more to accept; and the copy from before that is older again.
    expect((await here(['vault', 'accept-older', '--yes'], v.dir)).stdout).toMatch(
      /nothing to accept/,
    )
    fs.writeFileSync(file, oldest)
    expect((await here(['status'], v.dir)).code).toBe(3)
    expect(fs.readFileSync(file, 'utf8')).toBe(oldest)
  })

  it('put back while the vault is unlocked: the next action is refused, the vault locks, nothing is written', async () => {
    const { v, ids, file } = await vaultWithTwoAccounts()
    const older = fs.readFileSync(file, 'utf8')
    expect((await v.vault.updateSettings({ clipboardClearSeconds: 45 })).ok).toBe(true)
    fs.writeFileSync(file, older)
    const r = await v.tokens.header(ids[0]!, { surface: 'cli' })
    expect(!r.ok && r.code).toBe('VAULT_ROLLED_BACK')
    expect(v.vault.unlocked).toBe(false)
    expect(sb.tpstreams.stats.loginRequests).toBe(0)
    expect(fs.readFileSync(file, 'utf8')).toBe(older)
  })

  it('a newer copy from another machine (a synced folder) opens, and is remembered', async () => {
    const { v, file } = await vaultWithTwoAccounts()
    const key = vaultKey(v)
    v.vault.lock()
    const laptop = tempDir('tokendeck-laptop-state-')
    const desktop = tempDir('tokendeck-desktop-state-')
    const open = async (stateDir: string) => {
      const s = createVaultServices({ dir: v.dir, stateDir })
      const r = await s.vault.unlock(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT))
      if (!r.ok) throw new Error(`${r.code}: ${r.message}`)
      return s
    }
    const onLaptop = await open(laptop)
    expect((await onLaptop.vault.updateSettings({ clipboardClearSeconds: 50 })).ok).toBe(true)
    onLaptop.vault.lock()
    const onDesktop = await open(desktop)
    expect(onDesktop.vault.unlocked).toBe(true)
    const { vaultId, generation } = readSealed(v.dir, key)
    expect(generation).toBeGreaterThan(0)
    expect(new SeenVaults(desktop).get(vaultId)?.generation).toBe(generation)
    expect(new SeenVaults(laptop).get(vaultId)?.generation).toBe(generation)
    // The state lives outside the vault folder: nothing under it names a generation.
    for (const name of fs.readdirSync(v.dir)) expect(name).not.toMatch(/seen|state/)
    expect(fs.readFileSync(file, 'utf8')).not.toContain('"generation"')
  })
})
