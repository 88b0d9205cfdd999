// OAuth sandbox: an OAuth 2.0 authorization server and its JWT API on one origin. The JSON password
// logins (`/api/login`, and `/api/login-otp` for TOTP users), `POST /oauth/token` (refresh with
// rotation and reuse detection, authorization code + PKCE, device code, client credentials), the
// consent and device pages, revocation, introspection and the protected `GET /api/me`.
import { randomUUID } from 'node:crypto'
import { copyUser, DEMO_USERS, userMap } from './demo-users'
import { CRLF_INJECTION } from './faults'
import { startHost } from './host'
import type { Route } from './host'
import { credentialFor, jsonReply, randomHex } from './http-util'
import type { Reply, SandboxRequest } from './http-util'
import { codeGrant } from './oauth-authorize'
import { clientMap, DEMO_OAUTH_CLIENTS, identifyClient } from './oauth-clients'
import type { OauthClient } from './oauth-clients'
import { bodyOf, grantScope, oauthError, param } from './oauth-common'
import { checkUserLogin } from './oauth-context'
import type { OauthContext } from './oauth-context'
import { deviceGrant } from './oauth-device'
import type { DeviceOptions } from './oauth-device'
import { revocation } from './oauth-revoke'
import { GRANT_KINDS, TokenStore } from './oauth-tokens'
import type { GrantKind } from './oauth-tokens'
import { TotpChecker } from './totp-check'
import type { SandboxClock, SandboxServer, SandboxUser } from './types'

export type { OauthClient } from './oauth-clients'
export type { GrantKind } from './oauth-tokens'

/** Options of the OAuth sandbox. */
export interface OauthSandboxOptions {
  /** Default DEMO_USERS.oauth. */
  users?: readonly SandboxUser[]
  /** Default DEMO_OAUTH_CLIENTS. */
  clients?: readonly OauthClient[]
  /** Access token lifetime; default five minutes. */
  accessTtlMs?: number
  /** Refresh token lifetime (each rotation starts a new one); default one hour. */
  refreshTtlMs?: number
  /** Device flow: code lifetime (default 600 s) and first polling interval (default 5 s). */
  device?: DeviceOptions
  /**
   * Answer every error of `POST /oauth/token` with HTTP 200 and its `{error, error_description}`
   * body, as GitHub's token endpoint does (`authorization_pending`, `bad_refresh_token`...):
   * a client that looks only at the status takes a refusal for a token. Default false (RFC 6749).
   */
  tokenErrorsAs200?: boolean
  clock?: SandboxClock
}

/** A running OAuth sandbox. */
export interface OauthSandbox extends SandboxServer {
  readonly name: 'oauth'
  /** The lifetime of access tokens issued from now on. */
  readonly accessTtlMs: number
  readonly refreshTtlMs: number
  /** The registered clients (copies; confidential ones with their secret). */
  readonly clients: readonly OauthClient[]
  /** Tokens issued per grant (a refresh counts under `refresh_token`). */
  readonly issuedByGrant: Readonly<Record<GrantKind, number>>
  /** Changes the lifetime of access tokens issued from now on (those issued keep theirs). */
  setAccessTtlMs(ms: number): void
  /** Whether `POST /oauth/token` would accept this refresh token right now. */
  isRefreshTokenValid(refreshToken: string): boolean
  /** Whether the API would accept this access token right now (same as `isTokenValid`). */
  isAccessTokenValid(accessToken: string): boolean
  /** Refresh tokens currently valid. */
  liveRefreshTokenCount(): number
  /** Revokes every refresh token (a password change, an admin's "sign out everywhere"). */
  revokeRefreshTokens(): void
  /** Approves a pending device user code (`WDJB-MJHT` or `wdjbmjht`) as `username`; false if none. */
  approveDevice(userCode: string, username: string): boolean
  /** Denies a pending device user code; false if none. */
  denyDevice(userCode: string): boolean
}

/** GitHub's way with token-endpoint errors: the same body, with HTTP 200 (and no challenge). */
function errorAs200(reply: Reply): Reply {
  if (reply.status < 400) return reply
  const headers = { ...reply.headers }
  delete headers['www-authenticate']
  return { ...reply, status: 200, headers }
}

