// Test fixture: a vault as earlier TokenDecks wrote it, from a vault made now. Format 1 kept the
// content in plain JSON beside the header and sealed only secrets and tokens (bound to their
// record id, or from "bindings 2" on to their origin); every format wrapped the passphrase slot
// without naming the format. Written here the way that code wrote it, so the tests meet real old
// files, not ones today's code would produce.
import { scryptSync } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { boundAad, legacyAad, originBoundAad } from '../../src/main/vault/storage/bindings'
import { openRecord, seal } from '../../src/main/vault/storage/crypto'
import { sealedRecords } from '../../src/main/vault/storage/rekey'
import type { VaultData } from '../../src/main/vault/storage/schema'
import { encodeVault } from '../../src/main/vault/storage/vault-codec'
import { readSealed } from './vault'

/** The passphrase slot's wrap as TokenDeck wrote it before slots named the sealed format. */
function legacySlots(d: VaultData, key: Buffer, passphrase: string): VaultData['keySlots'] {
  return d.keySlots.map((slot) => {
    if (slot.kind !== 'passphrase') return slot
    const { N, r, p, salt } = slot.kdf
    const kek = scryptSync(passphrase.normalize('NFC'), Buffer.from(salt, 'base64'), 32, {
      N,
      r,
      p,
      maxmem: 256 * N * r + 32 * 1024 * 1024,
    })
    const wrapped = seal(kek, key, `tokendeck/${d.vaultId}/key-slot/${slot.id}`)
    kek.fill(0)
    return { ...slot, wrapped }
  })
}

/** Re-seals every record of `d` (sealed as today) with the associated data of `bindings`. */
function rebind(d: VaultData, key: Buffer, bindings: 'none' | 'origin'): void {
  for (const ref of sealedRecords(d)) {
    const plain = openRecord(key, ref.rec, boundAad(d.vaultId, ref.recordId, ref.binding))
    if (!plain) throw new Error(`legacy-vault: ${ref.recordId} does not open`)
    const aad =
      bindings === 'none'
        ? legacyAad(d.vaultId, ref.recordId)
        : originBoundAad(d.vaultId, ref.recordId, ref.binding)
    ref.replace(seal(key, plain, aad))
  }
  if (bindings === 'none') delete d.bindings
  else d.bindings = 2
}

/**
 * Rewrites `dir`'s vault as a format 1 file of an earlier TokenDeck: plain content, records bound
 * as `bindings` says, the passphrase slot wrapped without the format. Returns the file's path.
 */
export function asLegacyFormat1(
  dir: string,
  key: Buffer,
  passphrase: string,
  o: { bindings: 'none' | 'origin' } = { bindings: 'origin' },
): string {
  const d = readSealed(dir, key)
  rebind(d, key, o.bindings)
  d.keySlots = legacySlots(d, key, passphrase)
  delete d.generation
  delete d.writtenAt
  const file = path.join(dir, 'vault.json')
  fs.writeFileSync(file, JSON.stringify({ ...d, schemaVersion: 1 }), { mode: 0o600 })
  return file
}

/**
 * Rewrites `dir`'s vault as a format 2 file of the TokenDeck before this one: sealed whole, but
 * records bound to their origin only and the passphrase slot wrapped without the format.
 */
export function asLegacyFormat2(dir: string, key: Buffer, passphrase: string): string {
  const d = readSealed(dir, key)
  rebind(d, key, 'origin')
  d.keySlots = legacySlots(d, key, passphrase)
  delete d.generation
  delete d.writtenAt
  const file = path.join(dir, 'vault.json')
  const sealed = encodeVault(d, key)
  fs.writeFileSync(file, JSON.stringify(sealed), { mode: 0o600 })
  return file
}

/**
 * The downgrade forgery (issue 18): the victim's plain header copied into a format 1 file whose
 * plaintext content is the attacker's: an account `label` at `attackerUrl` that asks for the
 * password (nothing sealed), a route, agent approval and auto-lock off, the gateway on with an
 * access token the attacker knows. Returns the bytes written.
 */
export function forgeFormat1(
  file: string,
  o: { attackerUrl: string; label: string; username: string; gatewayToken: string },
): string {
  const header = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
  const now = Date.now()
  const forged = {
    format: header.format,
    schemaVersion: 1,
    vaultId: header.vaultId,
    createdAt: header.createdAt,
    keyCheck: header.keyCheck,
    keySlots: header.keySlots,
    bindings: 2,
    accounts: [
      {
        id: 'evil-account',
        label: o.label,
        providerId: 'tpstreams',
        baseUrl: o.attackerUrl,
        fields: { username: o.username, organization_id: 'acme' },
        secrets: {},
        remember: false,
        createdAt: now,
        updatedAt: now,
      },
    ],
    tokens: [],
    customProfiles: [],
    settings: { agentApproval: 'dont-ask', autoLockMinutes: 0, gatewayEnabled: true },
    routes: [{ prefix: 'https://github.com', accountId: 'evil-account' }],
    gateway: { accessToken: o.gatewayToken, policies: [] },
  }
  fs.writeFileSync(file, JSON.stringify(forged))
  return fs.readFileSync(file, 'utf8')
}
