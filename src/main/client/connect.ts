// The one connector: which client a process outside the app uses for a vault. The agent that
// serves the vault first (no passphrase, no key derivation, one round trip); else the vault
// opened in this process. Decided at the first call and kept for the run: an agent that answers
// is used throughout (if it goes away meanwhile, that is a failure, not a silent switch); with
// none, the vault is opened once. An agent whose vault is locked is passed over when this
// process can unlock the vault itself (a passphrase given, or a person at a terminal).
import { fail, type Result } from '../../shared/result'
import type { Surface } from '../../shared/views'
import type { Actions } from '../actions'
import { inProcessClient } from './in-process'
import type { AskOptions } from '../agent/client'
import { askOp } from './over-agent'
import {
  checkAnswer,
  clientOf,
  type Client,
  type OpAnswer,
  type OpName,
  type OpRequest,
} from './operations'

const GONE = 'The agent stopped: start it again (tokendeck agent start), then retry.'

export interface ConnectOptions {
  /** The agent endpoint to ask first; null: ask none (TOKENDECK_AGENT=off, a passphrase on stdin). */
  endpoint: string | null
  /** What runs, as the agent logs and shows it ("tokendeck header"). */
  command: string
  /** Opens and unlocks the vault in this process (once; reads the passphrase). */
  open: () => Promise<Result<Actions>>
  /** Whether this process can unlock the vault itself when the agent's is locked. */
  canUnlockHere: () => boolean
  /** The surface the event log names for what this process does itself. */
  surface: Surface
  /** What the agent tells the person while it works on a request (a login prompt). */
  onNotice?: AskOptions['onNotice']
}

export interface Connection {
  client: Client
  /** Which side answers: the agent (or is being asked), this process, or not decided yet. */
  via(): 'agent' | 'direct' | null
  /** The actions of the vault opened in this process, once it is (for words while waiting). */
  opened(): Actions | null
}

export function connect(o: ConnectOptions): Connection {
  let via: 'agent' | 'direct' | null = o.endpoint === null ? 'direct' : null
  let direct: Promise<Result<Client>> | undefined
  let actions: Actions | null = null
  /** Requests out to the agent before it is known to serve: a wait meanwhile is the agent's. */
  let asking = 0
  const opened = (a: Actions): Client => {
    actions = a
    return inProcessClient({
      actions: () => a,
      surface: o.surface,
      lockedMessage: 'The vault is locked.',
    })
  }
  const local = () =>
    (direct ??= o.open().then((a) => (a.ok ? { ok: true as const, value: opened(a.value) } : a)))
  const call = async <K extends OpName>(op: K, req: OpRequest<K>) => {
    if (via !== 'direct' && o.endpoint !== null) {
      asking += 1
      const ask = { command: o.command, ...(o.onNotice ? { onNotice: o.onNotice } : {}) }
      const r = await askOp(o.endpoint, op, req, ask).finally(() => {
        asking -= 1
      })
      if (via === 'agent') return r ?? fail('AGENT_UNAVAILABLE', GONE)
      const passOver = r === null || (!r.ok && r.code === 'VAULT_LOCKED' && o.canUnlockHere())
      if (!passOver) {
        via = 'agent'
        return r
      }
      via = 'direct'
    }
    const c = await local()
    if (!c.ok) return c
    const r = await (c.value[op] as (r: OpRequest<K>) => Promise<Result<OpAnswer<K>>>)(req)
    // The same shape, field for field and in the same order, as an agent's answer.
    if (!r.ok) return r
    const bug = fail('INTERNAL', `The core answered "${op}" outside the client interface.`)
    return checkAnswer(op, r.value, bug)
  }
  return {
    client: clientOf(call),
    via: () => via ?? (asking > 0 ? 'agent' : null),
    opened: () => actions,
  }
}
