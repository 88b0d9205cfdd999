// Fault switches: misbehaviours a sandbox route can be told to show, and the code that acts them out.
import { STATUS_CODES } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { drained, mediaTypeOf, sleep, writeReply } from './http-util'
import type { Reply } from './http-util'

/** One way a route can misbehave, exactly as a hardened HTTP client must survive it. */
export type Fault =
  | { kind: 'delay'; ms: number }
  | { kind: 'html'; status: number }
  | { kind: 'empty'; status: number }
  | { kind: 'malformed-json' }
  | { kind: 'json'; status: number; body: unknown; contentType?: string }
  | { kind: 'huge-body'; bytes: number }
  | { kind: 'huge-declared'; bytes: number }
  | { kind: 'trickle'; intervalMs: number; bytes: number }
  | { kind: 'redirect'; status: 301 | 302 | 303 | 307 | 308; location: string }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'mint-then-hang' }
  | { kind: 'token-crlf' }
  | { kind: 'echo'; encoding: EchoEncoding }
  /** 429 Too Many Requests, with `Retry-After: <retryAfter>` when given (seconds or a date). */
  | { kind: 'rate-limit'; retryAfter?: string }

/**
 * How an `echo` fault repeats the request in its error: 'raw' is the body exactly as sent; the
 * others are the fields as the server read them ("name=value", comma-separated), HTML-escaped
 * (as a template would), JSON-escaped with \uXXXX for <>&' and non-ASCII (as Go's encoder does),
 * form-encoded ('+' for space, as a query string would carry them), as a base64 blob (as an
 * echoed `Authorization: Basic` header or a debug dump would: standard with padding, or base64url
 * without), as hex bytes, upper-cased (as a case-insensitive lookup would log it), or 'truncated':
 * each value from its third character, 16 characters at most, as a server that shows a slice.
 */
export type EchoEncoding =
  'html' | 'json' | 'url' | 'raw' | 'base64' | 'base64url' | 'hex' | 'upper' | 'truncated'

/** What an echoing server repeats: the text, and the request's field names to file it under. */
export interface Echo {
  text: string
  fields: string[]
}

/** The routes a fault can be armed on; 'any' matches every request, unknown paths included. */
export type FaultRoute =
  | 'login'
  | 'logout'
  | 'signup'
  | 'protected'
  | 'refresh'
  /** OAuth sandbox: consent and device pages, device authorization, introspection. */
  | 'authorize'
  | 'any'

/** The body of a `malformed-json` fault: JSON cut off mid-string. */
export const MALFORMED_JSON_BODY = '{"token": "abc'

/** The value a `token-crlf` fault puts in the token (after a random-looking prefix). */
export const CRLF_INJECTION = '\r\nX-Injected: 1'

const CHUNK = Buffer.alloc(64 * 1024, 'a')

interface Armed {
  fault: Fault
  remaining: number | null
}

/** Holds the armed fault of each route and counts down `times`. */
export class FaultSwitch {
  private readonly armed = new Map<FaultRoute, Armed>()

  set(fault: Fault | null, opts: { route?: FaultRoute; times?: number } = {}): void {
    if (fault === null) {
      if (opts.route === undefined) this.armed.clear()
      else this.armed.delete(opts.route)
      return
    }
    const times = opts.times
    if (times !== undefined && (!Number.isInteger(times) || times < 1)) {
      throw new RangeError('times must be a positive integer')
    }
    this.armed.set(opts.route ?? 'login', { fault, remaining: times ?? null })
  }

  /** The fault for a request on `route` (its own first, then 'any'), consuming one use. */
  take(route: FaultRoute | null): Fault | null {
    const key = route !== null && this.armed.has(route) ? route : 'any'
    const armed = this.armed.get(key)
    if (!armed) return null
    if (armed.remaining !== null) {
      armed.remaining -= 1
      if (armed.remaining <= 0) this.armed.delete(key)
    }
    return armed.fault
  }
}

/** What acting out a fault needs from the host. */
export interface FaultIo {
  req: IncomingMessage
  res: ServerResponse
  /** Aborts when the server closes. */
  closing: AbortSignal
  /** Runs the real route (minting tokens etc.) on the already-read body. */
  respond: () => Promise<Reply>
  /** A 200 success in the provider's own shape whose token carries CRLF_INJECTION. */
  crlfReply: () => Reply
  /** The provider's own failure answer with `echo` in its message and field errors. */
  echoReply: (echo: Echo) => Reply
  /** The request body (empty for 'reset' and 'hang', which never read it). */
  body: Buffer
}

/** The request's fields as a server reads them: a JSON object's or a urlencoded form's. */
function requestFields(body: Buffer, mediaType: string): [string, string][] | null {
  const text = body.toString('utf8')
  if (mediaType === 'application/x-www-form-urlencoded') return [...new URLSearchParams(text)]
  if (mediaType !== 'application/json') return null
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null
    return Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ])
  } catch {
    return null
  }
}

function htmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;')
}

