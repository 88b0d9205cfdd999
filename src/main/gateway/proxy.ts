// The gateway: a reverse proxy on 127.0.0.1 that holds the tokens so its clients never do.
// `/LABEL/rest?query` goes to the account's base URL + `/rest?query` (its origin only, never a
// redirect followed) with the account's header added; bodies stream both ways. Clients prove
// themselves with the access token; requests from web pages (an Origin header) are refused
// unless the account allows that origin. Every request that carries the access token goes to
// the event log (refusals before it do not, so no web page can fill the log). An upstream 401
// rejects that token once, however many requests saw it, and a request whose body is held (at
// most 1 MiB) is sent again with the new token.
import { createHash, timingSafeEqual } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { fail, ok, type Result } from '../../shared/result'
import { checkUrl } from '../../shared/url-policy'
import { loopbackLookup } from '../providers/http-client'
import { HeaderCache } from './header-cache'
import { RecordBatcher } from './records'
import type { GatewayPolicy, GatewaySource, GatewayTarget } from './types'

/** The header clients send the access token in. */
export const ACCESS_HEADER = 'x-tokendeck-gateway'
/** A request body up to this size is held so the request can be sent again after a 401. */
export const REPLAY_LIMIT = 1024 * 1024
/** How long the gateway waits for an upstream's response headers. */
const UPSTREAM_HEADERS_MS = 60_000

// RFC 9110 7.6.1 hop-by-hop fields, and the ones the gateway itself owns.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'authorization',
  ACCESS_HEADER,
])

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

/** One JSON error answer, the same shape for every refusal the gateway makes itself. */
function refuse(res: http.ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = JSON.stringify({ error: { code, message } })
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  })
  res.end(body)
}

/** The HTTP status for a core failure while getting a token. */
function statusOf(code: string): number {
  if (code === 'NOT_FOUND') return 404
  if (code === 'AGENT_DENIED') return 403
  if (code === 'VAULT_LOCKED' || code === 'AGENT_UNAVAILABLE' || code === 'TOKEN_CAP_REACHED')
    return 503
  if (code === 'NETWORK_TIMEOUT') return 504
  return 502
}

const digest = (s: string) => createHash('sha256').update(s).digest()

/** `/LABEL/rest?q` -> label, rest ("/rest"), query ("?q"); null when it is not that shape. */
export function splitTarget(raw: string): { label: string; rest: string; query: string } | null {
  if (!raw.startsWith('/')) return null
  const q = raw.indexOf('?')
  const path = q === -1 ? raw : raw.slice(0, q)
  const query = q === -1 ? '' : raw.slice(q)
  const slash = path.indexOf('/', 1)
  const first = slash === -1 ? path.slice(1) : path.slice(1, slash)
  let label: string
  try {
    label = decodeURIComponent(first)
  } catch {
    return null
  }
  if (label === '') return null
  return { label, rest: slash === -1 ? '/' : path.slice(slash), query }
}

/** Refuses paths that could climb out of the base URL: `.`/`..` segments, raw or encoded. */
export function safeRest(rest: string): boolean {
  if (rest.includes('\\') || [...rest].some((c) => c.charCodeAt(0) < 0x20 || c === '\x7f'))
    return false
  for (const seg of rest.split('/')) {
    let d: string
    try {
      d = decodeURIComponent(seg)
    } catch {
      return false
    }
    if (d === '.' || d === '..' || d.includes('/') || d.includes('\\')) return false
  }
  return true
}

/** The path policy: a whole-segment prefix of `rest`. */
function pathAllowed(policy: GatewayPolicy, rest: string): boolean {
  if (policy.paths.length === 0) return true
  return policy.paths.some((p) => p === '/' || rest === p || rest.startsWith(`${p}/`))
}

/** Request headers for upstream: the client's minus hop-by-hop, its credentials and ours. */
function forwardHeaders(
  incoming: http.IncomingHttpHeaders,
  drop: string,
  target: URL,
): http.OutgoingHttpHeaders {
  const listed = new Set(
    String(incoming.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  )
  const out: http.OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name) || name === drop) continue
    out[name] = value
  }
  out.host = target.host
  return out
}

