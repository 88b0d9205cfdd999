// The hardened HTTP client every provider call goes through: URL policy, deadline, size cap,
// no redirects, and an honest answer to "could the server have acted on this request?".
//
// Built on node:http/https rather than fetch because a login that failed needs one fact fetch
// does not expose: whether the request had been fully sent. A timeout before that is a clean
// failure; after it the server may have minted a token (OUTCOME_UNKNOWN).
import http from 'node:http'
import https from 'node:https'
import { fail, ok, type Failure, type Result } from '../../shared/result'
import { checkUrl } from '../../shared/url-policy'
import { loopbackLookup } from '../platform/loopback-lookup'

export const DEFAULT_DEADLINE_MS = 15_000
export const DEFAULT_MAX_BYTES = 1024 * 1024

export type HttpBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; value: Record<string, string> }
  | { kind: 'none' }

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  headers?: Record<string, string>
  body?: HttpBody
  /** Overall deadline: connect, send, headers and body. */
  deadlineMs?: number
  /** Response body cap in bytes, enforced while streaming. */
  maxBytes?: number
  /**
   * The request may create state on the server (a login mints a token). A failure after the
   * request was sent is then OUTCOME_UNKNOWN, not a clean failure. Never retried.
   */
  mayMint?: boolean
}

export interface HttpResponse {
  status: number
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>
  /** The media type without parameters, lower-cased ("application/json"), or "" if absent. */
  mediaType: string
  text: string
  /** The parsed body when the media type is JSON and it parsed; otherwise undefined. */
  json: unknown
  /** The media type said JSON but the body did not parse. */
  jsonInvalid: boolean
}

/** What the provider engine needs from HTTP; tests may pass their own. */
export interface HttpClient {
  send(req: HttpRequest): Promise<Result<HttpResponse>>
}

export interface HttpClientOptions {
  userAgent?: string
  defaultDeadlineMs?: number
  defaultMaxBytes?: number
}

const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
])

function isTlsError(code: string, message: string): boolean {
  return (
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|HOSTNAME_MISMATCH/.test(code) ||
    /certificate|SSL routines/i.test(message)
  )
}

function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType)
}

function encodeBody(body: HttpBody | undefined): { data?: Buffer; contentType?: string } {
  if (!body || body.kind === 'none') return {}
  if (body.kind === 'json') {
    return {
      data: Buffer.from(JSON.stringify(body.value), 'utf8'),
      contentType: 'application/json',
    }
  }
  return {
    data: Buffer.from(new URLSearchParams(body.value).toString(), 'utf8'),
    contentType: 'application/x-www-form-urlencoded; charset=utf-8',
  }
}

/** Creates the real client. Each request gets its own connection: nothing is pooled or reused. */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const userAgent = options.userAgent ?? 'TokenDeck'
  return {
    send(req) {
      return send(req, {
        userAgent,
        deadlineMs: req.deadlineMs ?? options.defaultDeadlineMs ?? DEFAULT_DEADLINE_MS,
        maxBytes: req.maxBytes ?? options.defaultMaxBytes ?? DEFAULT_MAX_BYTES,
      })
    },
  }
}

