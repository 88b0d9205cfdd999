// The agent's transport: a Unix domain socket (named pipe on Windows) speaking protocol.ts, one
// JSON line per request and per answer. It holds no logic: each request is parsed (never echoed
// back), handed to its handler, and the answer checked before it is written. A slow or hostile
// client only ever holds its own connection: lines are bounded and idle connections are closed.
import fs from 'node:fs'
import net from 'node:net'
import { fail, ok, type Failure, type Result } from '../../shared/result'
import { prepareEndpointDir } from './endpoint'
import type { AgentHandlers } from './handlers'
import {
  AGENT_PROTOCOL,
  MAX_LINE,
  requestSchema,
  responseSchema,
  type AgentRequest,
  type AgentResponse,
} from './protocol'

export interface AgentServerOptions {
  endpoint: string
  handlers: AgentHandlers
  /** Asked before each request but pings (the app's consent); a failure is the answer. */
  authorize?: (req: AgentRequest) => Promise<Result<void>>
  /** Called after each request but pings, with its outcome: the event log entry (no token). */
  record?: (req: AgentRequest, outcome: Result<unknown>) => void
  /** Any request counts as activity (the headless agent's idle timeout). */
  onActivity?: () => void
  /** Given only where `stop` is allowed (the headless agent); the app's agent refuses it. */
  onStop?: () => void
  /** A connection with no complete request for this long is closed (default 30 s). */
  connectionIdleMs?: number
}

export interface AgentServer {
  readonly endpoint: string
  close(): Promise<void>
}

/** Is something answering at `endpoint` already? (a stale socket file answers nothing) */
function answers(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(endpoint)
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

/** Starts listening; refuses an unsafe directory and an endpoint another agent already serves. */
export async function startAgentServer(o: AgentServerOptions): Promise<Result<AgentServer>> {
  const dir = prepareEndpointDir(o.endpoint)
  if (!dir.ok) return dir
  if (process.platform !== 'win32' && fs.existsSync(o.endpoint)) {
    if (await answers(o.endpoint)) {
      return fail('CONFLICT', `An agent already answers at ${o.endpoint}.`)
    }
    fs.rmSync(o.endpoint, { force: true })
  }
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    serve(socket, o)
  })
  const listening = await new Promise<Result<void>>((resolve) => {
    server.once('error', (e) =>
      resolve(fail('INTERNAL', `The agent could not listen: ${e.message.slice(0, 120)}`)),
    )
    server.listen(o.endpoint, () => resolve(ok(undefined)))
  })
  if (!listening.ok) return listening
  if (process.platform !== 'win32') fs.chmodSync(o.endpoint, 0o600)
  return ok({
    endpoint: o.endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
        if (process.platform !== 'win32') fs.rmSync(o.endpoint, { force: true })
      }),
  })
}

function serve(socket: net.Socket, o: AgentServerOptions): void {
  socket.setTimeout(o.connectionIdleMs ?? 30_000, () => socket.destroy())
  let buffered = ''
  let chain = Promise.resolve()
  socket.setEncoding('utf8')
  socket.on('error', () => socket.destroy())
  socket.on('data', (chunk: string) => {
    buffered += chunk
    let i: number
    while ((i = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, i)
      buffered = buffered.slice(i + 1)
      // Answers go out in the order the requests came in, one connection at a time.
      chain = chain.then(() => answer(socket, line, o))
    }
    if (Buffer.byteLength(buffered) > MAX_LINE) {
      write(socket, refusal('', fail('VALIDATION_FAILED', 'A request is at most 64 KiB.')))
      socket.end()
      socket.destroy()
    }
  })
}

function refusal(id: string, f: Failure): AgentResponse {
  return { v: AGENT_PROTOCOL, id, ok: false, code: f.code, message: f.message.slice(0, 4000) }
}

function write(socket: net.Socket, response: AgentResponse): void {
  const checked = responseSchema.safeParse(response)
  const out = checked.success
    ? checked.data
    : refusal(response.id, fail('INTERNAL', 'The agent built an invalid answer.'))
  if (!socket.destroyed) socket.write(`${JSON.stringify(out)}\n`)
}

async function answer(socket: net.Socket, line: string, o: AgentServerOptions): Promise<void> {
  if (Buffer.byteLength(line) > MAX_LINE) {
    return write(socket, refusal('', fail('VALIDATION_FAILED', 'A request is at most 64 KiB.')))
  }
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch {
    return write(
      socket,
      refusal('', fail('VALIDATION_FAILED', 'A request is one JSON object per line.')),
    )
  }
  const parsed = requestSchema.safeParse(raw)
  if (!parsed.success) {
    // Never echo what was sent: name the protocol, not the input.
    const v = (raw as { v?: unknown } | null)?.v
    return write(
      socket,
      refusal(
        '',
        fail(
          v !== undefined && v !== AGENT_PROTOCOL ? 'UNSUPPORTED' : 'VALIDATION_FAILED',
          v !== undefined && v !== AGENT_PROTOCOL
            ? `This agent speaks protocol ${AGENT_PROTOCOL}; update TokenDeck on both sides.`
            : 'Not a valid agent request.',
        ),
      ),
    )
  }
  const req = parsed.data
  o.onActivity?.()
  if (req.op === 'stop') {
    if (!o.onStop) {
      return write(
        socket,
        refusal(req.id, fail('UNSUPPORTED', 'This agent is the app; quit it there.')),
      )
    }
    write(socket, { v: AGENT_PROTOCOL, id: req.id, ok: true, value: null })
    o.record?.(req, ok(null))
    setImmediate(o.onStop)
    return
  }
  let result: Result<unknown>
  try {
    const allowed = req.op === 'ping' || !o.authorize ? ok(undefined) : await o.authorize(req)
    const handler = o.handlers[req.op] as (
      r: AgentRequest,
    ) => Result<unknown> | Promise<Result<unknown>>
    result = allowed.ok ? await handler(req) : allowed
  } catch {
    result = fail('INTERNAL', 'The agent failed while answering; see its log.')
  }
  if (req.op !== 'ping') o.record?.(req, result)
  write(
    socket,
    result.ok
      ? { v: AGENT_PROTOCOL, id: req.id, ok: true, value: result.value }
      : refusal(req.id, result),
  )
}
