// Protection changes as an attacker at an unlocked window (or a compromised renderer) would try
// them, through the real IPC handler table: none goes through without the current passphrase or
// a fresh keychain unwrap; changing the passphrase and removing a slot rotate the data key, so an
// old copy of the file and the old passphrase open nothing written afterwards; a process still
// holding the old key cannot write; changes are shown at the next unlock; kept copies of
// unreadable files are listed and deleted by name only.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { INVOKE } from '../../src/shared/ipc/channels'
import { fail } from '../../src/shared/result'
import { openString, type EncRecord } from '../../src/main/vault/storage/crypto'
import { boundAad, type Binding } from '../../src/main/vault/storage/bindings'
import { sealedEventCipher } from '../../src/main/vault/storage/event-log'
import { keyCheck } from '../../src/main/vault/storage/rekey'
import { bodyAad } from '../../src/main/vault/storage/vault-codec'
import { VaultFile } from '../../src/main/vault/storage/vault-file'
import { DEMO_USERS } from '../../src/main/sandbox'
import { Vault, passphraseProtector } from '../../src/main/vault'
import type { VaultFileV2 } from '../../src/main/vault/storage/schema'
import { CHEAP_SCRYPT, TEST_PASSPHRASE, newVault, readSealed } from '../helpers/vault'
import { startTestApp, type TestApp } from '../helpers/app'

const PASS = 'the first passphrase'
const NEXT = 'a second, better passphrase'
const tp = DEMO_USERS.tpstreams[0]!

let app: TestApp
beforeEach(async () => {
  app = await startTestApp()
})
afterEach(async () => {
  await app.close()
})

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const call = (channel: string, payload?: unknown): Promise<any> =>
  app.handlers[channel as keyof typeof app.handlers](payload)
const vaultFile = () => path.join(app.vaultDir, 'vault.json')
const bytes = () => fs.readFileSync(vaultFile(), 'utf8')
const slots = () => (JSON.parse(bytes()) as { keySlots: { id: string; kind: string }[] }).keySlots

async function vaultWithToken() {
  expect((await call(INVOKE.vaultCreate, { protection: 'passphrase', passphrase: PASS })).ok).toBe(
    true,
  )
  const added = await call(INVOKE.accountsAdd, {
    label: 'acme-prod',
    providerId: 'tpstreams',
    baseUrl: app.sandbox.tpstreams.baseUrl,
    fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
    remember: true,
    login: true,
  })
  expect(added.ok).toBe(true)
  return added.value.id as string
}

describe('protection changes need proof', () => {
  it('a wrong passphrase or no proof changes nothing: add, remove, change, keychain', async () => {
    await vaultWithToken()
    const before = bytes()
    const wrong = { method: 'passphrase', passphrase: 'a guessed passphrase' }
    const [slot] = slots()
    for (const [channel, payload, code] of [
      [INVOKE.vaultAddPassphrase, { proof: wrong, passphrase: 'planted passphrase' }, 'CONFLICT'],
      [
        INVOKE.vaultChangePassphrase,
        { proof: wrong, passphrase: 'planted passphrase' },
        'VAULT_BAD_PASSPHRASE',
      ],
      [INVOKE.vaultAddOsProtection, { proof: wrong }, 'VAULT_BAD_PASSPHRASE'],
      [INVOKE.vaultRemoveSlot, { slotId: slot!.id, proof: wrong }, 'CONFLICT'],
      [INVOKE.vaultChangePassphrase, { passphrase: 'planted passphrase' }, 'VALIDATION_FAILED'],
      [INVOKE.vaultAddOsProtection, undefined, 'VALIDATION_FAILED'],
    ] as const) {
      const r = await call(channel, payload)
      expect([channel, r.ok, r.code]).toEqual([channel, false, code])
    }
    expect(bytes()).toBe(before)
    // The keychain cannot stand in for a passphrase it did not protect.
    const os = await call(INVOKE.vaultChangePassphrase, {
      proof: { method: 'os' },
      passphrase: 'planted passphrase',
    })
    expect(os.code).toBe('VAULT_BAD_PASSPHRASE')
    expect(bytes()).toBe(before)
  })

  it('removing the keychain slot with a wrong passphrase is refused; with the right one it rotates', async () => {
    await vaultWithToken()
    const proof = { method: 'passphrase', passphrase: PASS }
    expect((await call(INVOKE.vaultAddOsProtection, { proof })).ok).toBe(true)
    const os = slots().find((s) => s.kind === 'safe-storage')!
    const before = bytes()
    const refused = await call(INVOKE.vaultRemoveSlot, {
      slotId: os.id,
      proof: { method: 'passphrase', passphrase: 'not it at all' },
    })
    expect(refused.code).toBe('VAULT_BAD_PASSPHRASE')
    expect(bytes()).toBe(before)
    const removed = await call(INVOKE.vaultRemoveSlot, { slotId: os.id, proof })
    expect(removed.ok).toBe(true)
    expect(slots().map((s) => s.kind)).toEqual(['passphrase'])
  })
})

