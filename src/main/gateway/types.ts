// What the gateway (a surface) needs from the core, as plain data: the accounts it serves with
// their policies, an account's header (with the id of the token inside it), "the server refused
// this token", and a place to record each request. The app and the CLI build one over the
// actions (in process) or over the agent.
import type { Result } from '../../shared/result'

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

/** The core as the gateway sees it. */
export interface GatewaySource {
  targets(): Promise<Result<GatewayTarget[]>>
  header(label: string): Promise<Result<GatewayHeader>>
  /** The server refused `tokenId` (it becomes suspect); a token minted since is left alone. */
  reject(label: string, tokenId: string): Promise<Result<unknown>>
  record(entries: GatewayRecord[]): Promise<Result<unknown>>
}

export const EMPTY_POLICY: GatewayPolicy = { origins: [], methods: [], paths: [] }