function jsonEscape(s: string): string {
  return JSON.stringify(s)
    .slice(1, -1)
    .replace(/[<>&'\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** The request as an `echo` fault repeats it in `encoding`. */
export function echoOf(body: Buffer, mediaType: string, encoding: EchoEncoding): Echo {
  const fields = requestFields(body, mediaType)
  const names = fields?.map(([k]) => k) ?? []
  if (encoding === 'raw' || fields === null) return { text: body.toString('utf8'), fields: names }
  const slice = (v: string) => `${[...v].slice(2, 18).join('')}…`
  const read = fields.map(([k, v]) => `${k}=${encoding === 'truncated' ? slice(v) : v}`).join(', ')
  return { text: encoded(read, encoding), fields: names }
}

function encoded(read: string, encoding: Exclude<EchoEncoding, 'raw'>): string {
  switch (encoding) {
    case 'html':
      return htmlEscape(read)
    case 'json':
      return jsonEscape(read)
    case 'url':
      return new URLSearchParams({ q: read }).toString().slice(2)
    case 'base64':
    case 'base64url':
    case 'hex':
      return Buffer.from(read).toString(encoding)
    case 'upper':
      return read.toUpperCase()
    case 'truncated':
      return read
  }
}

/** Aborts when the server closes or the client goes away. */
function lifetime(io: FaultIo): AbortSignal {
  const gone = new AbortController()
  io.res.once('close', () => gone.abort())
  return AbortSignal.any([io.closing, gone.signal])
}

/** A small valid JSON document of exactly `bytes` bytes when possible. */
function trickleBody(bytes: number): Buffer {
  const pad = Math.max(0, bytes - '{"token":""}'.length)
  return Buffer.from(`{"token":"${'a'.repeat(pad)}"}`).subarray(0, bytes)
}

async function streamHuge(io: FaultIo, bytes: number): Promise<void> {
  const { res } = io
  const alive = lifetime(io)
  res.writeHead(200, { 'content-type': 'application/json' })
  let remaining = bytes
  const prefix = Buffer.from('{"token": "').subarray(0, remaining)
  res.write(prefix)
  remaining -= prefix.length
  while (remaining > 0 && !alive.aborted) {
    const chunk = remaining >= CHUNK.length ? CHUNK : CHUNK.subarray(0, remaining)
    remaining -= chunk.length
    if (!res.write(chunk)) await drained(res)
  }
  if (!alive.aborted) res.end()
}

async function trickle(io: FaultIo, intervalMs: number, bytes: number): Promise<void> {
  const { res } = io
  const alive = lifetime(io)
  const body = trickleBody(bytes)
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) })
  res.flushHeaders()
  for (let i = 0; i < body.length && !alive.aborted; i++) {
    await sleep(intervalMs, alive)
    if (!alive.aborted) res.write(body.subarray(i, i + 1))
  }
  if (!alive.aborted) res.end()
}

/**
 * Acts out `fault` on one request. The host has read the body already, except for 'reset' and
 * 'hang'. Hung requests stay open until the server's close().
 */
export async function applyFault(fault: Fault, io: FaultIo): Promise<void> {
  const { req, res } = io
  switch (fault.kind) {
    case 'reset':
      req.socket.destroy()
      return
    case 'hang':
      req.resume()
      return
    case 'mint-then-hang':
      await io.respond()
      return
    case 'delay':
      await sleep(fault.ms, io.closing)
      if (!io.closing.aborted) writeReply(res, await io.respond())
      return
    case 'token-crlf':
      writeReply(res, io.crlfReply())
      return
    case 'echo':
      writeReply(res, io.echoReply(echoOf(io.body, mediaTypeOf(req.headers), fault.encoding)))
      return
  }
  switch (fault.kind) {
    case 'html': {
      const title = `${fault.status} ${STATUS_CODES[fault.status] ?? 'Error'}`
      const body = `<html><body><h1>${title}</h1></body></html>`
      writeReply(res, { status: fault.status, headers: { 'content-type': 'text/html' }, body })
      return
    }
    case 'empty':
      writeReply(res, { status: fault.status, headers: { 'content-type': 'application/json' } })
      return
    case 'malformed-json':
      writeReply(res, {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: MALFORMED_JSON_BODY,
      })
      return
    case 'json':
      writeReply(res, {
        status: fault.status,
        headers: { 'content-type': fault.contentType ?? 'application/json' },
        body: JSON.stringify(fault.body) ?? '',
      })
      return
    case 'redirect':
      writeReply(res, { status: fault.status, headers: { location: fault.location } })
      return
    case 'rate-limit':
      writeReply(res, {
        status: 429,
        headers: {
          'content-type': 'application/json',
          ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
        },
        body: JSON.stringify({ detail: 'Request was throttled.' }),
      })
      return
    case 'huge-body':
      await streamHuge(io, fault.bytes)
      return
    case 'huge-declared':
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(fault.bytes),
      })
      res.write('{"token": "', () => req.socket.destroy())
      return
    case 'trickle':
      await trickle(io, fault.intervalMs, fault.bytes)
      return
  }
}
