// OAuth-style JWT API emulation: a JSON password login answering a short-lived HS256 access token
// and a longer-lived opaque refresh token, and `POST /oauth/token` (grant_type=refresh_token, form
// or JSON) that rotates the refresh token and refuses unknown, expired or reused ones.
import { randomBytes, randomUUID } from 'node:crypto'
import { jwtVerify, SignJWT } from 'jose'
import { copyUser, DEMO_USERS, userMap } from './demo-users'
import { CRLF_INJECTION } from './faults'
import { startHost } from './host'
import type { Route } from './host'
import { credentialFor, isRecord, jsonReply, mediaTypeOf, parseJson, randomHex } from './http-util'
import { secretEquals } from './http-util'
import type { Reply, SandboxRequest } from './http-util'
import type { SandboxClock, SandboxServer, SandboxUser } from './types'

/** Options of the OAuth sandbox. */
export interface OauthSandboxOptions {
  /** Default DEMO_USERS.oauth. */
  users?: readonly SandboxUser[]
  /** Access token lifetime; default five minutes. */
  accessTtlMs?: number
  /** Refresh token lifetime (each rotation starts a new one); default one hour. */
  refreshTtlMs?: number
  clock?: SandboxClock
}

/** A running OAuth sandbox. */
export interface OauthSandbox extends SandboxServer {
  readonly name: 'oauth'
  /** The lifetime of access tokens issued from now on. */
  readonly accessTtlMs: number
  readonly refreshTtlMs: number
  /** Changes the lifetime of access tokens issued from now on (those issued keep theirs). */
  setAccessTtlMs(ms: number): void
  /** Whether `POST /oauth/token` would accept this refresh token right now. */
  isRefreshTokenValid(refreshToken: string): boolean
  /** Refresh tokens currently valid. */
  liveRefreshTokenCount(): number
  /** Revokes every refresh token (a password change, an admin's "sign out everywhere"). */
  revokeRefreshTokens(): void
}

interface RefreshGrant {
  username: string
  clientId: string
  expiresAt: number
  /** Rotated away: presenting it again is reuse, which revokes its whole family. */
  used: boolean
  family: string
}

/** RFC 6749 §5.2 error envelope. */
function oauthError(status: number, error: string, description: string): Reply {
  return jsonReply(status, { error, error_description: description })
}