describe('changing the passphrase rotates the data key', () => {
  it('an old copy of the file with the old passphrase opens nothing written afterwards', async () => {
    const accountId = await vaultWithToken()
    const oldCopy = JSON.parse(bytes())
    const r = await call(INVOKE.vaultChangePassphrase, {
      proof: { method: 'passphrase', passphrase: PASS },
      passphrase: NEXT,
    })
    expect(r.ok).toBe(true)
    // A token minted after the change.
    expect((await call(INVOKE.tokensLogin, { accountId, force: true })).ok).toBe(true)
    const now = JSON.parse(bytes()) as VaultFileV2
    expect(now.keySlots).toHaveLength(1)

    // The old key, as the old passphrase unwraps it from the old copy's slot.
    const dir = fs.mkdtempSync(path.join(path.dirname(app.vaultDir), 'old-copy-'))
    fs.writeFileSync(path.join(dir, 'vault.json'), JSON.stringify(oldCopy), { mode: 0o600 })
    const old = new Vault({ dir, clock: { now: () => Date.now() }, stateDir: app.stateDir })
    // This machine saw a newer copy of this vault: the old one opens only when accepted.
    const refused = await old.unlock(passphraseProtector(PASS))
    expect(!refused.ok && refused.code).toBe('VAULT_ROLLED_BACK')
    expect((await old.unlock(passphraseProtector(PASS), { acceptOlder: true })).ok).toBe(true)
    const oldKey = Buffer.from((old as unknown as { key: Buffer }).key)
    // The new key, as the new passphrase unwraps it (to show what the old one fails to open).
    const fresh = new Vault({ dir: app.vaultDir, clock: { now: () => Date.now() } })
    expect((await fresh.unlock(passphraseProtector(NEXT))).ok).toBe(true)
    const newKey = Buffer.from((fresh as unknown as { key: Buffer }).key)
    expect(newKey.equals(oldKey)).toBe(false)
    fresh.lock()

    // The body: the header names the new key, so the old one is refused as re-keyed (nothing
    // is opened); the body itself does not authenticate under the old key either, even with the
    // header's key check forged to name it.
    const file = new VaultFile({ dir: app.vaultDir })
    file.useKey(oldKey)
    const read = file.read()
    expect(!read.ok && read.code).toBe('VAULT_LOCKED')
    expect(() => readSealed(app.vaultDir, oldKey)).toThrow(/VAULT_LOCKED/)
    expect(openString(oldKey, now.body, bodyAad(now))).toBeNull()
    expect(openString(newKey, now.body, bodyAad(now))).not.toBeNull()
    const forged = { ...now, keyCheck: keyCheck(oldKey) }
    expect(openString(oldKey, now.body, bodyAad(forged))).toBeNull()
    const forgedDir = fs.mkdtempSync(path.join(path.dirname(app.vaultDir), 'forged-'))
    fs.writeFileSync(path.join(forgedDir, 'vault.json'), JSON.stringify(forged), { mode: 0o600 })
    const forgedFile = new VaultFile({ dir: forgedDir })
    forgedFile.useKey(oldKey)
    const forgedRead = forgedFile.read()
    expect(!forgedRead.ok && forgedRead.code).toBe('VAULT_TAMPERED')

    // The records inside (opened here with the new key): none opens with the old one, each
    // with the associated data it was sealed with (the new key opens every one).
    const data = readSealed(app.vaultDir, newKey)
    const binding = (id: string): Binding => data.accounts.find((a) => a.id === id)!
    const sealed: [string, Binding, EncRecord][] = [
      ...data.tokens.flatMap((t): [string, Binding, EncRecord][] =>
        t.secret ? [[`token/${t.id}`, binding(t.accountId), t.secret]] : [],
      ),
      ...data.accounts.flatMap((a) =>
        Object.entries(a.secrets).map(([n, rec]): [string, Binding, EncRecord] => [
          `account/${a.id}/secret/${n}`,
          a,
          rec,
        ]),
      ),
    ]
    expect(sealed.length).toBeGreaterThan(1)
    for (const [id, b, rec] of sealed) {
      const aad = boundAad(now.vaultId, id, b)
      expect({ id, old: openString(oldKey, rec, aad) }).toEqual({ id, old: null })
      expect(openString(newKey, rec, aad)).not.toBeNull()
    }

    // The event log: every line (older ones were re-sealed at the change) opens with the new key,
    // none with the old one.
    const lines = fs
      .readFileSync(path.join(app.vaultDir, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
    expect(lines.length).toBeGreaterThan(1)
    const oldCipher = sealedEventCipher(oldKey, now.vaultId)
    const newCipher = sealedEventCipher(newKey, now.vaultId)
    expect(lines.filter((l) => oldCipher.open(l) !== null)).toEqual([])
    expect(lines.filter((l) => newCipher.open(l) === null)).toEqual([])

    // The new passphrase opens the current file; the old one does not.
    const again = new Vault({ dir: app.vaultDir, clock: { now: () => Date.now() } })
    expect((await again.unlock(passphraseProtector(PASS))).ok).toBe(false)
    expect((await again.unlock(passphraseProtector(NEXT))).ok).toBe(true)
  })

  it('a rotation whose vault write fails leaves the vault and its event log as they were', async () => {
    const v = await newVault()
    v.vault.log({ type: 'vault', message: 'an event before the rotation' })
    const before = v.vault.events.list().map((e) => e.message)
    const bytes = fs.readFileSync(path.join(v.dir, 'vault.json'), 'utf8')
    // The disk is full for the one write the rotation makes.
    const file = v.vault.file as unknown as { write: (...a: unknown[]) => unknown }
    const real = file.write.bind(file)
    let once = true
    file.write = (...a: unknown[]) => {
      if (!once) return real(...a)
      once = false
      return fail('INTERNAL', 'simulated write failure (disk full)')
    }
    const r = await v.vault.rekey([passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT)], 'x')
    expect(r.ok).toBe(false)
    expect(v.vault.unlocked).toBe(true)
    expect(fs.readFileSync(path.join(v.dir, 'vault.json'), 'utf8')).toBe(bytes)
    expect(v.vault.events.list().map((e) => e.message)).toEqual(before)
    expect(v.vault.events.unverified).toBe(0)
    expect(fs.readdirSync(v.dir).filter((n) => n.includes('.tmp'))).toEqual([])
  })

  it('a process still holding the old key cannot write afterwards', async () => {
    await vaultWithToken()
    const other = new Vault({ dir: app.vaultDir, clock: { now: () => Date.now() } })
    expect((await other.unlock(passphraseProtector(PASS))).ok).toBe(true)
    expect(
      (
        await call(INVOKE.vaultChangePassphrase, {
          proof: { method: 'passphrase', passphrase: PASS },
          passphrase: NEXT,
        })
      ).ok,
    ).toBe(true)
    const before = bytes()
    const r = await other.updateSettings({ clipboardClearSeconds: 12 })
    expect(!r.ok && r.code).toBe('VAULT_LOCKED')
    expect(bytes()).toBe(before)
  })

  it('the next unlock in the window shows the change', async () => {
    await vaultWithToken()
    await call(INVOKE.vaultChangePassphrase, {
      proof: { method: 'passphrase', passphrase: PASS },
      passphrase: NEXT,
    })
    await call(INVOKE.vaultLock)
    const r = await call(INVOKE.vaultUnlock, { method: 'passphrase', passphrase: NEXT })
    expect(r.ok).toBe(true)
    expect(r.value.protectionChanges.map((c: { message: string }) => c.message)).toEqual([
      'Changed the passphrase; the data key was rotated.',
    ])
    await call(INVOKE.vaultLock)
    const again = await call(INVOKE.vaultUnlock, { method: 'passphrase', passphrase: NEXT })
    expect(again.value.protectionChanges).toBeUndefined()
  })
})

describe('kept copies of unreadable files', () => {
  it('are listed and deleted by exact name only', async () => {
    await vaultWithToken()
    const copy = 'vault.json.unreadable-0123456789ab'
    fs.writeFileSync(path.join(app.vaultDir, copy), '{', { mode: 0o600 })
    fs.writeFileSync(path.join(app.vaultDir, 'keep-me.txt'), 'mine')
    const status = await call(INVOKE.appStatus)
    expect(status.value.vault.unreadableCopies).toEqual([copy])
    for (const name of ['../vault.json', 'keep-me.txt', 'vault.json', `${copy}/..`]) {
      expect((await call(INVOKE.vaultDeleteUnreadableCopy, { name })).code).toBe('NOT_FOUND')
    }
    const r = await call(INVOKE.vaultDeleteUnreadableCopy, { name: copy })
    expect(r.ok && r.value.vault.unreadableCopies).toEqual([])
    expect(fs.existsSync(path.join(app.vaultDir, 'keep-me.txt'))).toBe(true)
    expect(fs.existsSync(vaultFile())).toBe(true)
  })
})
