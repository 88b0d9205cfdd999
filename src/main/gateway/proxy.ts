// The gateway: a reverse proxy on 127.0.0.1 that holds the tokens so its clients never do.
// `/LABEL/rest?query` goes to the account's base URL + `/rest?query` (its origin only, never a
// redirect followed; the path in the one canonical form its policy was checked against, decided
// once in decide.ts) with the account's header added; bodies stream both ways. Clients prove
// themselves with the access token; requests from web pages (an Origin header) are refused
// unless the account allows that origin. Every request that carries the access token goes to
// the event log (refusals before it do not, so no web page can fill the log). An upstream 401
// reports that token once, however many requests saw it (it becomes suspect, not ended), and a
// request whose body is held (at most 1 MiB) is sent again when the core hands out another token;
// a 2xx answer tells the core the token it carried works.
import { timingSafeEqual } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Readable } from 'node:stream'
import { labelKey, sameLabel } from '../../shared/labels'
import { fail, ok, type Result } from '../../shared/result'
import { ClientBody, noBody } from './client-body'
import { DecisionMemo, decidePreflight, forbiddenMethod } from './decide'
import { HeaderCache } from './header-cache'
import { RecordBatcher } from './records'
import {
  ACCESS_HEADER,
  backHeaders,
  forwardHeaders,
  hasBody,
  refuse,
  splitTarget,
  statusOf,
} from './request-target'
import { StreamMemory } from './stream-memory'
import type { GatewaySource, GatewayTarget } from './types'
import { Cancel, Upstream, type UpstreamAnswer } from './upstream'

export { ACCESS_HEADER } from './request-target'
export { REPLAY_LIMIT } from './client-body'
/** Answers at least this long (or of unknown length) count toward StreamMemory. */
const STREAM_COUNT_FROM = 64 * 1024

export interface GatewayOptions {
  source: GatewaySource
  /** What clients send as X-TokenDeck-Gateway (at least 16 characters). */
  accessToken: string
  /** 0: the OS picks one. */
  port: number
  /** Serve only these labels (all accounts when absent). */
  labels?: string[]
  now?: () => number
  /** One-line tags for the app's log; never a value. */
  log?: (line: string) => void
}

export interface RunningGateway {
  port: number
  /** http://127.0.0.1:PORT */
  origin: string
  /** http://127.0.0.1:PORT/LABEL/ */
  urlFor(label: string): string
  /** The accounts it serves now (accounts added later are served too). */
  targets(): Promise<Result<GatewayTarget[]>>
  /** Stops listening, ends open connections and writes the last request records. */
  close(): Promise<void>
}

/** A CORS preflight: OPTIONS from a page, asking whether it may send a request. */
function isPreflight(req: http.IncomingMessage): boolean {
  return (
    req.method === 'OPTIONS' &&
    req.headers.origin !== undefined &&
    req.headers['access-control-request-method'] !== undefined
  )
}

