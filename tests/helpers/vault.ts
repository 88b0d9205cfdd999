// Test fixtures: temp vault folders with cheap scrypt (the production cost is N=2^17).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Clock } from '../../src/shared/clock'
import { createVaultServices, passphraseProtector, type VaultServices } from '../../src/main/vault'
import type { HttpClient } from '../../src/main/providers/http-client'
import type { StoreOpener } from '../../src/main/vault/ledger/shared/link'
import type { VaultData } from '../../src/main/vault/storage/schema'
import { encodeVault } from '../../src/main/vault/storage/vault-codec'
import { VaultFile, VAULT_FILE } from '../../src/main/vault/storage/vault-file'

export const TEST_PASSPHRASE = 'correct horse battery staple'
/** The cheapest cost a vault accepts (key-slots.ts SCRYPT_BOUNDS): fast tests, same code path. */
export const CHEAP_SCRYPT = { N: 2 ** 15, r: 8, p: 1 }

export function tempDir(prefix = 'tokendeck-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** A fake clock that only moves when told to. */
export function manualClock(
  start = Date.UTC(2026, 10, 24, 12, 0, 0),
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let now = start
  return {
    now: () => now,
    advance: (ms) => {
      now += ms
    },
    set: (ms) => {
      now = ms
    },
  }
}

export async function newVault(
  opts: {
    dir?: string
    clock?: Clock
    http?: HttpClient
    passphrase?: string
    openSharedStore?: StoreOpener
  } = {},
): Promise<VaultServices & { dir: string }> {
  const dir = opts.dir ?? tempDir()
  const services = createVaultServices({
    dir,
    clock: opts.clock,
    http: opts.http,
    ...(opts.openSharedStore ? { openSharedStore: opts.openSharedStore } : {}),
  })
  const r = await services.vault.create(
    passphraseProtector(opts.passphrase ?? TEST_PASSPHRASE, CHEAP_SCRYPT),
  )
  if (!r.ok) throw new Error(`vault create failed: ${r.message}`)
  return { ...services, dir }
}

/** A copy of the data key a services' vault holds while unlocked (tests that seal files by hand). */
export function vaultKey(s: VaultServices): Buffer {
  const key = (s.vault as unknown as { key: Buffer | null }).key
  if (!key) throw new Error('vaultKey: the vault is locked')
  return Buffer.from(key)
}

/** The data in `dir`'s vault.json, opened with `key` (format 2) or as it is (format 1). */
export function readSealed(dir: string, key: Buffer): VaultData {
  const file = new VaultFile({ dir })
  file.useKey(key)
  const r = file.read()
  if (!r.ok) throw new Error(`readSealed: ${r.code}: ${r.message}`)
  return structuredClone(r.value)
}

/**
 * Rewrites `dir`'s vault.json as TokenDeck would (sealed with `key`, a valid format 2 file) after
 * `change`: for tests that need authentic content a running TokenDeck would never write. Returns
 * the new bytes.
 */
export function rewriteSealed(dir: string, key: Buffer, change: (d: VaultData) => void): string {
  const data = readSealed(dir, key)
  change(data)
  const file = path.join(dir, VAULT_FILE)
  fs.writeFileSync(file, JSON.stringify(encodeVault(data, key)), { mode: 0o600 })
  return fs.readFileSync(file, 'utf8')
}
