// Format 2 of the vault file: a plain header (format, vault id, key check, key slots) and one
// sealed body holding everything else, its associated data a hash of the header. Any change to
// the file, header or body, makes the body refuse to open (as KDBX 4 authenticates its header).
import { createHash } from 'node:crypto'
import { fail, ok, type Failure, type Result } from '../../../shared/result'
import { formatIssues } from '../../../shared/providers/profile'
import { openString, seal } from './crypto'
import { keyCheck } from './rekey'
import { BINDINGS } from './bindings'
import {
  vaultContentSchema,
  VAULT_SCHEMA_VERSION,
  type VaultData,
  type VaultFileV2,
  type VaultHeader,
} from './schema'

/** JSON with object keys sorted at every level: one text for one value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** The associated data of the body: binds it to exactly this header (slots and key check too). */
export function bodyAad(header: VaultHeader): string {
  const fields: VaultHeader = {
    format: header.format,
    schemaVersion: header.schemaVersion,
    vaultId: header.vaultId,
    createdAt: header.createdAt,
    keyCheck: header.keyCheck,
    keySlots: header.keySlots,
  }
  const digest = createHash('sha256').update(canonicalJson(fields)).digest('hex')
  return `tokendeck-vault/body/v2|${header.vaultId}|${digest}`
}

/** Seals `data` as a format 2 file with `key` (the key the header's keyCheck names). */
export function encodeVault(data: VaultData, key: Buffer): VaultFileV2 {
  const header = {
    format: data.format,
    schemaVersion: VAULT_SCHEMA_VERSION,
    vaultId: data.vaultId,
    createdAt: data.createdAt,
    keyCheck: keyCheck(key),
    keySlots: data.keySlots,
  } as const
  const content = {
    bindings: data.bindings ?? BINDINGS,
    ...(data.generation !== undefined ? { generation: data.generation } : {}),
    ...(data.writtenAt !== undefined ? { writtenAt: data.writtenAt } : {}),
    accounts: data.accounts,
    tokens: data.tokens,
    customProfiles: data.customProfiles,
    settings: data.settings,
    ...(data.routes ? { routes: data.routes } : {}),
    ...(data.gateway ? { gateway: data.gateway } : {}),
    ...(data.loginLimits?.length ? { loginLimits: data.loginLimits } : {}),
    ...(data.sharedLedger ? { sharedLedger: data.sharedLedger } : {}),
  }
  return { ...header, body: seal(key, JSON.stringify(content), bodyAad(header)) }
}

/** Why a format 2 file did not open with the key in memory (`details.reason` of the failure). */
export type DecodeReason = 'key-changed' | 'tampered'

export function decodeReason(f: Failure): DecodeReason | undefined {
  const r = (f.details as { reason?: unknown } | undefined)?.reason
  return r === 'key-changed' || r === 'tampered' ? r : undefined
}

export function tamperedFile(path: string): Failure {
  return fail(
    'VAULT_TAMPERED',
    `The vault file ${path} was changed outside TokenDeck: it does not match what TokenDeck ` +
      'sealed (its accounts, tokens, settings or key slots were edited, replaced or damaged). ' +
      'Nothing was sent anywhere and the file was left untouched. Restore it from a backup you trust.',
    { details: { reason: 'tampered' } },
  )
}

/**
 * Opens a format 2 file with `key`. A header naming another key is `key-changed` (another window
 * or terminal rotated the key: unlock again); a body that does not authenticate, or whose content
 * does not parse, is `tampered`.
 */
export function decodeVault(file: VaultFileV2, key: Buffer, path: string): Result<VaultData> {
  if (file.keyCheck !== keyCheck(key)) {
    return fail(
      'VAULT_LOCKED',
      'The vault was re-keyed in another window or terminal (its protection changed); unlock it again.',
      { details: { reason: 'key-changed' } },
    )
  }
  const text = openString(key, file.body, bodyAad(file))
  if (text === null) return tamperedFile(path)
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return tamperedFile(path)
  }
  const content = vaultContentSchema.safeParse(raw)
  if (!content.success) {
    // Authentic yet not valid: written by a TokenDeck with another content schema, or a bug.
    return fail(
      'VAULT_CORRUPT',
      `The vault file ${path} opened but its content is not what this TokenDeck expects ` +
        `(${formatIssues(content.error.issues, 3).join('; ')}). The file was left untouched.`,
      { details: { path } },
    )
  }
  const { body: _body, ...header } = file
  return ok({ ...header, ...content.data, schemaVersion: VAULT_SCHEMA_VERSION })
}
