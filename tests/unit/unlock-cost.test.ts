// Attacker 1 of docs/security.md plants key slots in the vault's plain header, each within the
// per-slot bounds, so that an unlock derives key after key (up to 1 GiB and seconds each) before
// it reaches the real slot. The work of all slots together is bounded: a file whose slots ask for
// more is refused before anything is derived, and the slots are tried cheapest first. Derivations
// are counted through the protector the vault calls (no timing).
import { randomBytes, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createVaultServices, passphraseProtector } from '../../src/main/vault'
import {
  DEFAULT_SCRYPT,
  MAX_TOTAL_KDF_WORK,
  kdfWork,
  slotsToTry,
  type KeyProtector,
  type KeySlot,
} from '../../src/main/vault/storage/key-slots'
import { seal } from '../../src/main/vault/storage/crypto'
import type { VaultFileV2 } from '../../src/main/vault/storage/schema'
import { CHEAP_SCRYPT, TEST_PASSPHRASE, newVault } from '../helpers/vault'

/** A protector that records which slots the vault asked it to derive, in order. */
function counting(inner: KeyProtector): KeyProtector & { tried: string[] } {
  const tried: string[] = []
  return {
    kind: inner.kind,
    tried,
    wrap: (k, c) => inner.wrap(k, c),
    unwrap: (slot, c) => {
      tried.push(slot.id)
      return inner.unwrap(slot, c)
    },
  }
}

/** A planted passphrase slot of the given cost that opens nothing. */
function planted(cost: { N: number; r: number; p: number }): KeySlot {
  return {
    id: randomUUID(),
    kind: 'passphrase',
    createdAt: Date.now(),
    kdf: { name: 'scrypt', ...cost, salt: randomBytes(16).toString('base64') },
    wrapped: seal(randomBytes(32), randomBytes(32), 'planted'),
  }
}

async function vaultWithPlantedSlots(slots: KeySlot[]) {
  const v = await newVault()
  v.vault.lock()
  const file = path.join(v.dir, 'vault.json')
  const d = JSON.parse(fs.readFileSync(file, 'utf8')) as VaultFileV2
  d.keySlots = [...slots, ...d.keySlots]
  fs.writeFileSync(file, JSON.stringify(d))
  return { dir: v.dir, file, bytes: fs.readFileSync(file, 'utf8'), real: d.keySlots.at(-1)!.id }
}

describe('the key derivation work of one unlock is bounded', { timeout: 60_000 }, () => {
  it('slots that together ask for more than the bound: refused before anything is derived', async () => {
    // Seven slots at the 1 GiB maximum each (N=2^20, r=8): about 7 × 2.5 s and 1 GiB apiece.
    const max = { N: 2 ** 20, r: 8, p: 1 }
    const { dir, file, bytes } = await vaultWithPlantedSlots(
      Array.from({ length: 7 }, () => planted(max)),
    )
    const s = createVaultServices({ dir })
    const p = counting(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT))
    const r = await s.vault.unlock(p)
    expect(!r.ok && r.code).toBe('VAULT_CORRUPT')
    expect(!r.ok && r.message).toMatch(
      /more key derivation than TokenDeck allows.*nothing was derived/s,
    )
    expect(p.tried).toEqual([])
    expect(s.vault.unlocked).toBe(false)
    expect(fs.readFileSync(file, 'utf8')).toBe(bytes)
    // The same before a protection change (proofs derive too).
    expect(slotsToTry(JSON.parse(bytes).keySlots, 'passphrase').ok).toBe(false)
  })

  it('within the bound, the cheapest slot is tried first: planted dear slots are never reached', async () => {
    const dear = planted(DEFAULT_SCRYPT)
    const { dir, real } = await vaultWithPlantedSlots([dear, planted(DEFAULT_SCRYPT)])
    const s = createVaultServices({ dir })
    const p = counting(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT))
    const r = await s.vault.unlock(p)
    // The real slot is the cheapest (the tests' vaults use the cheapest cost): tried alone, and
    // its key then finds the header changed (slots were added by hand).
    expect(p.tried).toEqual([real])
    expect(!r.ok && r.code).toBe('VAULT_TAMPERED')
  })

  it('the bound is eight slots at the default cost, or one at the 1 GiB maximum', () => {
    const slot = (cost: { N: number; r: number; p: number }) => planted(cost)
    expect(kdfWork(slot(DEFAULT_SCRYPT)) * 8).toBe(MAX_TOTAL_KDF_WORK)
    expect(kdfWork(slot({ N: 2 ** 20, r: 8, p: 1 }))).toBe(MAX_TOTAL_KDF_WORK)
    const eight = Array.from({ length: 8 }, () => slot(DEFAULT_SCRYPT))
    expect(slotsToTry(eight, 'passphrase').ok).toBe(true)
    expect(slotsToTry([...eight, slot(CHEAP_SCRYPT)], 'passphrase').ok).toBe(false)
    const order = slotsToTry([slot(DEFAULT_SCRYPT), slot(CHEAP_SCRYPT)], 'passphrase')
    expect(order.ok && order.value.map(kdfWork)).toEqual([
      kdfWork(slot(CHEAP_SCRYPT)),
      kdfWork(slot(DEFAULT_SCRYPT)),
    ])
  })
})
