// Demo mode drops the user's data key: entering it locks the user's vault (key zeroed), and
// leaving it opens the user's vault locked, through the real IPC handler table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INVOKE } from '../../src/shared/ipc/channels'
import { startTestApp, type TestApp } from '../helpers/app'

let app: TestApp
const PASS = 'the user passphrase, long enough'

beforeAll(async () => {
  app = await startTestApp()
})
afterAll(async () => {
  await app.close()
})

/** The Vault's private data key buffer (the bytes that must be zeroed). */
function keyOf(vault: unknown): Buffer | null {
  return (vault as { key: Buffer | null }).key
}

describe('demo mode and the user vault', () => {
  it("entering demo mode zeroes the user's key; after the demo the user vault is locked", async () => {
    const created = await app.handlers[INVOKE.vaultCreate]({
      protection: 'passphrase',
      passphrase: PASS,
    })
    expect(created.ok).toBe(true)
    const user = app.core.current
    expect(user.vault.unlocked).toBe(true)
    const key = keyOf(user.vault)
    expect(key).not.toBeNull()
    expect(key!.some((b) => b !== 0)).toBe(true)

    const demo = await app.handlers[INVOKE.demoStart](undefined)
    expect(demo.ok).toBe(true)
    expect(app.core.isDemo).toBe(true)
    expect(app.core.current).not.toBe(user)
    // The user's Vault no longer holds its key, and the bytes it held are zero.
    expect(user.vault.unlocked).toBe(false)
    expect(keyOf(user.vault)).toBeNull()
    expect(key!.every((b) => b === 0)).toBe(true)

    await app.core.stopDemo()
    expect(app.core.isDemo).toBe(false)
    expect(app.core.current.vault.unlocked).toBe(false)
    const status = await app.handlers[INVOKE.appStatus](undefined)
    expect(status).toMatchObject({ ok: true, value: { demo: false, vault: { unlocked: false } } })
    expect((await app.handlers[INVOKE.snapshot](undefined)).ok).toBe(false)
    // The user's passphrase opens it again.
    const unlocked = await app.handlers[INVOKE.vaultUnlock]({
      method: 'passphrase',
      passphrase: PASS,
    })
    expect(unlocked.ok).toBe(true)
  })
})
