// The gateway's policy as one pure function: a request (plain data) and the account it names go
// in, and out comes either the exact URL to send (its path in the one canonical form the policy
// was checked against) or the refusal to answer. proxy.ts calls it once and has no path logic.
import { checkUrl } from '../../shared/url-policy'
import { canonicalPath } from '../../shared/canonical-path'
import { neverForwarded, type GatewayPolicy } from '../../shared/gateway-policy'
import { ACCESS_HEADER } from './request-target'

/** What decide() reads of a request, after `/LABEL` was split off and the account found. */
export interface GatewayRequest {
  method: string
  /** The path below /LABEL as received (still percent-encoded), starting with "/". */
  path: string
  /** The query as received, with its "?", or "". */
  query: string
  /** The Origin header, if any. */
  origin?: string
  /** The Upgrade header, if any. */
  upgrade?: string
}

/** The account a request is for: its label (for messages), base URL and policy. */
export interface GatewayRoute {
  label: string
  baseUrl: string
  policy: GatewayPolicy
}

export interface Refusal {
  allowed: false
  status: number
  code: string
  message: string
}

export type Decision =
  | {
      allowed: true
      /** The canonical path below the base URL: what the policy matched and what is sent. */
      path: string
      query: string
      /** The base URL + path + query: exactly what goes upstream. */
      url: URL
    }
  | Refusal

const no = (status: number, code: string, message: string): Refusal => ({
  allowed: false,
  status,
  code,
  message,
})

/** The refusal of a method that is never forwarded (shared/gateway-policy.ts); null for any other. */
export function forbiddenMethod(method: string): Refusal | null {
  const why = neverForwarded(method)
  return why === null ? null : no(405, 'GATEWAY_METHOD_REFUSED', why)
}

/**
 * The policy's path prefixes in canonical form. A prefix that has no canonical form (it could
 * only be read ambiguously) allows nothing.
 */
function allowedPrefixes(policy: GatewayPolicy): string[] {
  const out: string[] = []
  for (const p of policy.paths) {
    const c = canonicalPath(p.length > 1 ? p.replace(/\/+$/, '') : p)
    if (c.ok) out.push(c.path)
  }
  return out
}

/** The policy's path rule: a whole-segment prefix of the canonical path (empty list: any). */
export function pathAllowed(policy: GatewayPolicy, canonical: string): boolean {
  if (policy.paths.length === 0) return true
  return allowedPrefixes(policy).some(
    (p) => p === '/' || canonical === p || canonical.startsWith(`${p}/`),
  )
}

/** Decides what happens to one request for `route`: forwarded (to exactly `url`) or refused. */
export function decide(req: GatewayRequest, route: GatewayRoute): Decision {
  const method = req.method.toUpperCase()
  const never = forbiddenMethod(method)
  if (never) return never
  const { policy, label } = route
  if (req.origin !== undefined && !policy.origins.includes(req.origin)) {
    return no(
      403,
      'GATEWAY_ORIGIN_REFUSED',
      'Requests from web pages (with an Origin header) are refused unless the account allows that origin.',
    )
  }
  const canonical = canonicalPath(req.path)
  if (!canonical.ok) {
    const { tooLong, reason } = canonical.problem
    return no(tooLong ? 414 : 400, 'GATEWAY_PATH_REFUSED', reason)
  }
  if (req.query !== '' && (!req.query.startsWith('?') || !/^[\x21-\x7e]*$/.test(req.query))) {
    return no(400, 'GATEWAY_PATH_REFUSED', 'The query has characters that must be encoded.')
  }
  if (req.query.includes('#')) {
    return no(400, 'GATEWAY_PATH_REFUSED', 'A "#" may not appear in a request target.')
  }
  if (policy.methods.length > 0 && !policy.methods.includes(method)) {
    return no(403, 'GATEWAY_METHOD_REFUSED', `${method} is not allowed for "${label}".`)
  }
  if (!pathAllowed(policy, canonical.path)) {
    return no(403, 'GATEWAY_PATH_REFUSED', `This path is not allowed for "${label}".`)
  }
  if (req.upgrade !== undefined) {
    return no(501, 'UNSUPPORTED', 'The gateway does not forward protocol upgrades.')
  }
  const base = new URL(route.baseUrl)
  const basePath = base.pathname.replace(/\/+$/, '')
  const url = checkUrl(`${base.origin}${basePath}${canonical.path}${req.query}`)
  // The URL parser must keep the canonical path as it is (it does: nothing in it is a dot
  // segment or a backslash); checked anyway, so what goes upstream is what was decided.
  if (
    !url.ok ||
    url.value.origin !== base.origin ||
    url.value.pathname !== basePath + canonical.path
  ) {
    return no(400, 'GATEWAY_PATH_REFUSED', 'That path leaves the account base URL.')
  }
  return { allowed: true, path: canonical.path, query: req.query, url: url.value }
}

/**
 * decide() remembered per route: a busy client sends the same few targets again and again, and
 * the answer depends only on the request's fields and the route. A route object stands for one
 * reading of the account and its policy (the gateway reads them again every second, as new
 * objects), so a changed policy is never answered from an old reading. At most 256 per route.
 */
export class DecisionMemo {
  private readonly byRoute = new WeakMap<GatewayRoute, Map<string, Decision>>()

  decide(req: GatewayRequest, route: GatewayRoute): Decision {
    let memo = this.byRoute.get(route)
    if (!memo) {
      memo = new Map()
      this.byRoute.set(route, memo)
    }
    // No field can hold a line feed (the HTTP parser refuses one); NUL stands for "absent".
    const key = `${req.method}\n${req.origin ?? '\0'}\n${req.upgrade ?? '\0'}\n${req.path}\n${req.query}`
    let d = memo.get(key)
    if (!d) {
      d = decide(req, route)
      if (memo.size >= 256) memo.clear()
      memo.set(key, d)
    }
    return d
  }
}

/** What decide() answers a browser's CORS preflight (OPTIONS with Origin and the method asked). */
export interface PreflightRequest {
  origin: string
  /** Access-Control-Request-Method. */
  method: string
  /** Access-Control-Request-Headers, if any. */
  headers?: string
}

/**
 * A preflight carries no access token: answered by the gateway, never forwarded, and allowed
 * only for an origin the account's policy names and a method it allows (never TRACE, TRACK or
 * CONNECT). `route` is undefined when the label names no account served.
 */
export function decidePreflight(
  req: PreflightRequest,
  route: GatewayRoute | undefined,
): { allowed: true; headers: Record<string, string> } | Refusal {
  const asked = req.method.toUpperCase()
  const methods = route?.policy.methods ?? []
  if (
    !route?.policy.origins.includes(req.origin) ||
    forbiddenMethod(asked) ||
    (methods.length > 0 && !methods.includes(asked))
  ) {
    return no(403, 'GATEWAY_ORIGIN_REFUSED', 'This origin may not use the gateway.')
  }
  return {
    allowed: true,
    headers: {
      'access-control-allow-origin': req.origin,
      'access-control-allow-methods': methods.length > 0 ? methods.join(', ') : asked,
      'access-control-allow-headers': req.headers ?? ACCESS_HEADER,
      'access-control-max-age': '600',
      vary: 'Origin',
    },
  }
}
