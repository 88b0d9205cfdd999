// The gateway's data as the core keeps it and every process reads it: an account's policy (what
// the header-injecting gateway lets through), the accounts it serves, the header it adds, one
// request's record. Plain data, no logic beyond the methods never forwarded: the core
// (actions/gateway.ts) and the gateway surface (src/main/gateway/) both import it from here.

/** What the gateway lets through for one account. */
export interface GatewayPolicy {
  /** Web origins whose requests (carrying `Origin`) are forwarded; none by default. */
  origins: string[]
  /** Allowed methods, upper case; empty: any. */
  methods: string[]
  /** Allowed path prefixes below the base URL ("/api/v1/acme/assets"); empty: any. */
  paths: string[]
}

/** An account the gateway serves at /LABEL/. */
export interface GatewayTarget {
  accountId: string
  label: string
  /** Normalised base URL: every request goes to this origin and below this path. */
  baseUrl: string
  policy: GatewayPolicy
}

/** The header to add, and which token it carries (a 401 rejects exactly that token). */
export interface GatewayHeader {
  tokenId: string
  headerName: string
  /** "<Scheme> <token>" */
  value: string
  expiresAt: number | null
}

/** One request through the gateway, as the event log keeps it: never a token, never a query. */
export interface GatewayRecord {
  label: string
  method: string
  /** The path below /LABEL, without its query. */
  path: string
  status: number
  durationMs: number
  /** The first answer was 401: the token was reported and the request sent again. */
  retried?: boolean
  /**
   * The token the request carried, when the server answered 2xx: the server accepts it (clears
   * a suspicion, confirms a replacement works). Never the token itself, only its id.
   */
  tokenId?: string
}

export const EMPTY_POLICY: GatewayPolicy = { origins: [], methods: [], paths: [] }

/**
 * Methods never forwarded, whatever the policy says: TRACE and TRACK echo the request (with the
 * account's header in it) back to the client, CONNECT would open a tunnel to anywhere.
 */
export const NEVER_FORWARDED = ['TRACE', 'TRACK', 'CONNECT'] as const

/** Why `method` is never forwarded, in words; null for a method a policy may allow. */
export function neverForwarded(method: string): string | null {
  const m = method.toUpperCase()
  return (NEVER_FORWARDED as readonly string[]).includes(m)
    ? `${m} is never forwarded by the gateway.`
    : null
}
