// The agent's transport: a Unix domain socket (named pipe on Windows) speaking protocol.ts, one
// JSON line per request and per answer. It holds no logic: each request is parsed (never echoed
// back), handed to the client interface's op of that name (the in-process client: the agent is a
// dispatch of it), and the answer checked before it is written; while it runs, the notices the
// host gives for it (a login prompt of its account) go before it. A slow or hostile
// client only ever holds its own connection: lines are bounded, a connection has a bounded number
// of requests queued or running (past it the agent stops reading it), its queued work is dropped
// when it closes, it must complete a line within a fixed time whatever it trickles, and the
// number of connections is bounded.
import fs from 'node:fs'
import net from 'node:net'
import { fail, ok, type Failure, type Result } from '../../shared/result'
import { prepareEndpointDir } from './endpoint'
import type { Client } from '../client/operations'
import {
  AGENT_PROTOCOL,
  MAX_LINE,
  noticeSchema,
  parseRequest,
  partSchema,
  responseSchema,
  type AgentNotice,
  type AgentRequest,
  type AgentResponse,
} from './protocol'

export interface AgentServerOptions {
  endpoint: string
  /** What answers each op: the in-process client over the agent's actions. */
  client: Client
  /** Runs each answer (on behalf of its request's client: the host names who asked). */
  around?: <T>(req: AgentRequest, call: () => Promise<T>) => Promise<T>
  /** Asked before each request but pings (the app's consent); a failure is the answer. */
  authorize?: (req: AgentRequest) => Promise<Result<void>>
  /** Called after each request but pings, with its outcome: the event log entry (no token). */
  record?: (req: AgentRequest, outcome: Result<unknown>) => void
  /**
   * While a request runs (after its approval), what its client should be told before the answer:
   * the host calls `notify` with each notice (a login prompt of the account the request names).
   * Returns the stop, told whether the client left before its answer; null: nothing to watch.
   */
  watch?: (
    req: AgentRequest,
    notify: (notice: AgentNotice) => void,
  ) => ((clientLeft: boolean) => void) | null
  /** Any request counts as activity (the headless agent's idle timeout). */
  onActivity?: () => void
  /** Given only where `stop` is allowed (the headless agent); the app's agent refuses it. */
  onStop?: () => void
  /**
   * A connection with nothing queued or running must complete its next request within this long
   * (default 30 s), however it trickles bytes: a partial line does not keep it open.
   */
  connectionIdleMs?: number
  /** Requests of one connection queued or running at once (default MAX_IN_FLIGHT). */
  maxInFlight?: number
  /** Connections served at once (default MAX_CONNECTIONS); one more is answered AGENT_BUSY. */
  maxConnections?: number
}

/** Requests of one connection queued or running at once; past it the agent stops reading it. */
export const MAX_IN_FLIGHT = 8
/** Connections served at once. */
export const MAX_CONNECTIONS = 128
/** Answers written but not yet taken by a client, past which the agent stops reading it. */
const MAX_UNSENT = 256 * 1024

export interface AgentServer {
  readonly endpoint: string
  /** Connections open now (diagnostics and tests). */
  connections(): number
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
    if (sockets.size >= (o.maxConnections ?? MAX_CONNECTIONS)) {
      socket.on('error', () => socket.destroy())
      const busy = fail('AGENT_BUSY', 'The agent serves too many connections; try again.')
      socket.end(`${JSON.stringify(refusal('', busy))}\n`, () => socket.destroy())
      return
    }
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
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
        if (process.platform !== 'win32') fs.rmSync(o.endpoint, { force: true })
      }),
  })
}

/**
 * One connection: its lines are answered one at a time, in order. At most `maxInFlight` of them
 * are queued or running; past that the socket is paused (the rest stays in the kernel's buffer,
 * and the client's writes block), as it is while the client leaves too many answers unread.
 */
