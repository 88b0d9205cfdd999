// Public types shared by the three sandbox provider servers.
import type { Fault, FaultRoute } from './faults'

/** Where a sandbox server reads the time (epoch ms); tests inject one to skip ahead. */
export interface SandboxClock {
  now(): number
}

/** A user a sandbox server accepts; `secret` is the password or secret key. */
export interface SandboxUser {
  username: string
  secret: string
  /** TPStreams: organizations the user may log in to; omitted means any organization id. */
  organizations?: string[]
  /** xpay: scopes reported at login and put in the JWT; default ["tme_user"]. */
  scopes?: string[]
  /**
   * OAuth sandbox: a base32 TOTP seed (RFC 6238, HMAC-SHA1, 6 digits, 30 s). A user with one logs
   * in only with a one-time code (`POST /api/login-otp`, the consent and device pages).
   */
  totpSeed?: string
}

/** Request counters; every request that reached the route counts, whatever its outcome. */
export interface SandboxStats {
  loginRequests: number
  signupRequests: number
  logoutRequests: number
  /** Refresh-token exchanges (the OAuth sandbox; 0 elsewhere). */
  refreshRequests: number
}

/** Options of `setFault`: which route it applies to and for how many requests. */
export interface SetFaultOptions {
  /** Default 'login'. */
  route?: FaultRoute
  /** How many requests it applies to before clearing itself; default unlimited. */
  times?: number
}

/** What every sandbox server offers: address, counters, fault switch and token checks. */
export interface SandboxServer {
  readonly name: 'tpstreams' | 'xpay' | 'classic' | 'oauth'
  /** e.g. http://127.0.0.1:43121, no trailing slash. */
  readonly baseUrl: string
  readonly stats: Readonly<SandboxStats>
  /** Arms a fault on a route (default 'login'); `setFault(null)` with no route clears them all. */
  setFault(fault: Fault | null, opts?: SetFaultOptions): void
  /** Whether the token would be accepted by the protected endpoint right now. */
  isTokenValid(token: string): boolean
  /** Tokens currently valid (TPStreams: of one organization when given). */
  liveTokenCount(org?: string): number
  /** Adds a user (or replaces one with the same username). */
  addUser(user: SandboxUser): void
  /** Closes the server and destroys every open socket, hung ones included. */
  close(): Promise<void>
}