/** Response headers for the client: upstream's minus hop-by-hop. */
function backHeaders(incoming: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const listed = new Set(
    String(incoming.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase()),
  )
  const out: http.OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || listed.has(name)) continue
    if (HOP_BY_HOP.has(name) && name !== 'authorization') continue
    out[name] = value
  }
  return out
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
  const expected = digest(o.accessToken)
  const cache = new HeaderCache(o.source, now)
  const records = new RecordBatcher(o.source, o.log)
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
  }
  const wanted = o.labels?.length ? o.labels : undefined

  let targetsAt = -Infinity
  let targetsNow: Promise<Result<GatewayTarget[]>> | null = null
  /** The accounts served, read again at most once a second (accounts and policies change). */
  function targets(): Promise<Result<GatewayTarget[]>> {
    if (!targetsNow || now() - targetsAt > 1000) {
      targetsAt = now()
      targetsNow = o.source.targets().then((r) => {
        if (!r.ok) {
          targetsAt = -Infinity
          return r
        }
        if (!wanted) return r
        const keep = new Set(wanted.map((l) => l.toLowerCase()))
        return ok(r.value.filter((t) => keep.has(t.label.toLowerCase())))
      })
    }
    return targetsNow
  }

  function authorized(req: http.IncomingMessage): boolean {
    const given = req.headers[ACCESS_HEADER]
    if (typeof given !== 'string' || given === '') return false
    return timingSafeEqual(digest(given), expected)
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = now()
    const method = (req.method ?? 'GET').toUpperCase()
    const parts = splitTarget(req.url ?? '/')
    let label = ''
    let path = '/'
    let retried = false
    res.on('close', () => {
      if (label) {
        const status = res.headersSent ? res.statusCode : 499
        records.add({ label, method, path, status, durationMs: now() - started, retried })
      }
    })

    if (!authorized(req)) {
      req.resume()
      return refuse(
        res,
        401,
        'GATEWAY_UNAUTHORIZED',
        `Send the gateway's access token in the X-TokenDeck-Gateway header.`,
      )
    }
    if (!parts) {
      req.resume()
      return refuse(res, 404, 'NOT_FOUND', 'Ask for /LABEL/path (an account label first).')
    }
    const list = await targets()
    if (!list.ok) {
      req.resume()
      return refuse(res, statusOf(list.code), list.code, list.message)
    }
    const key = parts.label.toLowerCase()
    const target = list.value.find((t) => t.label.toLowerCase() === key)
    if (!target) {
      req.resume()
      return refuse(res, 404, 'NOT_FOUND', `This gateway serves no account "${parts.label}".`)
    }
    label = target.label
    path = parts.rest
    const origin = req.headers.origin
    if (origin !== undefined && !target.policy.origins.includes(origin)) {
      req.resume()
      return refuse(
        res,
        403,
        'GATEWAY_ORIGIN_REFUSED',
        'Requests from web pages (with an Origin header) are refused unless the account allows that origin.',
      )
    }
    if (!safeRest(parts.rest)) {
      req.resume()
      return refuse(res, 400, 'GATEWAY_PATH_REFUSED', 'The path may not contain . or .. segments.')
    }
    if (target.policy.methods.length > 0 && !target.policy.methods.includes(method)) {
      req.resume()
      return refuse(res, 403, 'GATEWAY_METHOD_REFUSED', `${method} is not allowed for "${label}".`)
    }
    if (!pathAllowed(target.policy, parts.rest)) {
      req.resume()
      return refuse(res, 403, 'GATEWAY_PATH_REFUSED', `This path is not allowed for "${label}".`)
    }
    if (req.headers.upgrade !== undefined) {
      req.resume()
      return refuse(res, 501, 'UNSUPPORTED', 'The gateway does not forward protocol upgrades.')
    }

    const base = new URL(target.baseUrl)
    const basePath = base.pathname.replace(/\/+$/, '')
    const url = checkUrl(`${base.origin}${basePath}${parts.rest}${parts.query}`)
    if (!url.ok || url.value.origin !== base.origin || !url.value.pathname.startsWith(basePath)) {
      req.resume()
      return refuse(res, 400, 'GATEWAY_PATH_REFUSED', 'That path leaves the account base URL.')
    }

    // Hold the body (up to REPLAY_LIMIT) while it streams, so a 401 can be answered by a retry.
    // Paused until it is piped upstream: no chunk may pass the holder before the pipe.
    req.pause()
    let held: Buffer[] | null = []
    let heldBytes = 0
    let bodyDone = false
    const bodyEnded = new Promise<void>((resolve) => {
      req.on('end', () => {
        bodyDone = true
        resolve()
      })
      req.on('close', () => resolve())
    })
    req.on('data', (chunk: Buffer) => {
      if (!held) return
      heldBytes += chunk.length
      if (heldBytes > REPLAY_LIMIT) held = null
      else held.push(chunk)
    })

    const first = await send(req, res, target, url.value, method, 'stream')
    if (!first) return
    if (first.status !== 401) return
    // The server refused the token: reject exactly that one (once for all who saw it), and read
    // the rest of the body (held while it fits) so the request can be sent again.
    first.detach()
    await cache.refused(label, first.tokenId)
    await bodyEnded
    if (!bodyDone || !held) {
      // The body is gone (streamed past the limit): return the 401; the next request gets a
      // new token.
      return first.pipeBack()
    }
    first.abandon()
    retried = true
    await send(req, res, target, url.value, method, Buffer.concat(held))
  }

  interface Sent {
    status: number
    tokenId: string
    /** Sends the upstream answer to the client. */
    pipeBack(): void
    /** Stops streaming the client's body upstream; the rest is still read (and held). */
    detach(): void
    /** Drops this upstream exchange (its 401 is answered by a retry). */
    abandon(): void
  }

  /**
   * Sends one upstream request with the account's header and pipes the answer back, except a
   * 401 on the first try (`stream`), which it returns unsent for the caller to decide.
   */
  async function send(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    target: GatewayTarget,
    url: URL,
    method: string,
    body: 'stream' | Buffer,
  ): Promise<Sent | null> {
    const h = await cache.header(target.label)
    if (!h.ok) {
      req.resume()
      refuse(res, statusOf(h.code), h.code, h.message)
      return null
    }
    const headers = forwardHeaders(req.headers, h.value.headerName.toLowerCase(), url)
    headers[h.value.headerName] = h.value.value
    if (body !== 'stream') {
      delete headers['transfer-encoding']
      headers['content-length'] = String(body.length)
    }
    const secure = url.protocol === 'https:'
    const options: https.RequestOptions = {
      method,
      headers,
      agent: secure ? agents.https : agents.http,
      // Said explicitly: NODE_TLS_REJECT_UNAUTHORIZED=0 cannot turn certificate checks off.
      rejectUnauthorized: true,
      ...(url.hostname === 'localhost' ? { lookup: loopbackLookup } : {}),
    }
    return new Promise<Sent | null>((resolve) => {
      const up = secure ? https.request(url, options) : http.request(url, options)
      const timer = setTimeout(() => up.destroy(new Error('deadline')), UPSTREAM_HEADERS_MS)
      let answered = false
      let abandoned = false
      up.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        if (abandoned) return
        if (!answered) {
          answered = true
          const timeout = err.message === 'deadline'
          refuse(
            res,
            timeout ? 504 : 502,
            timeout ? 'NETWORK_TIMEOUT' : 'NETWORK_ERROR',
            timeout
              ? `${url.host} sent no answer within ${UPSTREAM_HEADERS_MS / 1000} s.`
              : `Could not reach ${url.host} (${err.code ?? 'error'}).`,
          )
          resolve(null)
        } else res.destroy()
      })
      up.on('response', (upRes) => {
        clearTimeout(timer)
        answered = true
        const status = upRes.statusCode ?? 502
        const pipeBack = () => {
          res.writeHead(status, upRes.statusMessage, backHeaders(upRes.headers))
          upRes.pipe(res)
          upRes.on('error', () => res.destroy())
          // An answer that came before the whole body was sent: the exchange is over.
          upRes.on('end', () => {
            if (!up.writableFinished) up.destroy()
          })
        }
        const sent: Sent = {
          status,
          tokenId: h.value.tokenId,
          pipeBack,
          detach: () => {
            req.unpipe(up)
            req.resume()
          },
          abandon: () => {
            abandoned = true
            upRes.resume()
            up.destroy()
          },
        }
        if (!(status === 401 && body === 'stream')) pipeBack()
        resolve(sent)
      })
      // The client went away: stop the upstream request too.
      res.on('close', () => {
        if (!res.writableFinished) up.destroy()
      })
      if (body === 'stream') req.pipe(up)
      else up.end(body)
    })
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => refuse(res, 500, 'INTERNAL', 'The gateway failed.'))
  })
  server.on('clientError', (_e, socket) => socket.destroy())
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
  if (!listening.ok) return listening
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
        agents.http.destroy()
        agents.https.destroy()
      }).then(() => records.close())
      return closing
    },
  })
}