/** Starts an OAuth sandbox on 127.0.0.1 with an OS-chosen port. */
export async function startOauthSandbox(opts: OauthSandboxOptions = {}): Promise<OauthSandbox> {
  const clock = opts.clock ?? { now: () => Date.now() }
  const store = new TokenStore(
    clock,
    opts.accessTtlMs ?? 5 * 60_000,
    opts.refreshTtlMs ?? 3_600_000,
  )
  let baseUrl = ''
  const ctx: OauthContext = {
    clock,
    store,
    clients: clientMap(opts.clients ?? DEMO_OAUTH_CLIENTS),
    users: userMap(opts.users ?? DEMO_USERS.oauth),
    totp: new TotpChecker(() => clock.now()),
    baseUrl: () => baseUrl,
  }
  const code = codeGrant(ctx)
  const device = deviceGrant(ctx, opts.device ?? {})
  const revoker = revocation(ctx)
  const issued = (body: Record<string, unknown>): Reply =>
    jsonReply(200, body, { 'cache-control': 'no-store' })

  /** `/api/login` (no one-time code) and `/api/login-otp` (with `otp`): any client_id. */
  async function login(req: SandboxRequest, withOtp: boolean): Promise<Reply> {
    const data = bodyOf(req)
    if (!data) return oauthError(400, 'invalid_request', 'a JSON or form body is required')
    const { username, password, client_id: clientId, otp } = data
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
      return oauthError(400, 'invalid_request', 'username and password are required')
    }
    if (typeof clientId !== 'string' || clientId === '') {
      return oauthError(400, 'invalid_client', 'client_id is required')
    }
    if (withOtp && typeof otp !== 'string') {
      return oauthError(400, 'invalid_request', 'otp (the 6-digit one-time code) is required')
    }
    const checked = checkUserLogin(ctx, username, password, withOtp ? (otp as string) : undefined)
    if (!checked.ok) return oauthError(401, 'invalid_grant', checked.why)
    const body = await store.issue({
      sub: checked.user.username,
      clientId,
      scope: [],
      family: randomUUID(),
      grant: 'password',
      withRefresh: true,
    })
    return jsonReply(200, body)
  }

  async function refresh(
    data: Record<string, unknown>,
    clientId: string | undefined,
  ): Promise<Reply> {
    const presented = param(data, 'refresh_token')
    if (!presented) return oauthError(400, 'invalid_request', 'refresh_token is required')
    const grant = store.refreshGrant(presented)
    if (grant?.used) {
      // Reuse of a rotated refresh token: someone else may hold it, so the family ends.
      store.endRefreshFamily(grant.family)
      return oauthError(400, 'invalid_grant', 'refresh token was already used')
    }
    if (grant?.revoked) return oauthError(400, 'invalid_grant', 'refresh token was revoked')
    if (!store.grantValid(grant))
      return oauthError(400, 'invalid_grant', 'refresh token is invalid')
    if (clientId !== grant.clientId) {
      return oauthError(400, 'invalid_grant', 'refresh token was issued to another client')
    }
    // RFC 6749 §6: a narrower scope may be asked for, never a wider one.
    const scope = grantScope(param(data, 'scope'), grant.scope, grant.scope)
    if (scope === null) return oauthError(400, 'invalid_scope', 'scope wider than the grant')
    grant.used = true
    const sub = grant.username
    return issued(
      await store.issue({
        sub,
        clientId,
        scope,
        family: grant.family,
        grant: 'refresh_token',
        withRefresh: true,
      }),
    )
  }

  async function token(req: SandboxRequest): Promise<Reply> {
    const data = bodyOf(req)
    if (!data) return oauthError(400, 'invalid_request', 'a JSON or form body is required')
    const grantType = param(data, 'grant_type')
    // Refresh tokens of the password logins belong to any client_id, registered or not.
    const who = identifyClient(req.headers, data, ctx.clients, grantType === 'refresh_token')
    if (!who.ok) return who.reply
    const { caller } = who
    const allowed = (g: OauthClient['grants'][number]): boolean =>
      caller.client?.grants.includes(g) === true
    switch (grantType) {
      case 'refresh_token':
        return refresh(data, caller.clientId)
      case 'authorization_code':
        if (!allowed('authorization_code')) break
        return code.exchange(data, caller)
      case 'urn:ietf:params:oauth:grant-type:device_code':
        if (!allowed('device_code')) break
        return device.poll(data, caller)
      case 'client_credentials': {
        if (!allowed('client_credentials') || !caller.authenticated || !caller.client) break
        const c = caller.client
        const scope = grantScope(param(data, 'scope'), c.scopes, c.defaultScopes)
        if (scope === null)
          return oauthError(400, 'invalid_scope', 'the requested scope is not allowed')
        const body = await store.issue({
          sub: c.clientId,
          clientId: c.clientId,
          scope,
          family: randomUUID(),
          grant: 'client_credentials',
          withRefresh: false,
        })
        return issued(body)
      }
      default:
        return oauthError(
          400,
          'unsupported_grant_type',
          `grant_type ${grantType ?? '(none)'} is not served`,
        )
    }
    return oauthError(400, 'unauthorized_client', `this client may not use grant_type ${grantType}`)
  }

  async function me(req: SandboxRequest): Promise<Reply> {
    const bearer = credentialFor(req.headers, 'Bearer')
    if (bearer === null) return oauthError(401, 'invalid_token', 'missing bearer token')
    const record = await store.verifyAccess(bearer)
    if (!record) return oauthError(401, 'invalid_token', 'invalid, expired or revoked token')
    return jsonReply(200, { username: record.sub, scope: record.scope.join(' ') })
  }

  const routes: Route[] = [
    { kind: 'login', method: 'POST', pattern: /^\/api\/login$/, handle: (r) => login(r, false) },
    { kind: 'login', method: 'POST', pattern: /^\/api\/login-otp$/, handle: (r) => login(r, true) },
    {
      kind: 'refresh',
      method: 'POST',
      pattern: /^\/oauth\/token$/,
      handle: opts.tokenErrorsAs200 ? async (r) => errorAs200(await token(r)) : token,
    },
    { kind: 'protected', method: 'GET', pattern: /^\/api\/me$/, handle: me },
    { kind: 'authorize', method: 'GET', pattern: /^\/oauth\/authorize$/, handle: code.authorize },
    {
      kind: 'authorize',
      method: 'POST',
      pattern: /^\/oauth\/authorize\/decision$/,
      handle: code.decide,
    },
    {
      kind: 'authorize',
      method: 'POST',
      pattern: /^\/oauth\/device_authorization$/,
      handle: device.authorization,
    },
    { kind: 'authorize', method: 'GET', pattern: /^\/device$/, handle: device.page },
    { kind: 'authorize', method: 'POST', pattern: /^\/device\/decision$/, handle: device.decide },
    { kind: 'logout', method: 'POST', pattern: /^\/oauth\/revoke$/, handle: revoker.revoke },
    {
      kind: 'authorize',
      method: 'POST',
      pattern: /^\/oauth\/introspect$/,
      handle: revoker.introspect,
    },
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
        expires_in: Math.floor(store.accessTtlMs / 1000),
        refresh_token: `rt_${randomHex(24)}`,
      }),
  })
  baseUrl = host.baseUrl

  return {
    name: 'oauth',
    baseUrl: host.baseUrl,
    stats: host.stats,
    get accessTtlMs() {
      return store.accessTtlMs
    },
    refreshTtlMs: store.refreshTtlMs,
    clients: [...clientMap([...ctx.clients.values()]).values()],
    get issuedByGrant() {
      return Object.fromEntries(GRANT_KINDS.map((g) => [g, store.issued[g]])) as Record<
        GrantKind,
        number
      >
    },
    setAccessTtlMs: (ms) => {
      store.accessTtlMs = ms
    },
    setFault: host.setFault,
    isTokenValid: (t) => store.isAccessValid(t),
    isAccessTokenValid: (t) => store.isAccessValid(t),
    liveTokenCount: () => store.liveAccessCount(),
    isRefreshTokenValid: (t) => store.grantValid(store.refreshGrant(t)),
    liveRefreshTokenCount: () => store.liveRefreshCount(),
    revokeRefreshTokens: () => store.revokeAllRefresh(),
    approveDevice: (userCode, username) => device.settle(userCode, username, true),
    denyDevice: (userCode) => device.settle(userCode, null, false),
    addUser: (user) => void ctx.users.set(user.username, copyUser(user)),
    close: host.close,
  }
}
