// Small pieces every OAuth sandbox endpoint shares: the RFC 6749 §5.2 error envelope, form-or-JSON
// bodies, string parameters, scope parsing and the HTML pages (no script, strict CSP).
import { isRecord, jsonReply, mediaTypeOf, parseJson } from './http-util'
import type { Reply, SandboxRequest } from './http-util'

/** RFC 6749 §5.2 error envelope (no-store, as token endpoint answers must be). */
export function oauthError(
  status: number,
  error: string,
  description: string,
  headers?: Record<string, string>,
): Reply {
  return jsonReply(
    status,
    { error, error_description: description },
    { 'cache-control': 'no-store', ...headers },
  )
}

/** Form or JSON, as OAuth servers take both; null when the body is neither. */
export function bodyOf(req: SandboxRequest): Record<string, unknown> | null {
  const type = mediaTypeOf(req.headers)
  if (type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(req.body.toString('utf8')))
  }
  if (type !== 'application/json') return null
  const data = parseJson(req.body)
  return isRecord(data) ? data : null
}

/** A non-empty string parameter, or undefined. */
export function param(data: Record<string, unknown>, name: string): string | undefined {
  const v = data[name]
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** RFC 6749 §3.3 scope tokens (NQCHAR, space-separated); null when malformed. */
export function parseScope(scope: string | undefined): string[] | null {
  if (scope === undefined) return []
  const parts = scope.split(' ')
  if (parts.some((p) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(p))) return null
  return [...new Set(parts)]
}

/**
 * The scope to grant: `requested` when every token of it is in `allowed`, `fallback` when none was
 * requested; null when a token is malformed or not allowed (`invalid_scope`).
 */
export function grantScope(
  requested: string | undefined,
  allowed: readonly string[],
  fallback: readonly string[],
): string[] | null {
  const parts = parseScope(requested)
  if (parts === null) return null
  if (parts.length === 0) return [...fallback]
  return parts.every((p) => allowed.includes(p)) ? parts : null
}

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** Headers of every HTML page: no script, no framing, no caching, no referrer. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
}

/** A plain HTML page; `bodyHtml` must already be escaped. */
export function htmlPage(status: number, title: string, bodyHtml: string): Reply {
  const body = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title></head>`,
    `<body><main><h1>${escapeHtml(title)}</h1>`,
    bodyHtml,
    '</main></body></html>',
  ].join('\n')
  return { status, headers: { ...PAGE_HEADERS }, body }
}

/** An error page (no redirect: the redirect target itself is not trusted). */
export function errorPage(status: number, message: string): Reply {
  return htmlPage(status, 'Request refused', `<p role="alert">${escapeHtml(message)}</p>`)
}

/** The login fields of a consent or device page (username, password, optional one-time code). */
export function loginFieldsHtml(username = ''): string {
  return [
    '<p><label for="username">Username</label>',
    `<input id="username" name="username" autocomplete="username" value="${escapeHtml(username)}"></p>`,
    '<p><label for="password">Password</label>',
    '<input id="password" name="password" type="password" autocomplete="current-password"></p>',
    '<p><label for="otp">One-time code (if your account has one)</label>',
    '<input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code"></p>',
  ].join('\n')
}

/** A 302 to `target` with `params` added to its query (RFC 6749 §4.1.2). */
export function redirectWith(target: string, params: Record<string, string | undefined>): Reply {
  const url = new URL(target)
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v)
  return {
    status: 302,
    headers: {
      location: url.toString(),
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    },
  }
}
