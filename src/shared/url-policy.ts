// Which URLs TokenDeck will send credentials to: https anywhere, plain http only to loopback.
// Pure (WHATWG URL only), so the renderer can check a base URL as the user types it.
import { fail, ok, type Result } from './result'

const LOOPBACK_V4 = /^127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/

/**
 * True for hosts that never leave this machine: `localhost` itself, 127.0.0.0/8 and ::1 as
 * literals. Nothing that a resolver would have to answer: `api.localhost` and `localhost.` (the
 * fully-qualified name) go to DNS or /etc/hosts, which may send them anywhere, so they are not
 * loopback here. The HTTP client connects `localhost` to 127.0.0.1 / ::1 without a lookup.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase()
  if (h === 'localhost') return true
  if (LOOPBACK_V4.test(h)) return true
  // URL keeps IPv6 in brackets; ::1 and its long forms, and IPv4-mapped loopback.
  const v6 = h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h
  return v6 === '::1' || v6 === '0:0:0:0:0:0:0:1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(v6)
}

/**
 * Checks a base URL or request URL against the policy. Returns the parsed URL.
 * Refused: other schemes, http to a non-loopback host, user:password@ in the URL, fragments.
 */
export function checkUrl(raw: string): Result<URL> {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return fail('URL_REFUSED', 'Not a valid URL.')
  }
  if (url.username !== '' || url.password !== '') {
    return fail('URL_REFUSED', 'URLs with a user name or password in them are refused.')
  }
  if (url.hash !== '') {
    return fail('URL_REFUSED', 'URLs with a #fragment are refused.')
  }
  if (url.protocol === 'https:') return ok(url)
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return ok(url)
    return fail(
      'URL_REFUSED',
      `Plain http is allowed only to this machine (localhost); use https:// for ${url.hostname}.`,
    )
  }
  return fail(
    'URL_REFUSED',
    `The ${url.protocol.replace(/:$/, '')} scheme is not allowed; use https://.`,
  )
}

/** Joins a base URL (which may carry a path prefix) and a profile request path. */
export function joinUrl(base: string, path: string): string {
  const b = base.endsWith('/') ? base.slice(0, -1) : base
  return b + (path.startsWith('/') ? path : `/${path}`)
}

/**
 * A base URL as it is stored and compared: lower-case scheme and host, default port elided (both
 * by WHATWG URL), runs of slashes in the path collapsed to one, no trailing slash, no query, no
 * fragment. Two spellings of one origin and prefix give one string, so they are one organization
 * for a token cap (`https://h//` and `https://h` are the same server).
 */
export function normalizeBaseUrl(raw: string): Result<string> {
  const checked = checkUrl(raw.trim())
  if (!checked.ok) return checked
  const url = checked.value
  if (url.search !== '') return fail('URL_REFUSED', 'A base URL cannot have a ?query.')
  const path = url.pathname.replace(/\/{2,}/g, '/').replace(/\/+$/, '')
  return ok(`${url.origin}${path}`)
}