function send(
  req: HttpRequest,
  cfg: { userAgent: string; deadlineMs: number; maxBytes: number },
): Promise<Result<HttpResponse>> {
  const checked = checkUrl(req.url)
  if (!checked.ok) return Promise.resolve(checked)
  const url = checked.value
  const host = url.host
  const { data, contentType } = encodeBody(req.body)

  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-encoding': 'identity',
    'cache-control': 'no-store',
    'user-agent': cfg.userAgent,
  }
  if (contentType) headers['content-type'] = contentType
  if (data) headers['content-length'] = String(data.length)
  for (const [k, v] of Object.entries(req.headers ?? {})) {
    // Node refuses CR/LF in header values too; checking first gives a clear, secret-free error.
    if (/[\r\n\0]/.test(v) || /[^!#$%&'*+.^_`|~0-9A-Za-z-]/.test(k)) {
      return Promise.resolve(
        fail('VALIDATION_FAILED', `Header "${k.slice(0, 40)}" has forbidden characters.`),
      )
    }
    headers[k.toLowerCase()] = v
  }

  return new Promise((resolve) => {
    let settled = false
    let sent = false
    let status = 0
    const settle = (r: Result<HttpResponse>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(r)
    }
    const mayHaveMinted = () => Boolean(req.mayMint && sent)
    const failAfterSend = (what: string): Failure =>
      mayHaveMinted()
        ? fail(
            'OUTCOME_UNKNOWN',
            `${what} after the request reached ${host}: the server may have acted on it (a token may have been created).`,
            { details: { mayHaveMinted: true, host } },
          )
        : fail(
            what.includes('deadline') ? 'NETWORK_TIMEOUT' : 'NETWORK_ERROR',
            `${what} (${host}).`,
            {
              details: { host },
            },
          )

    const options: https.RequestOptions = {
      method: req.method,
      headers,
      agent: false,
      // Said explicitly, so NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot turn the
      // certificate check off (Node reads that variable only when this option is absent).
      rejectUnauthorized: true,
      // The Host header stays "localhost:PORT"; only the address comes from loopbackLookup.
      ...(url.hostname === 'localhost' ? { lookup: loopbackLookup } : {}),
    }
    const request =
      url.protocol === 'https:' ? https.request(url, options) : http.request(url, options)

    const timer = setTimeout(() => {
      settle(
        failAfterSend(
          `No complete answer within the ${Math.round(cfg.deadlineMs / 1000)} s deadline`,
        ),
      )
      request.destroy()
    }, cfg.deadlineMs)

    request.on('finish', () => {
      sent = true
    })

    request.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? ''
      if (NOT_SENT_CODES.has(code)) {
        settle(
          fail('NETWORK_ERROR', `Could not connect to ${host} (${code}).`, { details: { host } }),
        )
      } else if (isTlsError(code, err.message)) {
        settle(
          fail(
            'TLS_ERROR',
            `The TLS certificate of ${host} could not be verified (${code || 'TLS'}).`,
            {
              details: { host },
            },
          ),
        )
      } else {
        settle(failAfterSend(`The connection was closed${code ? ` (${code})` : ''}`))
      }
    })

    request.on('response', (res) => {
      status = res.statusCode ?? 0
      const resHeaders: Record<string, string> = {}
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined) resHeaders[k] = Array.isArray(v) ? v.join(', ') : v
      }
      const success = status >= 200 && status < 300
      const tooLarge = () => {
        const minted = Boolean(req.mayMint && success)
        settle(
          fail(
            'RESPONSE_TOO_LARGE',
            `The answer from ${host} was larger than ${Math.round(cfg.maxBytes / 1024)} KiB and was cut off.`,
            { details: { host, status, mayHaveMinted: minted } },
          ),
        )
        res.destroy()
        request.destroy()
      }

      if (status >= 300 && status < 400 && status !== 304) {
        let target = 'another location'
        try {
          target = new URL(resHeaders.location ?? '', url).origin
        } catch {
          /* keep the generic words */
        }
        settle(
          fail(
            'REDIRECT_REFUSED',
            `${host} answered with a redirect (HTTP ${status}) to ${target}; credentials never follow redirects.`,
            { details: { host, status } },
          ),
        )
        res.destroy()
        request.destroy()
        return
      }

      const declared = Number(resHeaders['content-length'])
      if (Number.isFinite(declared) && declared > cfg.maxBytes) {
        tooLarge()
        return
      }

      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        if (settled) return
        size += chunk.length
        if (size > cfg.maxBytes) {
          tooLarge()
          return
        }
        chunks.push(chunk)
      })
      res.on('error', () => settle(failAfterSend('The answer was cut off')))
      res.on('aborted', () => settle(failAfterSend('The answer was cut off')))
      res.on('close', () => {
        if (!res.complete) settle(failAfterSend('The answer was cut off'))
      })
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        const mediaType = (resHeaders['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
        let json: unknown = undefined
        let jsonInvalid = false
        if (isJsonMediaType(mediaType)) {
          try {
            json = JSON.parse(text)
          } catch {
            jsonInvalid = true
          }
        }
        settle(ok({ status, headers: resHeaders, mediaType, text, json, jsonInvalid }))
      })
    })

    request.end(data)
  })
}
