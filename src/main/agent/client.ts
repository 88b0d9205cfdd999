// The CLI's side of the agent: finds the agent of a vault, asks it one thing (ask.ts) and checks
// the answer, and each notice before it (a login prompt), against the protocol. Small on purpose (node:net, the mini zod protocol): a call
// through the agent loads no store, no schema compiler, no key derivation and no provider engine.
import { ERROR_CODES, fail, ok, type ErrorCode, type Result } from '../../shared/result'
import { askAgentLine, type AgentAsk } from './ask'
import { noticeBodySchema, responseSchema, type AgentNotice } from './protocol'

export { describeClient, type AgentAsk } from './ask'
export type { AgentNotice } from './protocol'

export interface AskOptions {
  command: string
  timeoutMs?: number
  /** Each notice before the answer (a login prompt of the account asked for), checked. */
  onNotice?: (notice: AgentNotice) => void
}

/** A notice (what a notice line carries) as the protocol has it; null outside the protocol. */
export function readNotice(notice: unknown): AgentNotice | null {
  const r = noticeBodySchema.safeParse(notice)
  return r.success ? r.data : null
}

/**
 * Asks the agent at `endpoint`. `null` when no agent is there (no socket, or nothing listening):
 * the caller then opens the vault itself. A failure when one is there but answers badly.
 */
export async function askAgent(
  endpoint: string,
  ask: AgentAsk,
  o: AskOptions,
): Promise<Result<unknown> | null> {
  const { onNotice, ...rest } = o
  const r = await askAgentLine(endpoint, ask, {
    ...rest,
    // A notice outside the protocol is not shown (a person would act on what it says).
    ...(onNotice
      ? {
          onNotice: (raw: unknown) => {
            const n = readNotice(raw)
            if (n) onNotice(n)
          },
        }
      : {}),
  })
  return r === null || !r.ok ? r : readAnswer(r.value)
}

/** An answer line of the agent as a result: its value, or its failure with fields and details. */
export function readAnswer(raw: unknown): Result<unknown> {
  const r = responseSchema.safeParse(raw)
  if (!r.success) return fail('AGENT_PROTOCOL', 'The agent answered outside the protocol.')
  const res = r.data
  if (!res.ok) {
    const extra = {
      ...(res.fields ? { fields: res.fields } : {}),
      ...(res.details ? { details: res.details } : {}),
    }
    return fail(asCode(res.code), res.message, extra)
  }
  return ok(res.value)
}

function asCode(code: string): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL'
}
