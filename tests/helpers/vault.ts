// Test fixtures: temp vault folders with cheap scrypt (the production cost is N=2^17).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Clock } from '../../src/shared/clock'
import { createVaultServices, passphraseProtector, type VaultServices } from '../../src/main/vault'
import type { HttpClient } from '../../src/main/providers/http-client'

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
  opts: { dir?: string; clock?: Clock; http?: HttpClient; passphrase?: string } = {},
): Promise<VaultServices & { dir: string }> {
  const dir = opts.dir ?? tempDir()
  const services = createVaultServices({ dir, clock: opts.clock, http: opts.http })
  const r = await services.vault.create(
    passphraseProtector(opts.passphrase ?? TEST_PASSPHRASE, CHEAP_SCRYPT),
  )
  if (!r.ok) throw new Error(`vault create failed: ${r.message}`)
  return { ...services, dir }
}
