// The client over the agent socket: each operation is one request of the agent protocol, and
// every answer is checked against the operation's answer schema before anyone reads it. An
// answer of another shape is AGENT_PROTOCOL (an agent of another version, or not ours), never a
// cast. Light: the CLI's agent path loads this, the mini protocol and node:net, no vault code.
import { fail, type Result } from '../../shared/result'
import { askAgent, type AskOptions } from '../agent/client'
import {
  checkAnswer,
  clientOf,
  type Client,
  type OpAnswer,
  type OpName,
  type OpRequest,
} from './operations'

/**
 * Asks the agent at `endpoint` for one operation. `null` when no agent is there (the caller may
 * open the vault itself); the agent's own failure as it gave it (field errors included).
 */
export async function askOp<K extends OpName>(
  endpoint: string,
  op: K,
  req: OpRequest<K>,
  o: AskOptions,
): Promise<Result<OpAnswer<K>> | null> {
  const r = await askAgent(endpoint, { op, ...req } as Parameters<typeof askAgent>[1], o)
  if (r === null || !r.ok) return r
  return checkAnswer(
    op,
    r.value,
    fail(
      'AGENT_PROTOCOL',
      `The agent answered "${op}" outside the protocol; update TokenDeck on both sides (restart the agent: tokendeck agent stop).`,
    ),
  )
}

/** A client whose every call goes to the agent at `endpoint`; no agent there is a failure. */
export function agentClient(endpoint: string, command: string): Client {
  return clientOf(
    async (op, req) =>
      (await askOp(endpoint, op, req, { command })) ??
      fail('AGENT_UNAVAILABLE', `No agent answers at ${endpoint}.`),
  )
}
