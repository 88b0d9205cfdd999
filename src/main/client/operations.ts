// The client interface: every operation a surface outside the window (the CLI, the gateway, the
// helpers, the agent's clients) can ask of the core, keyed by account label, each with a request
// schema AND an answer schema, as CONTRACT does for IPC. The table is the protocol: the agent
// speaks exactly these ops (agent/protocol.ts wraps them in its envelope), the in-process client
// implements them over the actions, the agent client validates every answer against them.
// Adding an operation: a row here, its implementation in in-process.ts (a mapped type makes it
// fail to compile until then), and its formatter in the surface that prints it.
//
// Light on purpose (zod/mini only): `tokendeck header` through the agent loads this and no more.
// Answers that are views (accounts, status, the log, profiles) are checked against the window's
// own schemas (answer-views.ts), loaded only when such an answer arrives.
import * as z from 'zod/mini'
import { EVENT_TYPES, SURFACES } from '../../shared/event-types'
import { labelRefSchema } from '../../shared/label-ref-schema'
import type { Failure, Result } from '../../shared/result'
import type * as AnswerViews from './answer-views'

type Views = typeof AnswerViews
/** An answer checked by a schema of answer-views.ts, built when the first such answer comes. */
const views = <S extends z.core.$ZodType>(build: (v: Views) => S) => ({ lazy: build })

/** An account label as a request carries it (shared/labels.ts; the vault's rules on lookup). */
export const labelSchema = labelRefSchema
const providerId = z.string().check(z.minLength(1), z.maxLength(40))
/** Secret field values typed for this one request (accounts that do not remember them). */
const typedSecrets = z.optional(
  z.record(z.string().check(z.minLength(1), z.maxLength(40)), z.string().check(z.maxLength(4096))),
)
/** At an evict-oldest cap, the person agreed (`--yes`) that the server may end the oldest token. */
const confirmEviction = z.optional(z.boolean())

/**
 * What `revoke` does: current: L's token; all: L's live tokens; oldest, org: L's organization's
 * oldest token or all of its tokens; uncertain: dismiss L's tokens whose revoke went unanswered.
 */
export const REVOKE_MODES = ['current', 'all', 'oldest', 'org', 'uncertain'] as const
export type RevokeMode = (typeof REVOKE_MODES)[number]

const policySchema = z.strictObject({
  origins: z.array(z.string().check(z.maxLength(300))).check(z.maxLength(50)),
  methods: z.array(z.string().check(z.maxLength(20))).check(z.maxLength(20)),
  paths: z.array(z.string().check(z.maxLength(500))).check(z.maxLength(100)),
})
const evicted = z.optional(z.strictObject({ label: z.string(), tokenId: z.string() }))
const targetSchema = z.strictObject({
  accountId: z.string(),
  label: z.string(),
  baseUrl: z.string(),
  policy: policySchema,
})
const routeSchema = z.strictObject({ prefix: z.string(), accountId: z.string(), label: z.string() })

/** The header an account's token makes, and which token it carries (never logged). */
export const issuedSchema = z.strictObject({
  label: z.string(),
  tokenId: z.string(),
  headerName: z.string(),
  value: z.string(),
  reused: z.boolean(),
  expiresAt: z.nullable(z.number()),
  warning: z.optional(z.string()),
  evicted,
})
export type Issued = z.infer<typeof issuedSchema>

export const pingSchema = z.strictObject({
  pid: z.number(),
  vaultDir: z.string(),
  kind: z.enum(['app', 'headless']),
  startedAt: z.number(),
  idleTimeoutMinutes: z.number(),
  unlocked: z.boolean(),
})
export type AgentPing = z.infer<typeof pingSchema>

const op = <Q extends z.core.$ZodLooseShape, A extends z.core.$ZodType>(request: Q, answer: A) => ({
  request: z.strictObject(request),
  answer,
})
const lazyOp = <Q extends z.core.$ZodLooseShape, S extends z.core.$ZodType>(
  request: Q,
  build: (v: Views) => S,
) => ({ request: z.strictObject(request), answer: views(build) })

/**
 * Every operation, its request (without the agent's envelope) and its answer. Each is built the
 * first time it is used (operation()): a CLI run asks one op and builds only that one's schemas.
 */
