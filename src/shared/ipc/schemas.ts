// The IPC contract: a zod schema for every request, response and event. Main parses every
// request before acting on it; the preload API parses every response before the page sees it.
// Responses are views: no token, password or secret key can be expressed in them.
import { z } from 'zod'
import { fieldSchema } from '../providers/profile'
import { settingsPatchSchema, settingsSchema } from '../settings'
import {
  accountViewSchema,
  EVENT_TYPES,
  eventListSchema,
  ledgerStatusSchema,
  organizationViewSchema,
  tokenViewSchema,
} from '../views'
import { LABEL_INPUT_MAX } from '../labels'
import { ERROR_CODES } from '../result'
import { CHECK_OUTCOMES, type CheckReport } from '../health'
import type { LoginPromptView } from '../login-prompt'
import { EVENTS, INVOKE } from './channels'

// ---------- building blocks ----------

const id = z.string().min(1).max(64)
/** A secret typed by the user: sent to main once, never echoed back. */
const secretText = z.string().min(1).max(4096)
const fieldValues = z.record(z.string().min(1).max(40), z.string().max(4096))
const secretValues = z.record(z.string().min(1).max(40), secretText)
const none = z.undefined()

export const failureSchema = z
  .object({
    ok: z.literal(false),
    code: z.enum(ERROR_CODES),
    message: z.string(),
    fields: z.record(z.string(), z.array(z.string())).optional(),
    details: z
      .record(
        z.string(),
        z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]),
      )
      .optional(),
  })
  .strict()

export function resultSchema<T extends z.ZodType>(value: T) {
  return z.union([z.object({ ok: z.literal(true), value }).strict(), failureSchema])
}

// ---------- views only the IPC needs ----------

export const keySlotViewSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['passphrase', 'safe-storage']),
    createdAt: z.number(),
    backend: z.string().optional(),
  })
  .strict()

export const appStatusSchema = z
  .object({
    vault: z
      .object({
        exists: z.boolean(),
        unlocked: z.boolean(),
        dir: z.string(),
        slots: z.array(keySlotViewSchema),
        autoLockMinutes: z.number(),
        /** Copies of files that could not be read, kept beside the vault (file names). */
        unreadableCopies: z.array(z.string()),
      })
      .strict(),
    /** Protection changes since the previous unlock in the window (set by an unlock). */
    protectionChanges: z
      .array(z.object({ at: z.number(), message: z.string() }).strict())
      .optional(),
    /** Whether the OS keychain gives real protection here, and if not, why. */
    protection: z
      .object({ osAvailable: z.boolean(), backend: z.string(), reason: z.string().optional() })
      .strict(),
    demo: z.boolean(),
    platform: z.string(),
  })
  .strict()
export type AppStatus = z.infer<typeof appStatusSchema>

export const snapshotSchema = z
  .object({
    accounts: z.array(accountViewSchema),
    organizations: z.array(organizationViewSchema),
    /** Main's clock when the snapshot was taken (the renderer ticks from its own clock). */
    now: z.number(),
  })
  .strict()
export type Snapshot = z.infer<typeof snapshotSchema>

export const providerViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    docsUrl: z.string().optional(),
    builtin: z.boolean(),
    defaultBaseUrl: z.string(),
    fields: z.array(fieldSchema),
    signupFields: z.array(fieldSchema).nullable(),
    canRevoke: z.boolean(),
    /** The profile declares a probe: its tokens can be checked ("Check now", status --probe). */
    probe: z.boolean(),
    cap: z
      .object({
        max: z.number(),
        scope: z.enum(['organization', 'account']),
        /** Past the cap: refused (the default), or the server evicts the oldest token. */
        onExceed: z.enum(['refuse', 'evictOldest']).optional(),
      })
      .nullable(),
    scheme: z.string(),
    expiry: z.enum(['body', 'jwt-exp', 'ttl', 'none']),
    /** How a token is obtained: a request with the account's fields, or a browser sign-in. */
    signIn: z.enum(['request', 'oauth-code', 'oauth-device', 'oauth-client']),
  })
  .strict()
export type ProviderView = z.infer<typeof providerViewSchema>

