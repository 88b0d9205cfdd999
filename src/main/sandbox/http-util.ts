// Small node:http helpers shared by the sandbox servers: replies, bodies, auth headers, secrets.
import { randomBytes } from 'node:crypto'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'

/** A response a route handler produces; the host writes it (or a fault replaces it). */
export interface Reply {
  status: number
  headers?: Record<string, string>
  /** Omitted for an empty body. */
  body?: string
}

/** A request as route handlers see it: body already read, path without the query string. */
export interface SandboxRequest {
  method: string
  path: string
  /** The query string's parameters (empty when there is none). */
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: Buffer
}

/** The largest request body a sandbox server reads. */
export const MAX_REQUEST_BYTES = 1024 * 1024

/** Random lower-case hex of `bytes` random bytes (so 2 * bytes characters). */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex')
}

/** A JSON reply. */
export function jsonReply(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  }
}

/** Writes a reply unless the response was already sent or its socket is gone. */
export function writeReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed || res.socket?.destroyed !== false) return
  const headers: Record<string, string> = { ...reply.headers }
  if (reply.status !== 204 && reply.status !== 304) {
    headers['content-length'] = String(Buffer.byteLength(reply.body ?? ''))
  }
  res.writeHead(reply.status, headers)
  res.end(reply.body ?? '')
}

/** Reads the whole request body; rejects with 'too-large' past `limit` bytes. */
export function readBody(req: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.removeAllListeners('data')
        req.resume()
        reject(new Error('too-large'))
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
    req.on('aborted', () => reject(new Error('aborted')))
  })
}

/** The media type of a request without parameters, lower-cased; '' when absent. */
export function mediaTypeOf(headers: IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
}

/** Parses a JSON body; `undefined` when it is not valid JSON. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The credential of an `Authorization: <scheme> <credential>` header (scheme compared
 * case-insensitively); null when the header is absent, uses another scheme or is malformed.
 */
export function credentialFor(headers: IncomingHttpHeaders, scheme: string): string | null {
  const header = headers.authorization
  if (!header) return null
  const parts = header.trim().split(/\s+/)
  if (parts.length !== 2 || parts[0]?.toLowerCase() !== scheme.toLowerCase()) return null
  return parts[1] ?? null
}

export { secretEquals } from '../security/secret-equals'

/** Resolves after `ms`, or as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** Resolves when the response can take more data, or once it closed. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}
