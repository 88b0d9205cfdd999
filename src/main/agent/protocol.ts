// The agent protocol: one JSON request per line, one JSON answer per line, both validated with
// zod (the mini build, so the CLI's agent path stays small). Version 1. Every request names the
// client it comes from; no answer holds a secret except the header or token that was asked for.
import * as z from 'zod/mini'
import { EVENT_TYPES, SURFACES } from '../../shared/event-types'

export const AGENT_PROTOCOL = 1
/** The longest line either side accepts (request or answer), in bytes. */
export const MAX_LINE = 64 * 1024

const label = z.string().check(z.minLength(1), z.maxLength(200))
/** At an evict-oldest cap, the person agreed (`--yes`) that the server may end the oldest token. */
const confirmEviction = z.optional(z.boolean())

/** Who is asking: what the client reports (same-user processes are inside the trust boundary). */
export const clientSchema = z.object({
  pid: z.number().check(z.int(), z.nonnegative()),
  /** The terminal, or "" when there is none. */
  tty: z.string().check(z.maxLength(200)),
  /** A terminal session id (the session leader's pid, or $TERM_SESSION_ID); "" when unknown. */
  session: z.string().check(z.maxLength(200)),
  /** What runs: "tokendeck header", "git-credential", ... */
  command: z.string().check(z.maxLength(200)),
})
export type AgentClient = z.infer<typeof clientSchema>

const base = {
  v: z.literal(AGENT_PROTOCOL),
  id: z.string().check(z.maxLength(64)),
  client: clientSchema,
}

/** Every request the agent answers, by `op`. */
export const requestSchema = z.discriminatedUnion('op', [
  z.strictObject({ ...base, op: z.literal('ping') }),
  z.strictObject({ ...base, op: z.literal('header'), label, confirmEviction }),
  z.strictObject({ ...base, op: z.literal('token'), label, confirmEviction }),
  z.strictObject({ ...base, op: z.literal('status') }),
  z.strictObject({ ...base, op: z.literal('accounts') }),
  z.strictObject({ ...base, op: z.literal('login'), label, force: z.boolean(), confirmEviction }),
  z.strictObject({
    ...base,
    op: z.literal('revoke'),
    label,
    /** current: L's token; all: L's live tokens; oldest, org: L's organization; uncertain: dismiss. */
    mode: z.enum(['current', 'all', 'oldest', 'org', 'uncertain']),
  }),
  z.strictObject({
    ...base,
    op: z.literal('reject'),
    label,
    /** Only this token (the one the server refused); absent: the current one. */
    tokenId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  }),
  z.strictObject({
    ...base,
    op: z.literal('check'),
    /** Probe this account's live token; absent: every account's. */
    label: z.optional(label),
  }),
  z.strictObject({
    ...base,
    op: z.literal('targets'),
    /** The accounts a gateway serves (all when empty), with their gateway policies. */
    labels: z.array(label).check(z.maxLength(200)),
  }),
  z.strictObject({
    ...base,
    op: z.literal('policy'),
    label,
    /** Replace the account's gateway policy with this; absent: only read it. */
    set: z.optional(
      z.strictObject({
        origins: z.array(z.string().check(z.maxLength(300))).check(z.maxLength(50)),
        methods: z.array(z.string().check(z.maxLength(20))).check(z.maxLength(20)),
        paths: z.array(z.string().check(z.maxLength(500))).check(z.maxLength(100)),
      }),
    ),
  }),
  z.strictObject({
    ...base,
    op: z.literal('record'),
    /** Requests through a gateway, for the event log (never a token, never a query). */
    entries: z
      .array(
        z.strictObject({
          label,
          method: z.string().check(z.minLength(1), z.maxLength(20)),
          path: z.string().check(z.minLength(1), z.maxLength(2000)),
          status: z.number().check(z.int(), z.minimum(0), z.maximum(999)),
          durationMs: z.number().check(z.nonnegative()),
          retried: z.optional(z.boolean()),
          /** The token id a 2xx answer carried (the server accepts it); never the token. */
          tokenId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
        }),
      )
      .check(z.minLength(1), z.maxLength(100)),
  }),
  z.strictObject({
    ...base,
    op: z.literal('log'),
    label: z.optional(label),
    limit: z.number().check(z.int(), z.minimum(1), z.maximum(5000)),
    /** Only these event types (`tokendeck log --type`); absent: every type. */
    types: z.optional(z.array(z.enum(EVENT_TYPES)).check(z.minLength(1), z.maxLength(20))),
    /** Only events from these surfaces (`--surface`); absent: any, and none. */
    surfaces: z.optional(z.array(z.enum(SURFACES)).check(z.minLength(1), z.maxLength(10))),
  }),
  z.strictObject({
    ...base,
    op: z.literal('profile'),
    providerId: z.string().check(z.minLength(1), z.maxLength(40)),
  }),
  z.strictObject({
    ...base,
    op: z.literal('add'),
    /** As `tokendeck accounts add` builds it; the secret values typed on its stdin included. */
    account: z.strictObject({
      label,
      providerId: z.string().check(z.minLength(1), z.maxLength(40)),
      baseUrl: z.optional(z.string().check(z.maxLength(500))),
      fields: z.record(
        z.string().check(z.minLength(1), z.maxLength(40)),
        z.string().check(z.maxLength(4096)),
      ),
      remember: z.boolean(),
      /** Log in now to check the secret (absent: only when it is not remembered). */
      login: z.optional(z.boolean()),
    }),
  }),
  z.strictObject({ ...base, op: z.literal('remove'), label, force: z.boolean() }),
  z.strictObject({
    ...base,
    op: z.literal('match'),
    /** Which account serves this URL (routes, else the one account that covers it). */
    url: z.string().check(z.minLength(1), z.maxLength(2000)),
  }),
  /** The routes (URL prefix, account): which account serves which URLs. */
  z.strictObject({ ...base, op: z.literal('routes') }),
  z.strictObject({
    ...base,
    op: z.literal('route'),
    /** Adds (or moves) the route for this URL prefix to the account `label`. */
    prefix: z.string().check(z.minLength(1), z.maxLength(2000)),
    label,
  }),
  z.strictObject({ ...base, op: z.literal('stop') }),
])
export type AgentRequest = z.infer<typeof requestSchema>
export type AgentOp = AgentRequest['op']

