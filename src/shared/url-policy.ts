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

/** RFC 3986 unreserved characters: their percent-encoded forms mean the same (section 6.2.2.2). */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/

/**
 * A path in its canonical spelling (RFC 3986 6.2.2): percent-encoded unreserved characters
 * decoded, the hex of every other escape upper-cased, runs of slashes collapsed to one, no
 * trailing slash. Letter case elsewhere stays: paths are case-sensitive.
 */
function canonicalPath(pathname: string): string {
  const decoded = pathname.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16))
    return UNRESERVED.test(c) ? c : `%${hex.toUpperCase()}`
  })
  return decoded.replace(/\/{2,}/g, '/').replace(/\/+$/, '')
}

/**
 * The host as one server has one name: lower case (URL does it) and without the trailing dot of
 * a fully-qualified name (`api.example.com.` is `api.example.com`). `localhost.` keeps its dot:
 * TokenDeck connects `localhost` to this machine without DNS, but looks `localhost.` up, so the
 * two are different servers here (and plain http to `localhost.` stays refused).
 */
function canonicalHost(url: URL): Result<string> {
  const host = url.hostname
  if (!host.endsWith('.')) return ok(url.host)
  const bare = host.slice(0, -1)
  if (bare === '' || bare.endsWith('.')) {
    return fail('URL_REFUSED', `${host} is not a valid host name.`)
  }
  if (isLoopbackHost(bare)) return ok(url.host)
  return ok(url.port === '' ? bare : `${bare}:${url.port}`)
}

/** Scheme, canonical host and port (defaults elided by URL), and canonical path of `url`. */
function canonical(url: URL): Result<string> {
  const host = canonicalHost(url)
  if (!host.ok) return host
  const path = canonicalPath(url.pathname)
  // URL has already removed `.` and `..` segments (also as %2e); decoding cannot make new ones.
  if (path.split('/').some((s) => s === '.' || s === '..')) {
    return fail('URL_REFUSED', 'A URL path cannot have "." or ".." segments.')
  }
  return ok(`${url.protocol}//${host.value}${path}`)
}

/**
 * A base URL as it is stored and compared: lower-case scheme and host, no trailing dot on the
 * host (but for `localhost.`), default port elided, percent-encoded unreserved characters
 * decoded and other escapes in upper-case hex, runs of slashes collapsed to one, no trailing
 * slash, no query, no fragment. Two spellings of one server and prefix give one string, so they
 * are one organization for a token cap (`https://API.example.com.//%78/` is
 * `https://api.example.com/x`). Path letter case counts (RFC 3986): `/API` is not `/api`.
 * Accounts keep the string they were stored with; the ledger normalises it when it reads it.
 */
export function normalizeBaseUrl(raw: string): Result<string> {
  const checked = checkUrl(raw.trim())
  if (!checked.ok) return checked
  const url = checked.value
  if (url.search !== '') return fail('URL_REFUSED', 'A base URL cannot have a ?query.')
  return canonical(url)
}

/**
 * The strings earlier versions of normalizeBaseUrl made of `stored` (the oldest first), so that a
 * token minted under one of them still counts under its organization (ledger.ts countsUnder):
 * before issue 10 the string as typed; until issue 18 the origin and the path with its slashes
 * collapsed. Add a line here whenever normalizeBaseUrl changes.
 */
export function formerBaseUrlSpellings(stored: string): string[] {
  const spellings = [stored]
  try {
    const url = new URL(stored.trim())
    spellings.push(`${url.origin}${url.pathname.replace(/\/{2,}/g, '/').replace(/\/+$/, '')}`)
  } catch {
    /* not a URL: only the string itself */
  }
  return [...new Set(spellings)]
}

/** Whether a path (raw, as a client sends it) holds a `.` or `..` segment in any encoding. */
function hasDotSegment(rawPath: string): boolean {
  let text = rawPath
  // A server may decode once or twice, and take `\` for `/`: look at every such reading.
  for (let round = 0; round < 3; round++) {
    if (text.split(/[/\\]/).some((s) => s === '.' || s === '..')) return true
    let next: string
    try {
      next = decodeURIComponent(text)
    } catch {
      next = text.replace(/%(2e|2E)/g, '.').replace(/%(2f|2F|5c|5C)/g, '/')
    }
    if (next === text) return false
    text = next
  }
  return true
}

/** The raw path of an absolute URL string: after the authority, before `?` or `#`. */
function rawPathOf(raw: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:[/\\]{2}[^/\\?#]*([^?#]*)/.exec(raw.trim())
  return m ? m[1]! : raw
}

/**
 * True when a request to `url` stays on the account whose base URL is `baseUrl`: http(s), no
 * user name or password, the same scheme, host and port after normalisation, and a path equal to
 * the base path or below it at a segment boundary (`/api/v1` covers `/api/v1/x`, not
 * `/api/v1x`), with no `.` or `..` segment in any encoding (raw, %2e, double-encoded, `\`).
 * Strict where clients read URLs differently: a backslash, white space or a control character
 * anywhere (WHATWG drops tabs and newlines, reads `\` as `/`; curl does neither) gives false.
 * The query and fragment do not matter. Pure: the same answer in every process.
 */
export function isBelowBaseUrl(url: string, baseUrl: string): boolean {
  const base = normalizeBaseUrl(baseUrl)
  if (!base.ok) return false
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f\\]/.test(url)) return false
  if (hasDotSegment(rawPathOf(url))) return false
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return false
  if (u.username !== '' || u.password !== '') return false
  const c = canonical(u)
  if (!c.ok) return false
  return c.value === base.value || c.value.startsWith(`${base.value}/`)
}

/** A URL as it may be named in a message: scheme, host and path; no user, password or query. */
export function urlForMessage(raw: string): string {
  try {
    const u = new URL(raw)
    if (u.protocol === 'http:' || u.protocol === 'https:') {
      return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`
    }
  } catch {
    /* below */
  }
  // Not a URL WHATWG reads: cut the query, and anything up to an @ in what may be the authority.
  const cut = raw.split(/[?#]/)[0]!
  const start = cut.includes('//') ? cut.indexOf('//') + 2 : 0
  const slash = cut.indexOf('/', start)
  const authority = cut.slice(start, slash < 0 ? cut.length : slash)
  const at = authority.lastIndexOf('@')
  const safe = at < 0 ? cut : `${cut.slice(0, start)}…@${cut.slice(start + at + 1)}`
  return safe.length > 80 ? `${safe.slice(0, 80)}…` : safe
}
