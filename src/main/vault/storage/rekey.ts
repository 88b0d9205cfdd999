// Re-sealing every record of the vault data: with a new data key (rotation) or with new
// associated data (binding records made before bindings.ts). Pure over the data; the Vault runs
// it inside one locked, atomic write, so a crash leaves either the old file or the new one. Add
// any new sealed field to sealedRecords below.
import { createHmac } from 'node:crypto'
import { fail, ok, type Result } from '../../../shared/result'
import { openRecord, seal, type EncRecord } from './crypto'
import {
  accountSecretId,
  tokenMetadataId,
  tokenRefreshId,
  tokenSecretId,
  type Binding,
} from './bindings'
import type { VaultData } from './schema'

/** A sealed record of the vault data, where it lives, and how to put a new one in its place. */
export interface SealedRef {
  recordId: string
  /** The account it is bound to (for a token whose account is gone: the token's own ids). */
  binding: Binding
  rec: EncRecord
  replace(next: EncRecord): void
}

/** Every sealed record in `data`: account secrets, tokens, their secret metadata and refresh tokens. */
export function sealedRecords(data: VaultData): SealedRef[] {
  const out: SealedRef[] = []
  const accounts = new Map(data.accounts.map((a) => [a.id, a]))
  for (const a of data.accounts) {
    for (const [name, rec] of Object.entries(a.secrets)) {
      out.push({
        recordId: accountSecretId(a.id, name),
        binding: a,
        rec,
        replace: (next) => (a.secrets[name] = next),
      })
    }
  }
  for (const t of data.tokens) {
    const binding = accounts.get(t.accountId) ?? {
      id: t.accountId,
      providerId: t.providerId,
      baseUrl: '',
    }
    if (t.secret) {
      out.push({
        recordId: tokenSecretId(t.id),
        binding,
        rec: t.secret,
        replace: (next) => (t.secret = next),
      })
    }
    if (t.secretMetadata) {
      out.push({
        recordId: tokenMetadataId(t.id),
        binding,
        rec: t.secretMetadata,
        replace: (next) => (t.secretMetadata = next),
      })
    }
    const refresh = t.refresh
    if (refresh) {
      out.push({
        recordId: tokenRefreshId(t.id),
        binding,
        rec: refresh.secret,
        replace: (next) => (refresh.secret = next),
      })
    }
  }
  return out
}

/** A key and the associated data each record is sealed with under it. */
export interface Sealing {
  key: Buffer
  aad: (ref: SealedRef) => string
}

/**
 * Re-seals every record of `draft` from one sealing to another (a new key, or new associated
 * data); fails, changing nothing that is written, if any record does not open as `from` says.
 */
export function reencrypt(draft: VaultData, from: Sealing, to: Sealing): Result<number> {
  const refs = sealedRecords(draft)
  const opened: { ref: SealedRef; plain: Buffer }[] = []
  for (const ref of refs) {
    const plain = openRecord(from.key, ref.rec, from.aad(ref))
    if (!plain) {
      for (const o of opened) o.plain.fill(0)
      return fail(
        'VAULT_CORRUPT',
        `A secret in the vault (${ref.recordId.split('/')[0]}) does not open as expected; nothing was changed.`,
      )
    }
    opened.push({ ref, plain })
  }
  for (const { ref, plain } of opened) {
    ref.replace(seal(to.key, plain, to.aad(ref)))
    plain.fill(0)
  }
  return ok(refs.length)
}

/** A value that says which data key the file's records are sealed with (not the key itself). */
export function keyCheck(key: Buffer): string {
  return createHmac('sha256', key).update('tokendeck/key-check/v1').digest('base64').slice(0, 22)
}
