// The vault file's shape (version 1). Every secret inside is an EncRecord; everything else is
// metadata that is safe on disk. A file that does not match is reported, never "repaired".
import { z } from 'zod'
import { encRecordSchema } from './crypto'
import { keySlotSchema, MAX_KEY_SLOTS } from './key-slots'
import { settingsSchema } from '../../shared/settings'

export const VAULT_FORMAT = 'tokendeck-vault'
export const VAULT_SCHEMA_VERSION = 1

export const SURFACES = ['ui', 'tray', 'cli'] as const
export type Surface = (typeof SURFACES)[number]

/** Stored states. `expired` is also derived at read time from `expiresAt`. */
export const TOKEN_STATES = ['active', 'expired', 'revoked', 'uncertain', 'forgotten'] as const
export type StoredTokenState = (typeof TOKEN_STATES)[number]

const id = z.string().min(1).max(64)
const metaValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])

export const accountSchema = z
  .object({
    id,
    label: z.string().min(1).max(80),
    providerId: z.string().min(1).max(40),
    baseUrl: z.string().min(1).max(500),
    /** Non-secret field values (username, organization id, ...). */
    fields: z.record(z.string(), z.string()),
    /** Secret field values, encrypted; present only when the user chose "remember". */
    secrets: z.record(z.string(), encRecordSchema),
    remember: z.boolean(),
    createdAt: z.number(),
    updatedAt: z.number(),
  })
  .strict()
export type AccountRecord = z.infer<typeof accountSchema>

export const tokenSchema = z
  .object({
    id,
    accountId: id,
    providerId: z.string(),
    /** provider | base URL | organization id (or account:<id> for per-account caps). */
    orgKey: z.string(),
    state: z.enum(TOKEN_STATES),
    issuedAt: z.number(),
    expiresAt: z.number().nullable(),
    headerName: z.string(),
    scheme: z.string(),
    metadata: z.record(z.string(), metaValue),
    surface: z.enum(SURFACES),
    /** The token itself, encrypted; dropped once the token is revoked, expired or forgotten. */
    secret: encRecordSchema.nullable(),
    /**
     * The profile's secret metadata entries (e.g. xpay's `ticket`) as one sealed JSON object
     * (record id `token/<id>/metadata`); absent when there are none, null once the token ended.
     * Never in a view.
     */
    secretMetadata: encRecordSchema.nullable().optional(),
    endedAt: z.number().nullable(),
    /** Why it ended or why it is uncertain, in words (never a secret). */
    note: z.string().max(500).nullable(),
  })
  .strict()
export type TokenRecord = z.infer<typeof tokenSchema>

export { settingsSchema, type VaultSettings } from '../../shared/settings'

export const vaultDataSchema = z
  .object({
    format: z.literal(VAULT_FORMAT),
    schemaVersion: z.literal(VAULT_SCHEMA_VERSION),
    vaultId: z.string().uuid(),
    createdAt: z.number(),
    /** Which data key the records are sealed with (see rekey.ts keyCheck); set since key rotation. */
    keyCheck: z.string().min(1).max(64).optional(),
    /** 2: sealed records are bound to their account, provider and origin (bindings.ts). */
    bindings: z.literal(2).optional(),
    keySlots: z.array(keySlotSchema).min(1).max(MAX_KEY_SLOTS),
    accounts: z.array(accountSchema),
    tokens: z.array(tokenSchema),
    /** Imported provider profiles, as validated JSON. */
    customProfiles: z.array(z.record(z.string(), z.unknown())),
    settings: settingsSchema,
  })
  .strict()
export type VaultData = z.infer<typeof vaultDataSchema>

/** The JSON Schema conf/electron-store validates the file with (draft 2020-12, from zod). */
export function vaultJsonSchema(): { properties: Record<string, unknown>; required: string[] } {
  const schema = z.toJSONSchema(vaultDataSchema, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, unknown>
    required?: string[]
  }
  // Versions are checked and migrated in code (see migrate), so the file schema accepts any.
  schema.properties.schemaVersion = { type: 'integer', minimum: 1 }
  return { properties: schema.properties, required: schema.required ?? [] }
}

/**
 * Brings an older file's data up to VAULT_SCHEMA_VERSION in memory; the next write stores it.
 * Each step takes version n to n + 1. There is only version 1 so far.
 */
const MIGRATIONS: Record<number, (raw: Record<string, unknown>) => Record<string, unknown>> = {}

export function migrate(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object') return raw
  let data = raw as Record<string, unknown>
  let version = typeof data.schemaVersion === 'number' ? data.schemaVersion : VAULT_SCHEMA_VERSION
  while (version < VAULT_SCHEMA_VERSION) {
    const step = MIGRATIONS[version]
    if (!step) break
    data = { ...step(data), schemaVersion: version + 1 }
    version += 1
  }
  return data
}
