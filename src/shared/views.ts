// What leaves the main process about accounts, tokens and organizations: plain data, validated,
// and never a secret (no token, password or secret key). The IPC contract and the CLI use these.
import { z } from 'zod'
import { EVENT_TYPES, SURFACES, type EventType, type Surface } from './event-types'

export { EVENT_TYPES, SURFACES, type EventType, type Surface }

/** `renewal`: the app renewing a keep-ready account's token on its own (src/main/renewal.ts). */
export const surfaceSchema = z.enum(SURFACES)

/**
 * A token's states, once: the vault stores them (vault/schema.ts) and a view shows them (stored
 * state, with `expired` derived from the clock); src/shared/state.ts says what each means.
 */
export const TOKEN_STATES = [
  'active',
  'expired',
  'revoked',
  'uncertain',
  'forgotten',
  /** Ended by its server when a newer token went past an evict-oldest cap (vault/evict.ts). */
  'evicted',
] as const

export const tokenStateSchema = z.enum(TOKEN_STATES)
export type TokenState = z.infer<typeof tokenStateSchema>

const metaValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])

export const tokenViewSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    state: tokenStateSchema,
    issuedAt: z.number(),
    expiresAt: z.number().nullable(),
    headerName: z.string(),
    scheme: z.string(),
    metadata: z.record(z.string(), metaValue),
    surface: surfaceSchema,
    endedAt: z.number().nullable(),
    note: z.string().nullable(),
    /** The vault still holds the token itself (so it can be copied or revoked). */
    held: z.boolean(),
    /** A refresh token came with it and has not expired: the next header refreshes, no login. */
    refreshable: z.boolean().optional(),
    /** When that refresh token expires (null: no expiry given). Never the refresh token. */
    refreshExpiresAt: z.number().nullable().optional(),
    /**
     * Its server refused it once (a 401/403), not yet confirmed either way: it still counts
     * toward the cap, and the next request replaces it (at most once a minute) or uses it again.
     */
    suspect: z.literal(true).optional(),
  })
  .strict()
export type TokenView = z.infer<typeof tokenViewSchema>

export const capUsageSchema = z
  .object({ max: z.number(), used: z.number(), active: z.number(), uncertain: z.number() })
  .strict()
export type CapUsage = z.infer<typeof capUsageSchema>

export const accountViewSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    providerId: z.string(),
    providerName: z.string(),
    baseUrl: z.string(),
    username: z.string(),
    /** Non-secret field values, by profile field name. */
    fields: z.record(z.string(), z.string()),
    organizationId: z.string().nullable(),
    orgKey: z.string(),
    remember: z.boolean(),
    /** "Keep a valid token ready": renewed before expiry, unattended; absent means off. */
    keepReady: z.boolean().optional(),
    /** The newest token that can be handed out, if any. */
    current: tokenViewSchema.nullable(),
    /** Every token the ledger knows for this account, newest first. */
    tokens: z.array(tokenViewSchema),
    /**
     * Until when logins for this account are refused locally (its server's 429 cooldown, or the
     * profile's login rate limit used up); null or absent: logins are allowed.
     */
    loginCooldownUntil: z.number().nullable().optional(),
    createdAt: z.number(),
  })
  .strict()
export type AccountView = z.infer<typeof accountViewSchema>

/** A shared organization's split across machines (no secret: names and counts). */
export const sharedOrgSchema = z
  .object({
    /** connected: counts as last read and followed; offline: the ledger cannot be reached. */
    state: z.enum(['connected', 'offline', 'unknown']),
    /** Counted slots held by this machine and by others; null before the first read. */
    here: z.number().nullable(),
    elsewhere: z.number().nullable(),
    holders: z
      .array(
        z
          .object({
            name: z.string().max(100),
            live: z.number(),
            uncertain: z.number(),
            thisMachine: z.boolean(),
          })
          .strict(),
      )
      .max(200),
  })
  .strict()
export type SharedOrgView = z.infer<typeof sharedOrgSchema>

export const organizationViewSchema = z
  .object({
    key: z.string(),
    providerId: z.string(),
    providerName: z.string(),
    baseUrl: z.string(),
    organizationId: z.string().nullable(),
    cap: capUsageSchema.nullable(),
    accountIds: z.array(z.string()),
    /**
     * A capped organization counted in a shared ledger (docs/team.md): `cap` is then the count
     * across machines as last read, and this says how it splits and whether it is current.
     */
    shared: sharedOrgSchema.optional(),
  })
  .strict()
export type OrganizationView = z.infer<typeof organizationViewSchema>

/** One entry of the event log: what happened and why, never a secret. */
export const eventSchema = z
  .object({
    id: z.string(),
    at: z.number(),
    type: z.enum(EVENT_TYPES),
    message: z.string().max(1000),
    accountId: z.string().optional(),
    label: z.string().optional(),
    tokenId: z.string().optional(),
    surface: surfaceSchema.optional(),
    code: z.string().optional(),
    /**
     * Who asked, when an agent request caused this entry: the client's own description
     * ('"tokendeck header" (pid 4242, /dev/pts/3)'), not an authentication.
     */
    client: z.string().max(500).optional(),
  })
  .strict()
export type VaultEvent = z.infer<typeof eventSchema>

/**
 * The event log as shown: the newest entries, and how many of the lines read for them did not
 * open (edited or written outside TokenDeck, or sealed with a key since replaced): those are
 * counted and said, never silently left out.
 */
export const eventListSchema = z
  .object({
    events: z.array(eventSchema),
    unverified: z.number().int().nonnegative(),
  })
  .strict()
export type EventList = z.infer<typeof eventListSchema>

/** `tokendeck ledger status` and Settings › Shared ledger: no password, no token, no slot key. */
export const ledgerStatusSchema = z
  .object({
    backend: z.enum(['local', 'postgresql']),
    /** postgres://user@host:port/db, without the password. */
    url: z.string().max(2100).nullable(),
    machineName: z.string().max(100),
    machineId: z.string().nullable(),
    state: z.enum(['connected', 'offline', 'local']),
    problem: z.string().max(1000).optional(),
    organizations: z
      .array(
        z
          .object({
            orgKey: z.string(),
            providerId: z.string(),
            organizationId: z.string(),
            baseUrl: z.string(),
            max: z.number(),
            used: z.number(),
            uncertain: z.number(),
            here: z.number(),
            elsewhere: z.number(),
            holders: sharedOrgSchema.shape.holders,
          })
          .strict(),
      )
      .max(1000),
  })
  .strict()
export type LedgerStatusView = z.infer<typeof ledgerStatusSchema>