/** A token ended by its server when a newer one went past an evict-oldest cap (no secret). */
const evictedSchema = z.object({ label: z.string(), tokenId: z.string() }).strict()

export const loginResultSchema = z
  .object({
    token: tokenViewSchema,
    reused: z.boolean(),
    /** The new token works but something around it did not (the replaced one is still live). */
    warning: z.string().optional(),
    /** The token its server ended because this one went past an evict-oldest cap. */
    evicted: evictedSchema.optional(),
  })
  .strict()

export const revokeReportSchema = z
  .object({
    revoked: z.array(tokenViewSchema),
    forgotten: z.array(tokenViewSchema),
    failures: z.array(
      z.object({ tokenId: z.string(), code: z.string(), message: z.string() }).strict(),
    ),
    message: z.string(),
  })
  .strict()

export const copyResultSchema = z
  .object({
    accountId: z.string(),
    label: z.string(),
    headerName: z.string(),
    reused: z.boolean(),
    expiresAt: z.number().nullable(),
    /** The clipboard is cleared after this many seconds if it still holds the header. */
    clearsInSeconds: z.number(),
    /** The token its server ended because the new one went past an evict-oldest cap. */
    evicted: evictedSchema.optional(),
  })
  .strict()
export type CopyResult = z.infer<typeof copyResultSchema>

// ---------- the contract: request and response schema per invoke channel ----------

/** Who is asking, proven again before any protection change: the passphrase or the keychain. */
const proofSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('os') }).strict(),
  z.object({ method: z.literal('passphrase'), passphrase: secretText }).strict(),
])

const accountPatch = z
  .object({
    label: z.string().max(LABEL_INPUT_MAX).optional(),
    baseUrl: z.string().max(500).optional(),
    fields: fieldValues.optional(),
    remember: z.boolean().optional(),
  })
  .strict()

/** What an agent approval lets through: reading tokens, or changing the vault (reads too). */
export const agentScopeSchema = z.enum(['read', 'change'])

/** A request to the app's agent waiting for the person's approval (words only). */
export const agentPromptSchema = z
  .object({
    id: z.string().max(64),
    client: z.string().max(300),
    what: z.string().max(300),
    /** read: tokens and views; change: the vault (add, remove, revoke, policy, reject). */
    scope: agentScopeSchema,
    at: z.number(),
  })
  .strict()
export type AgentPromptView = z.infer<typeof agentPromptSchema>

/**
 * A login waiting for a person in a browser (shared/login-prompt.ts): the device flow's code and
 * page, or the authorization page. Words, a URL and a short code the person types: no secret (the
 * device code, the PKCE verifier and the state stay in main).
 */
export const loginPromptSchema = z
  .object({
    id: z.string().max(64),
    accountId: z.string().max(64),
    label: z.string().max(300),
    provider: z.string().max(300),
    kind: z.enum(['device', 'browser']),
    url: z.string().max(8192),
    userCode: z.string().max(64).nullable(),
    expiresAt: z.number(),
  })
  .strict() satisfies z.ZodType<LoginPromptView>
/** At most this many prompts travel to the window at once (one per login in flight). */
export const LOGIN_PROMPTS_MAX = 100

/** A terminal session whose agent requests were approved, until it lapses or is revoked. */
export const agentSessionSchema = z
  .object({
    id: z.string().max(64),
    client: z.string().max(300),
    terminal: z.string().max(500),
    scope: agentScopeSchema,
    approvedAt: z.number(),
    lastUsedAt: z.number(),
    expiresAt: z.number(),
  })
  .strict()
export type AgentSessionView = z.infer<typeof agentSessionSchema>

/** One account the app's gateway serves: where to send its requests (no token, no secret). */
export const gatewayAccountSchema = z
  .object({
    accountId: z.string(),
    label: z.string(),
    /** http://127.0.0.1:PORT/LABEL/ while the gateway runs; null while it does not. */
    url: z.string().nullable(),
    /** Where its requests go: the account's base URL. */
    baseUrl: z.string(),
    /** The account's gateway policy in words ("any method; any path; no web origin"). */
    policy: z.string(),
  })
  .strict()