/** An answer: a value (its shape per op, checked by the caller) or a stable error code. */
export const responseSchema = z.union([
  z.strictObject({
    v: z.literal(AGENT_PROTOCOL),
    id: z.string(),
    ok: z.literal(true),
    value: z.unknown(),
  }),
  z.strictObject({
    v: z.literal(AGENT_PROTOCOL),
    id: z.string(),
    ok: z.literal(false),
    code: z.string().check(z.maxLength(64)),
    message: z.string().check(z.maxLength(4000)),
  }),
])
export type AgentResponse = z.infer<typeof responseSchema>

/** What each op answers with. */
export const issuedSchema = z.object({
  label: z.string(),
  tokenId: z.string(),
  headerName: z.string(),
  value: z.string(),
  token: z.string(),
  reused: z.boolean(),
  expiresAt: z.nullable(z.number()),
})
export type AgentIssued = z.infer<typeof issuedSchema>

export const pingSchema = z.object({
  pid: z.number(),
  vaultDir: z.string(),
  kind: z.enum(['app', 'headless']),
  startedAt: z.number(),
  idleTimeoutMinutes: z.number(),
  unlocked: z.boolean(),
})
export type AgentPing = z.infer<typeof pingSchema>

/**
 * The `log` answer: the entries (each checked for what the CLI prints; the rest is passed on as
 * it came) and how many lines read for them did not open.
 */
export const logAnswerSchema = z.strictObject({
  events: z.array(
    z.looseObject({
      at: z.number(),
      type: z.string(),
      message: z.string(),
      surface: z.optional(z.string()),
    }),
  ),
  unverified: z.number().check(z.int(), z.nonnegative()),
})
