// The one write protocol (Vault.mutate): a change is written under the lock, its event appended,
// and views notified only after the write succeeded. A refused change, or one that could not be
// written, leaves the file, the log and the listeners untouched.
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fail, ok } from '../../src/shared/result'
import { newVault, readSealed, vaultKey } from '../helpers/vault'

async function watched() {
  const v = await newVault()
  const notified: number[] = []
  v.vault.onChange(() => notified.push(v.vault.events.list({ limit: 1 }).length))
  const bytes = () => fs.readFileSync(v.vault.file.path, 'utf8')
  return { v, notified, bytes }
}

describe('Vault.mutate', () => {
  it('writes, then logs the event, then notifies (the event is there when views look)', async () => {
    const { v, notified } = await watched()
    const before = v.vault.events.list().length
    const r = await v.vault.mutate(
      (d) => {
        d.settings.clipboardClearSeconds = 45
        return ok(d.settings.clipboardClearSeconds)
      },
      (n) => ({ type: 'vault', message: `Clipboard clears after ${n} s.` }),
    )
    expect(r).toEqual({ ok: true, value: 45 })
    expect(readSealed(v.dir, vaultKey(v)).settings.clipboardClearSeconds).toBe(45)
    const events = v.vault.events.list()
    expect(events.length).toBe(before + 1)
    expect(events[0]!.message).toBe('Clipboard clears after 45 s.')
    expect(notified).toEqual([1])
  })

  it('a refused change writes nothing, logs nothing and notifies no one', async () => {
    const { v, notified, bytes } = await watched()
    const file = bytes()
    const log = v.vault.events.list().length
    const r = await v.vault.mutate(
      (d) => {
        d.accounts = [] // a change the refusal must throw away
        return fail('CONFLICT', 'No.')
      },
      () => ({ type: 'vault', message: 'never' }),
    )
    expect(!r.ok && r.code).toBe('CONFLICT')
    expect(bytes()).toBe(file)
    expect(v.vault.events.list().length).toBe(log)
    expect(notified).toEqual([])
  })

  it('a change that cannot be written (invalid data) logs nothing and notifies no one', async () => {
    const { v, notified, bytes } = await watched()
    const file = bytes()
    const log = v.vault.events.list().length
    const r = await v.vault.mutate(
      (d) => {
        d.settings.clipboardClearSeconds = -5 // the schema refuses it at write time
        return ok(undefined)
      },
      () => ({ type: 'vault', message: 'never' }),
    )
    expect(!r.ok && r.code).toBe('INTERNAL')
    expect(bytes()).toBe(file)
    expect(v.vault.events.list().length).toBe(log)
    expect(notified).toEqual([])
  })

  it('refuses while locked, before taking the lock', async () => {
    const { v, notified } = await watched()
    v.vault.lock()
    notified.length = 0
    const r = await v.vault.mutate(() => ok(undefined))
    expect(!r.ok && r.code).toBe('VAULT_LOCKED')
    expect(notified).toEqual([])
  })
})
