// A streaming API behind the sandbox's login, for what the gateway forwards (tests and bench):
// /api/v1/<org>/echo/... (any method) reads the whole body as a stream and answers with what
// arrived (method, path, query, byte count, sha256, headers; never the credential), after
// ?delay_ms=N when asked; /api/v1/<org>/bytes/<n> streams n bytes back; and
// /api/v1/<org>/redirect answers 302 to another host; /api/v1/<org>/premium/... answers 401 even
// to a valid token (a plan or permission problem, as many real APIs answer it: the token stays
// valid). Each needs a live token of that organization, as the protected routes do.
import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { drained } from './http-util'

const ECHO = /^\/api\/v1\/([^/]+)\/echo(?:\/.*)?$/
const BYTES = /^\/api\/v1\/([^/]+)\/bytes\/(\d{1,10})$/
const REDIRECT = /^\/api\/v1\/([^/]+)\/redirect$/
const PREMIUM = /^\/api\/v1\/([^/]+)\/premium(?:\/.*)?$/
const CHUNK = Buffer.alloc(64 * 1024, 0x61)

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

/**
 * The raw handler for a sandbox host: true when it took the request. `organizationOf` gives the
 * organization of the request's live token, or null when it has none.
 */
export function streamingApi(organizationOf: (req: IncomingMessage) => string | null) {
  return (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    const m = ECHO.exec(path) ?? BYTES.exec(path) ?? REDIRECT.exec(path) ?? PREMIUM.exec(path)
    if (!m) return false
    const org = organizationOf(req)
    if (org === null || decodeURIComponent(m[1]!) !== org) {
      req.resume()
      json(res, org === null ? 401 : 403, {
        detail: org === null ? 'Invalid token.' : 'Forbidden.',
      })
      return true
    }
    if (PREMIUM.test(path)) {
      req.resume()
      json(res, 401, { detail: 'Your plan does not include this feature.' })
      return true
    }
    if (REDIRECT.test(path)) {
      req.resume()
      res.writeHead(302, { location: 'https://elsewhere.invalid/steal', 'content-length': 0 })
      res.end()
      return true
    }
    const bytes = BYTES.exec(path)
    if (bytes) {
      req.resume()
      void streamBytes(res, Number(bytes[2]))
      return true
    }
    const hash = createHash('sha256')
    let n = 0
    req.on('data', (c: Buffer) => {
      n += c.length
      hash.update(c)
    })
    req.on('end', () => {
      const q = (req.url ?? '').indexOf('?')
      // ?delay_ms=N (at most 5 s): a server that takes time to answer, like a real API.
      const delay = /[?&]delay_ms=(\d{1,4})(?:&|$)/.exec(req.url ?? '')
      setTimeout(() => answer(q), Math.min(Number(delay?.[1] ?? 0), 5000))
    })
    const answer = (q: number) => {
      const headers: Record<string, string | string[]> = {}
      for (const [k, v] of Object.entries(req.headers)) {
        // The credential is never echoed; only that it came, and with which scheme.
        if (v !== undefined) headers[k] = k === 'authorization' ? String(v).split(' ')[0]! : v
      }
      json(res, 200, {
        method: req.method,
        path,
        query: q === -1 ? '' : (req.url ?? '').slice(q),
        bytes: n,
        sha256: hash.digest('hex'),
        headers,
      })
    }
    return true
  }
}

async function streamBytes(res: ServerResponse, n: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n })
  let left = n
  while (left > 0 && !res.destroyed) {
    const part = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left)
    left -= part.length
    if (!res.write(part)) await drained(res)
  }
  res.end()
}