/** Starts an OAuth sandbox on 127.0.0.1 with an OS-chosen port. */
export async function startOauthSandbox(opts: OauthSandboxOptions = {}): Promise<OauthSandbox> {
  const users = userMap(opts.users ?? DEMO_USERS.oauth)
  let accessTtlMs = opts.accessTtlMs ?? 5 * 60_000
  const refreshTtlMs = opts.refreshTtlMs ?? 3_600_000
  const clock = opts.clock ?? { now: () => Date.now() }
  const key = new Uint8Array(randomBytes(32))
  /** Issued access tokens and their expiry (epoch ms). */
  const access = new Map<string, number>()
  const grants = new Map<string, RefreshGrant>()

  const grantValid = (g: RefreshGrant | undefined): g is RefreshGrant =>
    g !== undefined && !g.used && clock.now() < g.expiresAt

  async function issue(username: string, clientId: string, family: string): Promise<Reply> {
    const now = clock.now()
    const expiresAt = now + accessTtlMs
    const token = await new SignJWT({ client_id: clientId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(username)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .setJti(randomUUID())
      .sign(key)
    access.set(token, Math.floor(expiresAt / 1000) * 1000)
    const refreshToken = `rt_${randomHex(24)}`
    grants.set(refreshToken, {
      username,
      clientId,
      expiresAt: now + refreshTtlMs,
      used: false,
      family,
    })
    return jsonReply(200, {
      access_token: token,
      token_type: 'Bearer',
      expires_in: Math.floor(accessTtlMs / 1000),
      refresh_token: refreshToken,
      refresh_expires_in: Math.floor(refreshTtlMs / 1000),
    })
  }

  /** Form or JSON, as OAuth servers take both. */
  function bodyOf(req: SandboxRequest): Record<string, unknown> | null {
    const type = mediaTypeOf(req.headers)
    if (type === 'application/x-www-form-urlencoded') {
      return Object.fromEntries(new URLSearchParams(req.body.toString('utf8')))
    }
    if (type !== 'application/json') return null
    const data = parseJson(req.body)
    return isRecord(data) ? data : null
  }

  async function login(req: SandboxRequest): Promise<Reply> {
    const data = bodyOf(req)
    if (!data) return oauthError(400, 'invalid_request', 'a JSON or form body is required')
    const { username, password, client_id: clientId } = data
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
      return oauthError(400, 'invalid_request', 'username and password are required')
    }
    if (typeof clientId !== 'string' || clientId === '') {
      return oauthError(400, 'invalid_client', 'client_id is required')
    }
    const user = users.get(username)
    if (!user || !secretEquals(password, user.secret)) {
      return oauthError(401, 'invalid_grant', 'invalid username or password')
    }
    return issue(user.username, clientId, randomUUID())
  }

  async function token(req: SandboxRequest): Promise<Reply> {
    const data = bodyOf(req)
    if (!data) return oauthError(400, 'invalid_request', 'a JSON or form body is required')
    if (data.grant_type !== 'refresh_token') {
      return oauthError(
        400,
        'unsupported_grant_type',
        'only grant_type=refresh_token is served here',
      )
    }
    const presented = data.refresh_token
    if (typeof presented !== 'string' || presented === '') {
      return oauthError(400, 'invalid_request', 'refresh_token is required')
    }
    const grant = grants.get(presented)
    if (grant?.used) {
      // Reuse of a rotated refresh token: someone else may hold it, so the family ends.
      for (const g of grants.values()) if (g.family === grant.family) g.used = true
      return oauthError(400, 'invalid_grant', 'refresh token was already used')
    }
    if (!grantValid(grant)) return oauthError(400, 'invalid_grant', 'refresh token is invalid')
    if (data.client_id !== grant.clientId) {
      return oauthError(400, 'invalid_grant', 'refresh token was issued to another client')
    }
    grant.used = true
    return issue(grant.username, grant.clientId, grant.family)
  }

  async function me(req: SandboxRequest): Promise<Reply> {
    const bearer = credentialFor(req.headers, 'Bearer')
    if (bearer === null) return oauthError(401, 'invalid_token', 'missing bearer token')
    try {
      const { payload } = await jwtVerify(bearer, key, {
        algorithms: ['HS256'],
        currentDate: new Date(clock.now()),
      })
      const expiresAt = access.get(bearer) ?? (payload.exp ?? 0) * 1000
      if (clock.now() >= expiresAt) return oauthError(401, 'invalid_token', 'token expired')
      return jsonReply(200, { username: payload.sub })
    } catch {
      return oauthError(401, 'invalid_token', 'invalid or expired token')
    }
  }

  const routes: Route[] = [
    { kind: 'login', method: 'POST', pattern: /^\/api\/login$/, handle: login },
    { kind: 'refresh', method: 'POST', pattern: /^\/oauth\/token$/, handle: token },
    { kind: 'protected', method: 'GET', pattern: /^\/api\/me$/, handle: me },
  ]
  const host = await startHost({
    routes,
    echoReply: (echo) => oauthError(400, 'invalid_request', `invalid request: ${echo.text}`),
    notFound: () => oauthError(404, 'not_found', 'not found'),
    methodNotAllowed: () => oauthError(405, 'invalid_request', 'method not allowed'),
    tooLarge: () => oauthError(413, 'invalid_request', 'request body too large'),
    crlfReply: () =>
      jsonReply(200, {
        access_token: `eyJhbGciOiJIUzI1NiJ9.${randomHex(8)}${CRLF_INJECTION}`,
        token_type: 'Bearer',
        expires_in: Math.floor(accessTtlMs / 1000),
        refresh_token: `rt_${randomHex(24)}`,
      }),
  })

  const prune = (): void => {
    const now = clock.now()
    for (const [t, at] of access) if (at <= now) access.delete(t)
  }
  return {
    name: 'oauth',
    baseUrl: host.baseUrl,
    stats: host.stats,
    get accessTtlMs() {
      return accessTtlMs
    },
    refreshTtlMs,
    setAccessTtlMs: (ms) => {
      accessTtlMs = ms
    },
    setFault: host.setFault,
    isTokenValid: (t) => {
      const at = access.get(t)
      return at !== undefined && clock.now() < at
    },
    liveTokenCount: () => {
      prune()
      return access.size
    },
    isRefreshTokenValid: (t) => grantValid(grants.get(t)),
    liveRefreshTokenCount: () => [...grants.values()].filter((g) => grantValid(g)).length,
    revokeRefreshTokens: () => {
      for (const g of grants.values()) g.used = true
    },
    addUser: (user) => void users.set(user.username, copyUser(user)),
    close: host.close,
  }
}