/** Starts the gateway on 127.0.0.1 (only ever loopback). */
export async function startGateway(o: GatewayOptions): Promise<Result<RunningGateway>> {
  if (o.accessToken.length < 16) {
    return fail('VALIDATION_FAILED', 'The gateway access token must have at least 16 characters.')
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
    return fail('VALIDATION_FAILED', 'The port is a number from 0 to 65535.')
  }
  const now = o.now ?? Date.now
  const expected = Buffer.from(o.accessToken)
  const cache = new HeaderCache(o.source, now)
  const records = new RecordBatcher(o.source, o.log)
  const memory = new StreamMemory()
  const decisions = new DecisionMemo()
  const upstream = new Upstream()
  const wanted = o.labels?.length ? new Set(o.labels.map(labelKey)) : undefined

  let targetsAt = -Infinity
  let targetsNow: Promise<Result<GatewayTarget[]>> | null = null
  /** The last list read, while it is fresh: most requests need no promise to find their account. */
  let targetsRead: GatewayTarget[] | null = null
  /** The accounts served, read again at most once a second (accounts and policies change). */
  const fresh = () => now() - targetsAt <= 1000
  function targets(): Promise<Result<GatewayTarget[]>> {
    if (!targetsNow || !fresh()) {
      targetsAt = now()
      targetsRead = null
      targetsNow = o.source.targets().then((r) => {
        if (!r.ok) {
          targetsAt = -Infinity
          return r
        }
        const served = wanted ? r.value.filter((t) => wanted.has(labelKey(t.label))) : r.value
        targetsRead = served
        return ok(served)
      })
    }
    return targetsNow
  }
  function freshTargets(): GatewayTarget[] | null {
    return targetsRead && fresh() ? targetsRead : null
  }

  function authorized(req: http.IncomingMessage): boolean {
    const given = req.headers[ACCESS_HEADER]
    if (typeof given !== 'string' || given.length !== expected.length) return false
    // Constant time over the token's bytes (its length is not a secret).
    const bytes = Buffer.from(given)
    return bytes.length === expected.length && timingSafeEqual(bytes, expected)
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = now()
    const method = (req.method ?? 'GET').toUpperCase()
    let label = ''
    let path = '/'
    let retried = false
    /** The token of the answer the client got: a 2xx with it shows the server accepts it. */
    let answeredWith = ''
    res.on('close', () => {
      if (label) {
        const status = res.headersSent ? res.statusCode : 499
        const accepted = status >= 200 && status < 300 && answeredWith !== ''
        records.add({
          label,
          method,
          path,
          status,
          durationMs: now() - started,
          retried,
          ...(accepted ? { tokenId: answeredWith } : {}),
        })
      }
    })
    const no = (status: number, code: string, message: string) => {
      req.resume()
      refuse(res, status, code, message)
    }

    if (isPreflight(req)) return preflight(req, res)
    if (!authorized(req)) {
      return no(
        401,
        'GATEWAY_UNAUTHORIZED',
        `Send the gateway's access token in X-TokenDeck-Gateway.`,
      )
    }
    const parts = splitTarget(req.url ?? '/')
    if (!parts) return no(404, 'NOT_FOUND', 'Ask for /LABEL/path (an account label first).')
    let served = freshTargets()
    if (!served) {
      const list = await targets()
      if (!list.ok) return no(statusOf(list.code), list.code, list.message)
      served = list.value
    }
    const target = served.find((t) => sameLabel(t.label, parts.label))
    if (!target) return no(404, 'NOT_FOUND', `This gateway serves no account "${parts.label}".`)
    label = target.label
    path = parts.rest.slice(0, 256)
    const decision = decisions.decide(
      {
        method,
        path: parts.rest,
        query: parts.query,
        origin: req.headers.origin,
        upgrade: req.headers.upgrade,
      },
      target,
    )
    if (!decision.allowed) return no(decision.status, decision.code, decision.message)
    path = decision.path
    // Exactly the URL decided: its path is the canonical one the policy matched.
    const url = decision.url

    const body = hasBody(req.headers) ? new ClientBody(req, memory) : noBody(req)
    const first = await exchange(req, res, target.label, url, method, body.stream)
    if (!first) return
    answeredWith = first.tokenId
    if (first.answer.status !== 401) return pipeBack(res, first.answer)
    // The server refused the token: report exactly that one (once for all who saw it; it
    // becomes suspect, refusals.ts). If the core hands out another token now, send the request
    // again with it when its whole body is held; if it hands out the same one (no replacement
    // may be minted yet), the client gets the server's own 401.
    body.detach()
    await cache.refused(label, first.tokenId)
    const next = await cache.header(label)
    if (!next.ok || next.value.tokenId === first.tokenId) return pipeBack(res, first.answer)
    const again = await body.replay()
    if (again === null) return pipeBack(res, first.answer)
    first.answer.body.destroy()
    first.abort()
    retried = true
    const second = await exchange(req, res, target.label, url, method, again)
    if (second) {
      answeredWith = second.tokenId
      pipeBack(res, second.answer)
    }
  }

  /**
   * A browser's CORS preflight carries no access token: answered here, never forwarded, and
   * allowed only for an origin the account's policy names (its methods, when it lists some).
   */
  async function preflight(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    req.resume()
    const parts = splitTarget(req.url ?? '/')
    const list = parts ? await targets() : null
    const target =
      parts && list?.ok ? list.value.find((t) => sameLabel(t.label, parts.label)) : undefined
    const answer = decidePreflight(
      {
        origin: req.headers.origin!,
        method: String(req.headers['access-control-request-method']),
        headers: req.headers['access-control-request-headers'],
      },
      target,
    )
    if (!answer.allowed) return refuse(res, answer.status, answer.code, answer.message)
    res.writeHead(204, answer.headers)
    res.end()
  }

  /** Sends the upstream answer to the client (and stops the exchange if the client goes). */
  function pipeBack(res: http.ServerResponse, a: UpstreamAnswer): void {
    const headers = backHeaders(a.headers)
    // Only requests from an allowed origin get this far with an Origin: let that page read it.
    const origin = res.req.headers.origin
    if (origin !== undefined) {
      headers['access-control-allow-origin'] = origin
      headers.vary = 'Origin'
    }
    res.writeHead(a.status, headers)
    // Only a body that may be large is counted (a small one is freed with its request).
    const length = Number(a.headers['content-length'] ?? Infinity)
    if (!(length < STREAM_COUNT_FROM)) {
      a.body.on('data', (chunk: Buffer) => memory.forwarded(chunk.length))
    }
    a.body.on('error', () => res.destroy())
    a.body.pipe(res)
  }

  /** One upstream request with the account's header; null when it was answered with a refusal. */
  async function exchange(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    label: string,
    url: URL,
    method: string,
    body: Readable | Buffer | null,
  ): Promise<{ answer: UpstreamAnswer; tokenId: string; abort(): void } | null> {
    const h = cache.held(label) ?? (await cache.header(label))
    if (!h.ok) {
      refuse(res, statusOf(h.code), h.code, h.message)
      return null
    }
    const headers = forwardHeaders(req.headers, h.value.headerName.toLowerCase())
    headers[h.value.headerName] = h.value.value
    if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length)
    const cancel = new Cancel()
    // The client went away: stop the upstream exchange too.
    res.on('close', () => {
      if (!res.writableFinished) cancel.abort()
    })
    const r = await upstream.send(url, method, headers, body, cancel)
    if (!r.ok) {
      refuse(res, r.code === 'NETWORK_TIMEOUT' ? 504 : 502, r.code, r.message)
      return null
    }
    return { answer: r.value, tokenId: h.value.tokenId, abort: () => cancel.abort() }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => refuse(res, 500, 'INTERNAL', 'The gateway failed.'))
  })
  server.on('clientError', (_e, socket) => socket.destroy())
  // CONNECT never reaches the request handler: refused here, and the socket closed.
  server.on('connect', (_req: http.IncomingMessage, socket: Socket) => {
    const r = forbiddenMethod('CONNECT')!
    const body = JSON.stringify({ error: { code: r.code, message: r.message } })
    socket.end(
      `HTTP/1.1 ${r.status} ${http.STATUS_CODES[r.status]}\r\n` +
        'content-type: application/json; charset=utf-8\r\n' +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    )
  })
  const sockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  const listening = await new Promise<Result<number>>((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      resolve(
        fail(
          e.code === 'EADDRINUSE' ? 'CONFLICT' : 'INTERNAL',
          e.code === 'EADDRINUSE'
            ? `Port ${o.port} on 127.0.0.1 is in use; choose another.`
            : `The gateway could not listen (${e.code ?? 'error'}).`,
        ),
      ),
    )
    server.listen(o.port, '127.0.0.1', () => resolve(ok((server.address() as AddressInfo).port)))
  })
  if (!listening.ok) {
    await upstream.close()
    return listening
  }
  const port = listening.value
  const origin = `http://127.0.0.1:${port}`
  o.log?.(`gateway: listening on ${origin}`)
  let closing: Promise<void> | null = null
  return ok({
    port,
    origin,
    urlFor: (label) => `${origin}/${encodeURIComponent(label)}/`,
    targets,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      })
        .then(() => upstream.close())
        .then(() => records.close())
      return closing
    },
  })
}