const DEFINITIONS = {
  ping: () => op({}, pingSchema),
  header: () => op({ label: labelSchema, confirmEviction, secrets: typedSecrets }, issuedSchema),
  token: () =>
    op(
      { label: labelSchema, confirmEviction, secrets: typedSecrets },
      z.extend(issuedSchema, { token: z.string() }),
    ),
  status: () => lazyOp({}, (v) => v.statusAnswer),
  accounts: () => lazyOp({}, (v) => v.z.array(v.accountViewSchema)),
  login: () =>
    lazyOp(
      { label: labelSchema, force: z.boolean(), confirmEviction, secrets: typedSecrets },
      (v) => v.loginAnswer,
    ),
  revoke: () => lazyOp({ label: labelSchema, mode: z.enum(REVOKE_MODES) }, (v) => v.revokeAnswer),
  reject: () =>
    op(
      {
        label: labelSchema,
        /** Only this token (the one the server refused); absent: the current one. */
        tokenId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
      },
      z.strictObject({
        label: z.string(),
        tokenId: z.string(),
        outcome: z.enum(['suspect', 'rejected', 'accepted']),
        message: z.string(),
      }),
    ),
  /** Probe this account's live token; absent: every account's. */
  check: () => lazyOp({ label: z.optional(labelSchema) }, (v) => v.z.array(v.checkReportSchema)),
  /** The accounts a gateway serves (all when empty), with their gateway policies. */
  targets: () =>
    op({ labels: z.array(labelSchema).check(z.maxLength(200)) }, z.array(targetSchema)),
  /** Replace the account's gateway policy with `set`; absent: only read it. */
  policy: () => op({ label: labelSchema, set: z.optional(policySchema) }, targetSchema),
  /** Requests through a gateway, for the event log (never a token, never a query). */
  record: () =>
    op(
      {
        entries: z
          .array(
            z.strictObject({
              label: labelSchema,
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
      },
      z.strictObject({ recorded: z.number() }),
    ),
  log: () =>
    lazyOp(
      {
        label: z.optional(labelSchema),
        limit: z.number().check(z.int(), z.minimum(1), z.maximum(5000)),
        /** Only these event types (`tokendeck log --type`); absent: every type. */
        types: z.optional(z.array(z.enum(EVENT_TYPES)).check(z.minLength(1), z.maxLength(20))),
        /** Only events from these surfaces (`--surface`); absent: any, and none. */
        surfaces: z.optional(z.array(z.enum(SURFACES)).check(z.minLength(1), z.maxLength(10))),
      },
      (v) => v.eventListSchema,
    ),
  /** A provider's profile (built-in or imported): what an account of it asks for. */
  profile: () => lazyOp({ providerId }, (v) => v.profileSchema),
  /** The providers: built-in, and imported into this vault. */
  providers: () => lazyOp({}, (v) => v.z.array(v.providerViewSchema)),
  /** Validates and imports a profile (JSON text); larger than a line, it travels in parts. */
  import: () =>
    lazyOp(
      { text: z.string().check(z.minLength(1), z.maxLength(256 * 1024)) },
      (v) => v.providerViewSchema,
    ),
  add: () =>
    lazyOp(
      {
        /** As `tokendeck accounts add` builds it; the secret values typed on its stdin included. */
        account: z.strictObject({
          label: labelSchema,
          providerId,
          baseUrl: z.optional(z.string().check(z.maxLength(500))),
          fields: z.record(
            z.string().check(z.minLength(1), z.maxLength(40)),
            z.string().check(z.maxLength(4096)),
          ),
          remember: z.boolean(),
          /** Log in now to check the secret (absent: only when it is not remembered). */
          login: z.optional(z.boolean()),
        }),
      },
      (v) => v.addAnswer,
    ),
  remove: () =>
    op(
      { label: labelSchema, force: z.boolean() },
      z.strictObject({ label: z.string(), liveTokensLeft: z.number() }),
    ),
  /** Renew the account's token before it expires, unattended (on), or not (off). */
  keepReady: () => lazyOp({ label: labelSchema, on: z.boolean() }, (v) => v.accountViewSchema),
  /** Which account serves this URL (routes, else the one account that covers it). */
  match: () =>
    op(
      { url: z.string().check(z.minLength(1), z.maxLength(2000)) },
      z.strictObject({ accountId: z.string(), label: z.string() }),
    ),
  /** The routes (URL prefix, account): which account serves which URLs. */
  routes: () => op({}, z.array(routeSchema)),
  /** Adds (or moves) the route for this URL prefix to the account `label`. */
  route: () =>
    op(
      { prefix: z.string().check(z.minLength(1), z.maxLength(2000)), label: labelSchema },
      routeSchema,
    ),
  /** The shared ledger: backend, this machine, each shared organization's count across machines. */
  ledgerStatus: () => lazyOp({}, (v) => v.ledgerStatusSchema),
  /** Connects the vault to a shared ledger (a postgres:// URL; it may hold a password). */
  ledgerConnect: () =>
    lazyOp(
      {
        url: z.string().check(z.minLength(1), z.maxLength(2000)),
        machineName: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
      },
      (v) => v.ledgerStatusSchema,
    ),
  /** Asks machine `machineName` to revoke its oldest live token in a shared organization. */
  ledgerAskRevoke: () =>
    op(
      {
        machineName: z.string().check(z.minLength(1), z.maxLength(100)),
        organizationId: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
      },
      z.strictObject({ machineName: z.string(), organizationId: z.string() }),
    ),
  /** Disconnects from the shared ledger (the local ledger alone counts again). */
  ledgerDisconnect: () => op({}, z.strictObject({ url: z.nullable(z.string()) })),
  /** Removes the route for exactly this URL prefix. */
  unroute: () =>
    op(
      { prefix: z.string().check(z.minLength(1), z.maxLength(2000)) },
      z.strictObject({ prefix: z.string() }),
    ),
}

type Definitions = typeof DEFINITIONS
export type Operations = { [K in keyof Definitions]: ReturnType<Definitions[K]> }
export type OpName = keyof Operations
type NoFields<T> = string extends keyof T ? Record<never, never> : T
export type OpRequest<K extends OpName> = NoFields<z.infer<Operations[K]['request']>>
/** The schema an op's answer is checked against (for a view, once answer-views.ts is loaded). */
export type AnswerSchema<K extends OpName> = Operations[K]['answer'] extends {
  lazy: (v: Views) => infer S
}
  ? S
  : Operations[K]['answer']
export type OpAnswer<K extends OpName> =
  AnswerSchema<K> extends z.core.$ZodType ? z.infer<AnswerSchema<K>> : never
export const OP_NAMES = Object.keys(DEFINITIONS) as OpName[]

const built: Partial<Operations> = {}
/** Operation `op`: its request and answer schemas. */
export function operation<K extends OpName>(op: K): Operations[K] {
  return (built[op] ??= DEFINITIONS[op]() as Operations[K]) as Operations[K]
}

/** A client: one method per operation. In process (over the actions) or over the agent. */
export type Client = {
  [K in OpName]: (req: OpRequest<K>) => Promise<Result<OpAnswer<K>>>
}

/** A client whose every operation is `call(op, request)`. */
export function clientOf(
  call: <K extends OpName>(op: K, req: OpRequest<K>) => Promise<Result<OpAnswer<K>>>,
): Client {
  const client: Record<string, unknown> = {}
  for (const op of OP_NAMES) client[op] = (req: OpRequest<typeof op>) => call(op, req)
  return client as Client
}

/**
 * `value` as op `op` answers it, checked against its answer schema: the same shape (and key
 * order) whichever side answered. An agent's answer of another shape is AGENT_PROTOCOL.
 */
export async function checkAnswer<K extends OpName>(
  op: K,
  value: unknown,
  outside: Failure,
): Promise<Result<OpAnswer<K>>> {
  const schema = await answerSchema(op)
  const checked = schema['~standard'].validate(value)
  if (checked instanceof Promise || checked.issues) return outside
  return { ok: true, value: checked.value as OpAnswer<K> }
}

/** The answer schema of `op`, loading the view schemas first when it needs them. */
export async function answerSchema<K extends OpName>(op: K): Promise<z.core.$ZodType> {
  const a: unknown = operation(op).answer
  if (typeof a === 'object' && a !== null && 'lazy' in a) {
    const v = await import('./answer-views')
    return (a as { lazy: (v: Views) => z.core.$ZodType }).lazy(v)
  }
  return a as z.core.$ZodType
}
