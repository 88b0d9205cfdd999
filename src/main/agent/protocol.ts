// The agent protocol: one JSON request per line, one JSON answer per line, both validated with
// zod (the mini build, so the CLI's agent path stays small). Version 1. A request is an envelope
// (version, id, who asks) around one operation of the client interface (client/operations.ts:
// the ops and their request and answer schemas are that table's), plus `stop` for the headless
// agent. A request longer than a line travels as parts. No answer holds a secret except the
// header or token that was asked for.
import * as z from 'zod/mini'
import { OP_NAMES, operation, type OpName, type OpRequest } from '../client/operations'

export { pingSchema, type AgentPing } from '../client/operations'

import { AGENT_PROTOCOL, MAX_ASSEMBLED } from './ask'

// The version and the line limits live with the transport (ask.ts, which loads no zod).
export { AGENT_PROTOCOL, MAX_ASSEMBLED, MAX_LINE } from './ask'

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

const envelopeShape = {
  v: z.literal(AGENT_PROTOCOL),
  id: z.string().check(z.maxLength(64)),
  client: clientSchema,
}
const envelopeSchema = z.looseObject({
  ...envelopeShape,
  op: z.enum(['stop', ...OP_NAMES] as ['stop', ...OpName[]]),
})

type Envelope = { v: typeof AGENT_PROTOCOL; id: string; client: AgentClient }
/** Every request the agent answers: an envelope around one op's request. */
export type AgentRequest =
  { [K in OpName]: Envelope & { op: K } & OpRequest<K> }[OpName] | (Envelope & { op: 'stop' })
export type AgentOp = AgentRequest['op']

/** A request as the agent reads it: the envelope, then the op's own (strict) schema. */
export function parseRequest(raw: unknown): AgentRequest | null {
  const e = envelopeSchema.safeParse(raw)
  if (!e.success) return null
  const { v, id, client, op, ...rest } = e.data
  if (op === 'stop') return Object.keys(rest).length === 0 ? { v, id, client, op } : null
  const r = operation(op).request.safeParse(rest)
  return r.success ? ({ v, id, client, op, ...r.data } as AgentRequest) : null
}

/** One part of a request longer than a line: parts 0..count-1 on one connection, in order. */
export const partSchema = z.strictObject({
  v: z.literal(AGENT_PROTOCOL),
  id: z.string().check(z.maxLength(64)),
  part: z.number().check(z.int(), z.nonnegative()),
  parts: z.number().check(z.int(), z.minimum(2), z.maximum(Math.ceil(MAX_ASSEMBLED / 32_768))),
  chunk: z.string().check(z.maxLength(32_768)),
})

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
    /** Per-field errors (a form's fields, by name), as the window gets them. */
    fields: z.optional(
      z.record(
        z.string().check(z.maxLength(64)),
        z.array(z.string().check(z.maxLength(500))).check(z.maxLength(10)),
      ),
    ),
    /** What the failure left behind (`accountKept`, the token a cap would evict, ...). */
    details: z.optional(
      z.record(
        z.string().check(z.maxLength(64)),
        z.union([
          z.string().check(z.maxLength(1000)),
          z.number(),
          z.boolean(),
          z.null(),
          z.array(z.string().check(z.maxLength(1000))).check(z.maxLength(100)),
        ]),
      ),
    ),
  }),
])
export type AgentResponse = z.infer<typeof responseSchema>

/** A login prompt as a notice carries it (shared/login-prompt.ts' LoginPromptView): no secret. */
export const loginPromptViewSchema = z.strictObject({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  accountId: z.string().check(z.minLength(1), z.maxLength(64)),
  label: z.string().check(z.maxLength(200)),
  provider: z.string().check(z.maxLength(200)),
  kind: z.enum(['device', 'browser']),
  url: z.string().check(z.minLength(1), z.maxLength(4096)),
  userCode: z.nullable(z.string().check(z.minLength(1), z.maxLength(64))),
  expiresAt: z.number().check(z.int(), z.nonnegative()),
})

/**
 * A notice: a line the agent writes before the answer to request `id` while it works on it, for
 * the person at that client. Only a login prompt of the account the request names (another
 * client never sees another account's code), and whether the agent opened its page in a browser
 * itself (the app does for a browser sign-in; a headless agent never does).
 */
export const noticeBodySchema = z.strictObject({
  loginPrompt: loginPromptViewSchema,
  browserOpened: z.boolean(),
})
export const noticeSchema = z.strictObject({
  v: z.literal(AGENT_PROTOCOL),
  id: z.string().check(z.maxLength(64)),
  notice: noticeBodySchema,
})
export type AgentNotice = z.infer<typeof noticeBodySchema>