export type GatewayAccountView = z.infer<typeof gatewayAccountSchema>

/** The app's gateway as the window sees it: never its access token. */
export const gatewayStatusSchema = z
  .object({
    state: z.enum(['off', 'running', 'failed']),
    /** The port it listens on (running) or could not listen on (failed); null when off. */
    port: z.number().int().nullable(),
    /** http://127.0.0.1:PORT while it runs. */
    origin: z.string().nullable(),
    /** Why it is not running (failed): e.g. CONFLICT, the port is in use. */
    failure: z
      .object({ code: z.enum(ERROR_CODES), message: z.string() })
      .strict()
      .nullable(),
    /** The accounts it serves; empty while the user's vault is locked or the demo is open. */
    accounts: z.array(gatewayAccountSchema),
  })
  .strict()
export type GatewayStatusView = z.infer<typeof gatewayStatusSchema>

/** What a gateway copy put on the clipboard (never the text itself). */
export const gatewayCopyResultSchema = z
  .object({
    /** The account whose URL was copied; absent for the access token. */
    label: z.string().optional(),
    /** The clipboard is cleared after this many seconds if it still holds the copy. */
    clearsInSeconds: z.number(),
  })
  .strict()
export type GatewayCopyResult = z.infer<typeof gatewayCopyResultSchema>

/**
 * The `tokendeck` command the app installs (Settings › Command line): where its launcher goes,
 * whether it is there (ours and current, ours for another app path, someone else's file), and
 * whether terminals will find it. Paths and words only.
 */
export const cliCommandSchema = z
  .object({
    state: z.enum(['absent', 'installed', 'outdated', 'foreign']),
    /** The launcher's path (~/.local/bin/tokendeck, /usr/local/bin/tokendeck, ...\tokendeck.cmd). */
    file: z.string(),
    folder: z.string(),
    /** The folder is on PATH (as the app sees it; on macOS also /etc/paths). */
    onPath: z.boolean(),
    /** When it is not: the line to add, and where (a shell profile; null: a command to run). */
    pathAdvice: z.object({ file: z.string().nullable(), line: z.string() }).strict().nullable(),
    /** Another `tokendeck` a terminal would find first. */
    shadowedBy: z.string().nullable(),
    /** macOS: /usr/local/bin is shared by the Mac's users; the window asks before installing. */
    needsConsent: z.boolean(),
  })
  .strict()
export type CliCommandView = z.infer<typeof cliCommandSchema>

export const cliCommandResultSchema = z
  .object({ command: cliCommandSchema, changed: z.boolean() })
  .strict()
export type CliCommandResult = z.infer<typeof cliCommandResultSchema>

/** What disconnecting from the shared ledger answers: where it was (no password), or null. */
export const ledgerDisconnectSchema = z.object({ url: z.string().max(2100).nullable() }).strict()

/** What "Check now" found (tokens.check); see src/shared/health.ts. */
export const checkReportSchema = z
  .object({
    accountId: z.string(),
    label: z.string(),
    outcome: z.enum(CHECK_OUTCOMES),
    tokenId: z.string().nullable(),
    status: z.number().nullable(),
    code: z.string().nullable(),
    message: z.string().max(1000),
  })
  .strict() satisfies z.ZodType<CheckReport>

/**
 * What the person confirmed after an unlock asked: upgrade a format 1 vault (VAULT_UPGRADE_NEEDED,
 * resetting what it could not authenticate), or open an older copy (VAULT_ROLLED_BACK).
 */
const unlockConsent = {
  upgrade: z.boolean().optional(),
  acceptOlder: z.boolean().optional(),
}

