// The vault's shapes: the data the services work on, and the file on disk (format 2: a plain
// header with the key slots, everything else sealed; format 1, read only to upgrade it). A file
// that does not match is reported, never "repaired".
import { z } from 'zod'
import { encRecordSchema } from './crypto'
import { keySlotSchema, MAX_KEY_SLOTS } from './key-slots'
import { settingsSchema } from '../../../shared/settings'
import { SURFACES } from '../../../shared/event-types'
import { TOKEN_STATES } from '../../../shared/views'

export const VAULT_FORMAT = 'tokendeck-vault'
export const VAULT_SCHEMA_VERSION = 2

/** The surfaces and token states are the shared lists (one definition each). */
export { SURFACES, type Surface } from '../../../shared/event-types'
/** Stored states. `expired` is also derived at read time from `expiresAt`. */
export { TOKEN_STATES } from '../../../shared/views'
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
    /** "Keep a valid token ready": renew before expiry, unattended (renewal.ts); absent: off. */
    keepReady: z.boolean().optional(),
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
    /**
     * The refresh token that came with this token (profile `refresh`), sealed (record id
     * `token/<id>/refresh`), and when it expires. It outlives the access token's expiry, moves to
     * the token a refresh mints, and is dropped when refused or when the token is revoked. Never
     * in a view (which says only `refreshable`).
     */
    refresh: z
      .object({ secret: encRecordSchema, expiresAt: z.number().nullable() })
      .strict()
      .nullable()
      .optional(),
    endedAt: z.number().nullable(),
    /** Why it ended or why it is uncertain, in words (never a secret). */
    note: z.string().max(500).nullable(),
    /**
     * When its server refused it (a 401/403 seen by the gateway, a helper's `erase`, `tokendeck
     * reject`): suspect, not ended. Many APIs answer 401 for a permission or plan problem while
     * the token stays valid, so only a confirmed refusal ends it (the profile's probe, or the
     * revoke answering it was already invalid). A suspect token keeps counting toward the cap.
     * Cleared when the server is seen to accept it again.
     */
    suspectAt: z.number().nullable().optional(),
    /** The suspect token this one was minted (or refreshed) to replace. */
    replaces: id.optional(),
    /** When the server was seen to accept it (a probe, a 2xx through the gateway). */
    confirmedAt: z.number().optional(),
  })
  .strict()
export type TokenRecord = z.infer<typeof tokenSchema>

export { settingsSchema, type VaultSettings } from '../../../shared/settings'

/** What the gateway lets through for one account (empty lists: no restriction, no origin). */
export const gatewayPolicyRecordSchema = z
  .object({
    accountId: id,
    /** Web origins whose requests (with an Origin header) are forwarded; none by default. */
    origins: z.array(z.string().min(1).max(300)).max(50),
    /** Allowed methods (upper case); empty: any. */
    methods: z.array(z.string().min(1).max(20)).max(20),
    /** Allowed path prefixes below the account's base URL; empty: any. */
    paths: z.array(z.string().min(1).max(500)).max(100),
  })
  .strict()
export type GatewayPolicyRecord = z.infer<typeof gatewayPolicyRecordSchema>

/**
 * One login endpoint's limits (login-limits.ts): the time a server's 429 asked TokenDeck to wait
 * until, and the times of recent logins sent to it (for a profile's `loginRateLimit`).
 */
export const loginLimitRecordSchema = z
  .object({
    /** The login URL: normalised base URL + login path. */
    endpoint: z.string().min(1).max(1000),
    cooldownUntil: z.number().nullable(),
    /** Epoch ms of each login sent within the longest window that applies, oldest first. */
    attempts: z.array(z.number()).max(10_000),
  })
  .strict()
export type LoginLimitRecord = z.infer<typeof loginLimitRecordSchema>

/** The part of a vault that opens without the key: which format, which vault, its key slots. */
export const vaultHeaderSchema = z.object({
  format: z.literal(VAULT_FORMAT),
  schemaVersion: z.number().int().min(1),
  vaultId: z.string().uuid(),
  createdAt: z.number(),
  /** Which data key the vault is sealed with (see rekey.ts keyCheck), not the key itself. */
  keyCheck: z.string().min(1).max(64).optional(),
  keySlots: z.array(keySlotSchema).min(1).max(MAX_KEY_SLOTS),
})
export type VaultHeader = z.infer<typeof vaultHeaderSchema>

