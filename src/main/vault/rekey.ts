// Rotating the data key: every sealed record in the vault data is opened with the old key and
// sealed again with the new one (same record ids, so the same associated data). Pure over the
// data; Vault.rekey runs it inside one locked, atomic write, so a crash leaves either the old
// file or the new one. Add any new sealed field to sealedRecords below.
import { createHmac } from 'node:crypto'
import { fail, ok, type Result } from '../../shared/result'
import { openRecord, seal, type EncRecord } from './crypto'
import type { VaultData } from './schema'

/** A sealed record of the vault data, where it lives, and how to put a new one in its place. */
interface SealedRef {
  recordId: string
  rec: EncRecord
  replace(next: EncRecord): void
}

/** Every sealed record in `data`: account secrets, tokens, and their secret metadata. */
export function sealedRecords(data: VaultData): SealedRef[] {
  const out: SealedRef[] = []
  for (const a of data.accounts) {
    for (const [name, rec] of Object.entries(a.secrets)) {
      out.push({
        recordId: `account/${a.id}/secret/${name}`,
        rec,
        replace: (next) => (a.secrets[name] = next),
      })
    }
  }
  for (const t of data.tokens) {
    if (t.secret) {
      out.push({ recordId: `token/${t.id}`, rec: t.secret, replace: (next) => (t.secret = next) })
    }
    const meta = (t as { secretMetadata?: EncRecord | null }).secretMetadata
    if (meta) {
      out.push({
        recordId: `token/${t.id}/metadata`,
        rec: meta,
        replace: (next) => ((t as { secretMetadata?: EncRecord | null }).secretMetadata = next),
      })
    }
  }
  return out
}

/** Re-seals every record of `draft` from `oldKey` to `newKey`; fails (changing nothing that is
 * written) if any record does not open with the old key. */
export function reencrypt(
  draft: VaultData,
  oldKey: Buffer,
  newKey: Buffer,
  aad: (recordId: string) => string,
): Result<number> {
  const refs = sealedRecords(draft)
  const opened: { ref: SealedRef; plain: Buffer }[] = []
  for (const ref of refs) {
    const plain = openRecord(oldKey, ref.rec, aad(ref.recordId))
    if (!plain) {
      for (const o of opened) o.plain.fill(0)
      return fail(
        'VAULT_CORRUPT',
        `A secret in the vault (${ref.recordId.split('/')[0]}) does not open with the current key; the key was not changed.`,
      )
    }
    opened.push({ ref, plain })
  }
  for (const { ref, plain } of opened) {
    ref.replace(seal(newKey, plain, aad(ref.recordId)))
    plain.fill(0)
  }
  return ok(refs.length)
}

/** A value that says which data key the file's records are sealed with (not the key itself). */
export function keyCheck(key: Buffer): string {
  return createHmac('sha256', key).update('tokendeck/key-check/v1').digest('base64').slice(0, 22)
}