export const CONTRACT = {
  [INVOKE.appStatus]: { request: none, response: appStatusSchema },
  [INVOKE.vaultCreate]: {
    request: z.discriminatedUnion('protection', [
      z.object({ protection: z.literal('os') }).strict(),
      z.object({ protection: z.literal('passphrase'), passphrase: secretText }).strict(),
    ]),
    response: appStatusSchema,
  },
  [INVOKE.vaultUnlock]: {
    request: z.discriminatedUnion('method', [
      z.object({ method: z.literal('os'), ...unlockConsent }).strict(),
      z
        .object({ method: z.literal('passphrase'), passphrase: secretText, ...unlockConsent })
        .strict(),
    ]),
    response: appStatusSchema,
  },
  [INVOKE.vaultLock]: { request: none, response: appStatusSchema },
  [INVOKE.vaultAddPassphrase]: {
    request: z.object({ proof: proofSchema, passphrase: secretText }).strict(),
    response: keySlotViewSchema,
  },
  [INVOKE.vaultAddOsProtection]: {
    request: z.object({ proof: proofSchema }).strict(),
    response: keySlotViewSchema,
  },
  [INVOKE.vaultRemoveSlot]: {
    request: z.object({ slotId: id, proof: proofSchema }).strict(),
    response: appStatusSchema,
  },
  [INVOKE.vaultChangePassphrase]: {
    request: z.object({ proof: proofSchema, passphrase: secretText }).strict(),
    response: appStatusSchema,
  },
  [INVOKE.vaultDeleteUnreadableCopy]: {
    request: z.object({ name: z.string().min(1).max(200) }).strict(),
    response: appStatusSchema,
  },
  [INVOKE.demoStart]: { request: none, response: appStatusSchema },
  [INVOKE.snapshot]: { request: none, response: snapshotSchema },
  [INVOKE.providersList]: { request: none, response: z.array(providerViewSchema) },
  [INVOKE.providersImport]: {
    request: z
      .object({
        text: z
          .string()
          .min(1)
          .max(256 * 1024),
      })
      .strict(),
    response: providerViewSchema,
  },
  [INVOKE.providersRemove]: { request: z.object({ id }).strict(), response: z.null() },
  [INVOKE.accountsAdd]: {
    request: z
      .object({
        label: z.string().max(LABEL_INPUT_MAX),
        providerId: id,
        baseUrl: z.string().max(500).optional(),
        fields: fieldValues,
        remember: z.boolean(),
        /** Log in right away with the typed secret (required when it is not remembered). */
        login: z.boolean(),
      })
      .strict(),
    response: accountViewSchema,
  },
  [INVOKE.accountsUpdate]: {
    request: z.object({ accountId: id, patch: accountPatch }).strict(),
    response: accountViewSchema,
  },
  [INVOKE.accountsRemove]: {
    request: z
      .object({ accountId: id, revokeFirst: z.boolean().optional(), force: z.boolean().optional() })
      .strict(),
    response: z.object({ label: z.string(), liveTokensLeft: z.number() }).strict(),
  },
  [INVOKE.accountsSignup]: {
    request: z
      .object({
        providerId: id,
        label: z.string().max(LABEL_INPUT_MAX),
        baseUrl: z.string().max(500).optional(),
        fields: fieldValues,
        remember: z.boolean(),
      })
      .strict(),
    response: accountViewSchema,
  },
  [INVOKE.accountsKeepReady]: {
    request: z.object({ accountId: id, on: z.boolean() }).strict(),
    response: accountViewSchema,
  },
  [INVOKE.tokensLogin]: {
    request: z
      .object({
        accountId: id,
        force: z.boolean().optional(),
        secrets: secretValues.optional(),
        /** At an evict-oldest cap: the person confirmed the oldest token may be evicted. */
        confirmEviction: z.boolean().optional(),
      })
      .strict(),
    response: loginResultSchema,
  },
  [INVOKE.tokensRevoke]: {
    request: z
      .object({ accountId: id, tokenId: id.optional(), all: z.boolean().optional() })
      .strict(),
    response: revokeReportSchema,
  },
  [INVOKE.tokensRevokeOldest]: {
    request: z.object({ orgKey: z.string().min(1).max(700) }).strict(),
    response: revokeReportSchema,
  },
  [INVOKE.tokensRevokeOrganization]: {
    request: z.object({ orgKey: z.string().min(1).max(700) }).strict(),
    response: revokeReportSchema,
  },
  [INVOKE.tokensDismissUncertain]: {
    request: z.object({ tokenId: id }).strict(),
    response: tokenViewSchema,
  },
  [INVOKE.tokensCheck]: {
    request: z.object({ accountId: id }).strict(),
    response: checkReportSchema,
  },
  [INVOKE.copyHeader]: {
    request: z
      .object({
        accountId: id,
        secrets: secretValues.optional(),
        confirmEviction: z.boolean().optional(),
      })
      .strict(),
    response: copyResultSchema,
  },
  [INVOKE.settingsGet]: { request: none, response: settingsSchema },
  [INVOKE.settingsUpdate]: { request: settingsPatchSchema, response: settingsSchema },
  [INVOKE.eventsList]: {
    request: z
      .object({
        limit: z.number().int().min(1).max(5000).optional(),
        accountId: id.optional(),
        types: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).optional(),
      })
      .strict()
      .optional(),
    response: eventListSchema,
  },
  [INVOKE.agentPending]: { request: none, response: z.array(agentPromptSchema) },
  [INVOKE.agentDecide]: {
    request: z.object({ id: z.string().min(1).max(64), allow: z.boolean() }).strict(),
    response: z.null(),
  },
  [INVOKE.agentSessions]: { request: none, response: z.array(agentSessionSchema) },
  [INVOKE.agentRevokeSession]: {
    request: z.object({ id: z.string().min(1).max(64) }).strict(),
    response: z.null(),
  },
  [INVOKE.gatewayStatus]: { request: none, response: gatewayStatusSchema },
  [INVOKE.gatewayCopyUrl]: {
    request: z.object({ accountId: id }).strict(),
    response: gatewayCopyResultSchema,
  },
  [INVOKE.gatewayCopyAccessToken]: { request: none, response: gatewayCopyResultSchema },
  [INVOKE.gatewayNewAccessToken]: { request: none, response: gatewayStatusSchema },
  [INVOKE.cliCommandStatus]: { request: none, response: cliCommandSchema },
  [INVOKE.cliCommandInstall]: {
    /** consent: the person agreed to a folder shared by every user (macOS /usr/local/bin). */
    request: z.object({ consent: z.boolean() }).strict(),
    response: cliCommandResultSchema,
  },
  [INVOKE.cliCommandRemove]: { request: none, response: cliCommandResultSchema },
  [INVOKE.ledgerStatus]: { request: none, response: ledgerStatusSchema },
  [INVOKE.ledgerConnect]: {
    request: z
      .object({
        /** postgres://user:password@host:port/db: may hold a password, so never echoed back. */
        url: z.string().min(1).max(2100),
        /** This machine's name in the ledger; absent: the host name. */
        machineName: z.string().min(1).max(200).optional(),
      })
      .strict(),
    response: ledgerStatusSchema,
  },
  [INVOKE.ledgerDisconnect]: { request: none, response: ledgerDisconnectSchema },
  [INVOKE.loginsList]: {
    request: none,
    response: z.array(loginPromptSchema).max(LOGIN_PROMPTS_MAX),
  },
  [INVOKE.loginsCancel]: { request: z.object({ id }).strict(), response: z.null() },
  /** Main opens that prompt's own page in the browser: the window never names a URL. */
  [INVOKE.loginsOpen]: { request: z.object({ id }).strict(), response: z.null() },
  /** Main puts that prompt's user code on the clipboard (the window holds no clipboard right). */
  [INVOKE.loginsCopyCode]: { request: z.object({ id }).strict(), response: z.null() },
} as const satisfies Record<string, { request: z.ZodType; response: z.ZodType }>

export type Contract = typeof CONTRACT
export type Channel = keyof Contract
export type RequestOf<C extends Channel> = z.input<Contract[C]['request']>
export type ResponseOf<C extends Channel> = z.infer<Contract[C]['response']>

export const EVENT_SCHEMAS = {
  [EVENTS.stateChanged]: z.object({ reason: z.string().max(100) }).strict(),
  [EVENTS.focusSearch]: z.undefined(),
  [EVENTS.agentChanged]: z.undefined(),
  [EVENTS.gatewayChanged]: z.undefined(),
  [EVENTS.loginPrompts]: z.array(loginPromptSchema).max(LOGIN_PROMPTS_MAX),
} as const