/** Everything but the header: sealed as one record in format 2 (see vault-codec.ts). */
export const vaultContentSchema = z
  .object({
    /**
     * How sealed records are bound (bindings.ts): 3, to their account, provider and base URL; 2,
     * to the origin only (re-bound at unlock); absent, to the record id only (format 1).
     */
    bindings: z.union([z.literal(2), z.literal(3)]).optional(),
    /**
     * The file's generation: one higher at every write. This machine remembers the highest it saw
     * (seen-vaults.ts), so an older copy put back is noticed. Absent in files from before.
     */
    generation: z.number().int().nonnegative().optional(),
    /** When the file was written (epoch ms), to tell a person which copy is which. */
    writtenAt: z.number().optional(),
    accounts: z.array(accountSchema),
    tokens: z.array(tokenSchema),
    /** Imported provider profiles, as validated JSON. */
    customProfiles: z.array(z.record(z.string(), z.unknown())),
    settings: settingsSchema,
    /** Which account serves which URLs (credential helpers): normalised prefix -> account id. */
    routes: z
      .array(z.object({ prefix: z.string().min(1).max(500), accountId: id }).strict())
      .max(1000)
      .optional(),
    /** The gateway: per-account policies, and the app gateway's access token (sealed body). */
    gateway: z
      .object({
        /** The access token clients of the app's gateway send (X-TokenDeck-Gateway). */
        accessToken: z.string().min(32).max(128).optional(),
        policies: z.array(gatewayPolicyRecordSchema).max(1000),
      })
      .strict()
      .optional(),
    /**
     * The shared ledger this vault counts its organizations' caps in (docs/team.md): its URL (it
     * may hold the database password: it lives only in this sealed body), this vault's random
     * machine id and display name there, and the key that turns a token id into its slot id (so
     * the database cannot link a slot to a token). Absent: the local ledger alone.
     */
    sharedLedger: z
      .object({
        url: z.string().min(1).max(2000),
        machineId: z.string().uuid(),
        machineName: z.string().min(1).max(100),
        slotKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
        connectedAt: z.number(),
      })
      .strict()
      .optional(),
    /** Login endpoints (origin + login path): a server's cooldown, recent login times. */
    loginLimits: z.array(loginLimitRecordSchema).max(1000).optional(),
  })
  .strict()
export type VaultContent = z.infer<typeof vaultContentSchema>

/** The vault as the services see it: the header and the content, opened. */
export const vaultDataSchema = vaultHeaderSchema
  .extend({ schemaVersion: z.literal(VAULT_SCHEMA_VERSION) })
  .extend(vaultContentSchema.shape)
  .strict()
export type VaultData = z.infer<typeof vaultDataSchema>

/**
 * Format 1 on disk: the content in plain JSON beside the header, only the secrets sealed.
 * Read once to upgrade (at unlock, where it is re-sealed as format 2); never written.
 */
export const vaultFileV1Schema = vaultHeaderSchema
  .extend({ schemaVersion: z.literal(1) })
  .extend(vaultContentSchema.shape)
  .strict()

/**
 * Format 2 on disk: the header in plain JSON (it must be read to unlock) and everything else in
 * `body`, one AES-256-GCM record whose associated data is a hash of the header, so the key slots,
 * the key check and every account, token, profile and setting are authenticated together.
 */
export const vaultFileV2Schema = vaultHeaderSchema
  .extend({
    schemaVersion: z.literal(2),
    keyCheck: z.string().min(1).max(64),
    body: encRecordSchema,
  })
  .strict()
export type VaultFileV2 = z.infer<typeof vaultFileV2Schema>

/**
 * The JSON Schema conf/electron-store validates the file with (draft 2020-12, from zod): the
 * properties of format 2, plus format 1's so an old file can be read to be upgraded.
 */
export function vaultJsonSchema(): { properties: Record<string, unknown> } {
  const props = (s: z.ZodType) =>
    (
      z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as {
        properties: Record<string, unknown>
      }
    ).properties
  const properties = { ...props(vaultFileV1Schema), ...props(vaultFileV2Schema) }
  // Versions are checked in code (a newer one is UNSUPPORTED), so the file schema accepts any.
  properties.schemaVersion = { type: 'integer', minimum: 1 }
  properties.keyCheck = { type: 'string' }
  return { properties }
}