function serve(socket: net.Socket, o: AgentServerOptions): void {
  const maxInFlight = o.maxInFlight ?? MAX_IN_FLIGHT
  const deadlineMs = o.connectionIdleMs ?? 30_000
  let buffered = ''
  const parts: string[] = []
  const queue: string[] = []
  let running = false
  let dead = false
  let deadline: NodeJS.Timeout | undefined
  const inFlight = () => queue.length + (running ? 1 : 0)

  /** With nothing to do, the connection has `deadlineMs` to complete its next line. */
  const armDeadline = () => {
    clearTimeout(deadline)
    deadline = setTimeout(() => socket.destroy(), deadlineMs)
    deadline.unref()
  }
  /** Reads on while there is room, and stops reading while there is none. */
  const flow = () => {
    if (dead) return
    if (inFlight() >= maxInFlight || socket.writableLength > MAX_UNSENT) socket.pause()
    else socket.resume()
  }
  /** Moves complete lines from what was read into the queue, as far as there is room. */
  const take = () => {
    let i: number
    while (inFlight() < maxInFlight && (i = buffered.indexOf('\n')) >= 0) {
      queue.push(buffered.slice(0, i))
      buffered = buffered.slice(i + 1)
      clearTimeout(deadline)
    }
    const tail = buffered.slice(buffered.lastIndexOf('\n') + 1)
    if (tail.length > MAX_LINE / 4 && Buffer.byteLength(tail) > MAX_LINE) {
      write(socket, refusal('', fail('VALIDATION_FAILED', 'A request is at most 64 KiB.')))
      socket.end()
      socket.destroy()
    }
  }
  const pump = async () => {
    if (running || queue.length === 0) return
    running = true
    const open = () => !dead && !socket.destroyed
    while (open() && queue.length > 0) {
      await answer(socket, queue.shift()!, o, open, parts)
      take()
      flow()
      // Other connections' reads and answers get their turn between two of this one's.
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    running = false
    if (!dead && inFlight() === 0) armDeadline()
  }

  socket.setEncoding('utf8')
  socket.on('error', () => socket.destroy())
  // Closed (by the client, an error or the deadline): what is queued is dropped, not answered.
  socket.on('close', () => {
    dead = true
    queue.length = 0
    buffered = ''
    clearTimeout(deadline)
  })
  socket.on('drain', flow)
  socket.on('data', (chunk: string) => {
    buffered += chunk
    take()
    flow()
    void pump()
  })
  armDeadline()
}

function refusal(id: string, f: Failure): AgentResponse {
  const fields = f.fields
    ? Object.fromEntries(
        Object.entries(f.fields)
          .slice(0, 50)
          .map(([k, v]) => [k.slice(0, 64), v.slice(0, 10).map((m) => m.slice(0, 500))]),
      )
    : undefined
  return {
    v: AGENT_PROTOCOL,
    id,
    ok: false,
    code: f.code,
    message: f.message.slice(0, 4000),
    ...(fields ? { fields } : {}),
    ...(f.details ? { details: f.details } : {}),
  }
}

/**
 * A part of a long request, added to `chunks` (the parts of this connection so far) until the
 * last one, which gives back the whole line. Parts come in order, on one connection; partSchema
 * bounds their size and count (at most MAX_ASSEMBLED in all). Anything else is refused and
 * forgets what came before.
 */
function assemble(raw: unknown, chunks: string[]): Result<string | null> {
  const p = partSchema.safeParse(raw)
  const reset = (message: string) => {
    chunks.length = 0
    return fail('VALIDATION_FAILED', message)
  }
  if (!p.success || p.data.part >= p.data.parts) return reset('Not a valid part of a request.')
  if (p.data.part !== chunks.length) return reset('The parts of a request came out of order.')
  chunks.push(p.data.chunk)
  if (chunks.length < p.data.parts) return ok(null)
  const line = chunks.join('')
  chunks.length = 0
  return ok(line)
}

function write(socket: net.Socket, response: AgentResponse): void {
  const checked = responseSchema.safeParse(response)
  const out = checked.success
    ? checked.data
    : refusal(response.id, fail('INTERNAL', 'The agent built an invalid answer.'))
  if (!socket.destroyed) socket.write(`${JSON.stringify(out)}\n`)
}

/** A notice before the answer to `id`; one outside the protocol is not sent at all. */
function writeNotice(socket: net.Socket, id: string, notice: AgentNotice): void {
  const checked = noticeSchema.safeParse({ v: AGENT_PROTOCOL, id, notice })
  if (checked.success && !socket.destroyed) socket.write(`${JSON.stringify(checked.data)}\n`)
}

async function answer(
  socket: net.Socket,
  line: string,
  o: AgentServerOptions,
  open: () => boolean,
  parts: string[],
): Promise<void> {
  if (Buffer.byteLength(line) > MAX_LINE) {
    return write(socket, refusal('', fail('VALIDATION_FAILED', 'A request is at most 64 KiB.')))
  }
  const json = (text: string): Result<unknown> => {
    try {
      return ok(JSON.parse(text) as unknown)
    } catch {
      return fail('VALIDATION_FAILED', 'A request is one JSON object per line.')
    }
  }
  let raw = json(line)
  if (raw.ok && typeof raw.value === 'object' && raw.value !== null && 'part' in raw.value) {
    const whole = assemble(raw.value, parts)
    if (!whole.ok) return write(socket, refusal('', whole))
    if (whole.value === null) return
    raw = json(whole.value)
    // A part holds a request, never another part.
    if (raw.ok && typeof raw.value === 'object' && raw.value !== null && 'part' in raw.value) {
      raw = fail('VALIDATION_FAILED', 'Not a valid agent request.')
    }
  }
  if (!raw.ok) return write(socket, refusal('', raw))
  const parsed = parseRequest(raw.value)
  if (!parsed) {
    // Never echo what was sent: name the protocol, not the input.
    const v = (raw.value as { v?: unknown } | null)?.v
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
  const req = parsed
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
    // The client left while its request waited for approval: nobody reads what it would do.
    if (!open()) return
    const { v: _v, id: _id, client: _client, op, ...request } = req
    const run = o.client[op] as (r: typeof request) => Promise<Result<unknown>>
    const call = () => run(request)
    // Only an approved request's client is told what its login shows (a code, a page).
    const stop = allowed.ok ? (o.watch?.(req, (n) => writeNotice(socket, req.id, n)) ?? null) : null
    const left = () => stop?.(true)
    socket.once('close', left)
    try {
      result = !allowed.ok ? allowed : o.around ? await o.around(req, call) : await call()
    } finally {
      socket.off('close', left)
      stop?.(false)
    }
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
