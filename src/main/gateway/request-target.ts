// The gateway's request plumbing: which account a target names (`/LABEL/...`), which headers go
// upstream and which come back, and the JSON answer of every refusal it makes itself. What may
// be forwarded, and to which path, is decided in decide.ts.
import type http from 'node:http'

/** The header clients send the access token in. */
export const ACCESS_HEADER = 'x-tokendeck-gateway'

// RFC 9110 7.6.1 hop-by-hop fields; `expect` (the gateway answers 100-continue itself); and the
// credentials: the client's own and the gateway's access token never go upstream.
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
  'expect',
  'host',
  'authorization',
  ACCESS_HEADER,
])

/** One JSON error answer, the same shape for every refusal the gateway makes itself. */
export function refuse(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
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
export function statusOf(code: string): number {
  if (code === 'NOT_FOUND') return 404
  if (code === 'AGENT_DENIED') return 403
  if (code === 'VAULT_LOCKED' || code === 'AGENT_UNAVAILABLE' || code === 'TOKEN_CAP_REACHED')
    return 503
  if (code === 'NETWORK_TIMEOUT') return 504
  return 502
}

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

/** Names listed in a Connection header (hop-by-hop for this message only). */
const NONE_LISTED: ReadonlySet<string> = new Set()
function connectionListed(value: string | string[] | undefined): ReadonlySet<string> {
  if (value === undefined) return NONE_LISTED
  return new Set(
    String(value ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  )
}

/** Request headers for upstream: the client's minus hop-by-hop, credentials and `drop`. */
export function forwardHeaders(
  incoming: http.IncomingHttpHeaders,
  drop: string,
): Record<string, string | string[]> {
  const listed = connectionListed(incoming.connection)
  const out: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name) || name === drop) continue
    out[name] = value
  }
  return out
}

/** Response headers for the client: upstream's minus hop-by-hop. */
export function backHeaders(
  incoming: Record<string, string | string[] | undefined>,
): http.OutgoingHttpHeaders {
  const listed = connectionListed(incoming.connection)
  const out: http.OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || listed.has(name)) continue
    // A server's own `authorization` answer header is not a hop-by-hop field: passed back.
    if (HOP_BY_HOP.has(name) && name !== 'authorization') continue
    out[name] = value
  }
  return out
}

/** The request carries a body (a length above zero, or chunks). */
export function hasBody(headers: http.IncomingHttpHeaders): boolean {
  const length = headers['content-length']
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}
