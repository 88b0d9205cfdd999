// The protection, provider and settings actions on a real vault: unlocking (the window's unlock
// is logged, the CLI's is not), key slots, importing a provider (visible at once, no read needed
// to refresh it, and across processes through the file), and settings.
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createActions } from '../../src/main/actions'
import { createVaultServices, passphraseProtector } from '../../src/main/vault'
import { actionFixture } from '../helpers/actions'
import { CHEAP_SCRYPT, TEST_PASSPHRASE } from '../helpers/vault'

const PROFILE = JSON.parse(
  fs.readFileSync('src/main/providers/builtin/classic.json', 'utf8'),
) as Record<string, unknown>
const custom = JSON.stringify({ ...PROFILE, id: 'acme-api', name: 'Acme API' })

describe('protection actions', () => {
  it('locks, refuses a wrong passphrase, unlocks; logs the window unlock only', async () => {
    const { actions } = await actionFixture()
    expect((await actions.protection.lock()).vault.unlocked).toBe(false)
    const wrong = await actions.protection.unlock({ method: 'passphrase', passphrase: 'nope' })
    expect(!wrong.ok && wrong.code).toBe('VAULT_BAD_PASSPHRASE')
    const cli = await actions.protection.unlock(
      { method: 'passphrase', passphrase: TEST_PASSPHRASE },
      'cli',
    )
    expect(cli.ok && cli.value.vault.unlocked).toBe(true)
    const logged = () => {
      const r = actions.views.events({ limit: 50 })
      return r.ok ? r.value.events : []
    }
    expect(logged()).not.toContainEqual(expect.objectContaining({ message: 'Unlocked.' }))
    await actions.protection.lock()
    expect(
      await actions.protection.unlock({ method: 'passphrase', passphrase: TEST_PASSPHRASE }),
    ).toMatchObject({ ok: true })
    expect(logged()[0]).toMatchObject({ message: 'Unlocked.', surface: 'ui' })
  })

  it('without an OS keychain, OS protection is unavailable and nothing changes', async () => {
    const { actions } = await actionFixture()
    const r = await actions.protection.addOsProtection({
      method: 'passphrase',
      passphrase: TEST_PASSPHRASE,
    })
    expect(!r.ok && r.code).toBe('PROTECTION_UNAVAILABLE')
    expect(actions.protection.status().vault.slots).toHaveLength(1)
  })
})

describe('provider actions', () => {
  it('an import is listed at once, by this process and by another one reading the file', async () => {
    const { actions, services } = await actionFixture()
    const imported = await actions.providers.import(custom)
    expect(imported.ok && imported.value).toMatchObject({ id: 'acme-api', builtin: false })
    const list = actions.providers.list()
    expect(list.ok && list.value.map((p) => p.id)).toContain('acme-api')
    // Another process (the CLI) sees it through the file once it unlocks: imported profiles are
    // sealed with everything else, so while locked it knows only the built-in ones.
    const otherServices = createVaultServices({ dir: services.dir })
    const other = createActions({
      services: () => otherServices,
      platform: 'linux',
      safeStorage: null,
    })
    const lockedList = other.providers.list()
    expect(lockedList.ok && lockedList.value.map((p) => p.id)).not.toContain('acme-api')
    expect(lockedList.ok && lockedList.value.every((p) => p.builtin)).toBe(true)
    const unlocked = await otherServices.vault.unlock(
      passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT),
    )
    expect(unlocked.ok).toBe(true)
    const otherList = other.providers.list()
    expect(otherList.ok && otherList.value.map((p) => p.id)).toContain('acme-api')
    expect((await actions.providers.remove('acme-api')).ok).toBe(true)
    const after = actions.providers.list()
    expect(after.ok && after.value.map((p) => p.id)).not.toContain('acme-api')
    const again = await actions.providers.remove('acme-api')
    expect(!again.ok && again.code).toBe('NOT_FOUND')
  })

  it('refuses to shadow a built-in provider', async () => {
    const { actions } = await actionFixture()
    const r = await actions.providers.import(JSON.stringify(PROFILE))
    expect(!r.ok && r.code).toBe('CONFLICT')
  })
})

describe('settings actions', () => {
  it('updates one setting and refuses an invalid one without changing anything', async () => {
    const { actions } = await actionFixture()
    const r = await actions.settings.update({ autoLockMinutes: 5 })
    expect(r.ok && r.value.autoLockMinutes).toBe(5)
    const bad = await actions.settings.update({ autoLockMinutes: -1 })
    expect(!bad.ok && bad.code).toBe('VALIDATION_FAILED')
    const now = actions.settings.get()
    expect(now.ok && now.value.autoLockMinutes).toBe(5)
  })
})
