// The app:// request handler: serves the renderer's build folder, every response carrying the CSP
// and nosniff headers; a path that could leave the folder is refused. A function of a Request.
import fs from 'node:fs/promises'
import { APP_HOST, APP_ORIGIN, APP_SCHEME, contentTypeFor, resolveAppPath } from './app-url'
import { CONTENT_SECURITY_POLICY, securityHeaders } from './csp'

type ReadFile = (file: string) => Promise<Uint8Array>

function refusal(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
    },
  })
}

/** The protocol handler: a plain function of a Request, testable without Electron. */
export function createAppRequestHandler(
  root: string,
  opts: { readFile?: ReadFile; log?: (line: string) => void } = {},
): (request: Request) => Promise<Response> {
  const readFile: ReadFile = opts.readFile ?? ((f) => fs.readFile(f))
  const log = opts.log ?? (() => {})
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return refusal(405, 'Method not allowed')
    }
    let url: URL
    try {
      url = new URL(request.url)
    } catch {
      return refusal(400, 'Bad request')
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) {
      log('app-protocol: refused a request for another host')
      return refusal(403, 'Forbidden')
    }
    // The path exactly as serialized (still percent-encoded), so the resolver sees what was sent.
    if (request.url !== APP_ORIGIN && !request.url.startsWith(`${APP_ORIGIN}/`)) {
      return refusal(400, 'Bad request')
    }
    const rawPath = request.url.slice(APP_ORIGIN.length) || '/'
    const resolved = resolveAppPath(root, rawPath)
    if (!resolved.ok) {
      log(`app-protocol: refused a path (${resolved.reason})`)
      return refusal(resolved.status, 'Forbidden')
    }
    let body: Uint8Array
    try {
      body = await readFile(resolved.file)
    } catch {
      return refusal(404, 'Not found')
    }
    const headers = securityHeaders(contentTypeFor(resolved.file))
    return new Response(request.method === 'HEAD' ? null : Buffer.from(body), {
      status: 200,
      headers,
    })
  }
}
