// The OAuth sandbox's token store: issues HS256 access tokens and opaque refresh tokens, records
// which grant and family each came from, verifies and revokes them, and counts issues per grant.
import { randomBytes, randomUUID } from 'node:crypto'
import { jwtVerify, SignJWT } from 'jose'
import { randomHex } from './http-util'
import type { SandboxClock } from './types'

/** How a token was obtained (`password`: the JSON logins of `/api/login` and `/api/login-otp`). */
export type GrantKind =
  'password' | 'authorization_code' | 'device_code' | 'client_credentials' | 'refresh_token'

export const GRANT_KINDS: readonly GrantKind[] = [
  'password',
  'authorization_code',
  'device_code',
  'client_credentials',
  'refresh_token',
]

/** An issued access token. */
export interface AccessRecord {
  /** Epoch ms, whole seconds (as in the JWT's `exp`). */
  expiresAt: number
  issuedAt: number
  clientId: string
  /** The user, or the client itself for client credentials. */
  sub: string
  scope: string[]
  /** Every token issued from one login, code or device approval (and its refreshes) shares it. */
  family: string
  revoked: boolean
}

/** An issued refresh token. */
export interface RefreshGrant {
  username: string
  clientId: string
  scope: string[]
  expiresAt: number
  /** Rotated away: presenting it again is reuse, which revokes its whole family. */
  used: boolean
  /** Revoked (RFC 7009, a replayed code, `revokeRefreshTokens`). */
  revoked: boolean
  family: string
}

/** What to issue. */
export interface IssueRequest {
  sub: string
  clientId: string
  scope: string[]
  family: string
  grant: GrantKind
  /** Client credentials get no refresh token (RFC 6749 §4.4.3). */
  withRefresh: boolean
}

/** The token store of one OAuth sandbox. */
export class TokenStore {
  accessTtlMs: number
  readonly issued: Record<GrantKind, number> = {
    password: 0,
    authorization_code: 0,
    device_code: 0,
    client_credentials: 0,
    refresh_token: 0,
  }
  private readonly key = new Uint8Array(randomBytes(32))
  private readonly access = new Map<string, AccessRecord>()
  private readonly grants = new Map<string, RefreshGrant>()

  constructor(
    private readonly clock: SandboxClock,
    accessTtlMs: number,
    readonly refreshTtlMs: number,
  ) {
    this.accessTtlMs = accessTtlMs
  }

  /** Issues tokens and answers the RFC 6749 §5.1 body (plus `refresh_expires_in`). */
  async issue(req: IssueRequest): Promise<Record<string, unknown>> {
    const now = this.clock.now()
    const expiresAt = now + this.accessTtlMs
    const scope = req.scope.join(' ')
    const token = await new SignJWT({ client_id: req.clientId, ...(scope ? { scope } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(req.sub)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .setJti(randomUUID())
      .sign(this.key)
    this.access.set(token, {
      expiresAt: Math.floor(expiresAt / 1000) * 1000,
      issuedAt: now,
      clientId: req.clientId,
      sub: req.sub,
      scope: [...req.scope],
      family: req.family,
      revoked: false,
    })
    this.issued[req.grant] += 1
    const body: Record<string, unknown> = {
      access_token: token,
      token_type: 'Bearer',
      expires_in: Math.floor(this.accessTtlMs / 1000),
    }
    if (req.withRefresh) {
      const refreshToken = `rt_${randomHex(24)}`
      this.grants.set(refreshToken, {
        username: req.sub,
        clientId: req.clientId,
        scope: [...req.scope],
        expiresAt: now + this.refreshTtlMs,
        used: false,
        revoked: false,
        family: req.family,
      })
      body.refresh_token = refreshToken
      body.refresh_expires_in = Math.floor(this.refreshTtlMs / 1000)
    }
    if (scope) body.scope = scope
    return body
  }

  /** The record of an access token the API would accept now (signature, expiry, revocation). */
  async verifyAccess(token: string): Promise<AccessRecord | null> {
    try {
      await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: new Date(this.clock.now()),
      })
    } catch {
      return null
    }
    const record = this.access.get(token)
    return record && this.isLive(record) ? record : null
  }

  /** Whether an access token would be accepted now. */
  isAccessValid(token: string): boolean {
    const record = this.access.get(token)
    return record !== undefined && this.isLive(record)
  }

  accessRecord(token: string): AccessRecord | undefined {
    return this.access.get(token)
  }

  refreshGrant(token: string): RefreshGrant | undefined {
    return this.grants.get(token)
  }

  /** Whether `POST /oauth/token` would accept this refresh grant now. */
  grantValid(g: RefreshGrant | undefined): g is RefreshGrant {
    return g !== undefined && !g.used && !g.revoked && this.clock.now() < g.expiresAt
  }

  /** Ends every access and refresh token of a family. */
  revokeFamily(family: string): void {
    for (const g of this.grants.values()) if (g.family === family) g.revoked = true
    for (const a of this.access.values()) if (a.family === family) a.revoked = true
  }

  /** Reuse of a rotated refresh token: every refresh token of its family counts as used. */
  endRefreshFamily(family: string): void {
    for (const g of this.grants.values()) if (g.family === family) g.used = true
  }

  revokeAccess(token: string): void {
    const record = this.access.get(token)
    if (record) record.revoked = true
  }

  revokeAllRefresh(): void {
    for (const g of this.grants.values()) g.revoked = true
  }

  liveAccessCount(): number {
    const now = this.clock.now()
    for (const [t, a] of this.access) if (a.expiresAt <= now) this.access.delete(t)
    return [...this.access.values()].filter((a) => !a.revoked).length
  }

  liveRefreshCount(): number {
    return [...this.grants.values()].filter((g) => this.grantValid(g)).length
  }

  private isLive(record: AccessRecord): boolean {
    return !record.revoked && this.clock.now() < record.expiresAt
  }
}
