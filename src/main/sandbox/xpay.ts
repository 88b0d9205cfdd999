// xpay emulation: JSON login returning a success/error envelope and an HS256 JWT with expiresAt.
import { randomBytes, randomUUID } from 'node:crypto'
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose'
import { copyUser, DEMO_USERS, userMap } from './demo-users'
import { CRLF_INJECTION } from './faults'
import { startHost } from './host'
import type { Route } from './host'
import { credentialFor, isRecord, jsonReply, mediaTypeOf, parseJson, randomHex } from './http-util'
import { secretEquals } from './http-util'
import type { Reply, SandboxRequest } from './http-util'
import type { SandboxClock, SandboxServer, SandboxUser } from './types'

/** Options of the xpay sandbox. */
export interface XpaySandboxOptions {
  /** Default DEMO_USERS.xpay. */
  users?: readonly SandboxUser[]
  /** Token lifetime; default one hour. */
  tokenTtlMs?: number
  clock?: SandboxClock
}

/** A running xpay sandbox. There is no revoke: a token lives until it expires. */
export interface XpaySandbox extends SandboxServer {
  readonly name: 'xpay'
  readonly tokenTtlMs: number
}

const DEFAULT_SCOPES = ['tme_user']

/** The docs' error envelope. */
function errorReply(status: number, message: string): Reply {
  return jsonReply(status, {
    error: { message, data: { invalid: true }, tag: randomUUID() },
    uuid: randomUUID(),
  })
}

function successEnvelope(data: unknown, message?: string): unknown {
  return { success: { ...(message ? { message } : {}), data, uuid: randomUUID() } }
}

/** Starts an xpay sandbox on 127.0.0.1 with an OS-chosen port. */
export async function startXpaySandbox(opts: XpaySandboxOptions = {}): Promise<XpaySandbox> {
  const users = userMap(opts.users ?? DEMO_USERS.xpay)
  const tokenTtlMs = opts.tokenTtlMs ?? 3_600_000
  const clock = opts.clock ?? { now: () => Date.now() }
  const key = new Uint8Array(randomBytes(32))
  /** Issued tokens and their expiresAt (epoch ms). */
  const issued = new Map<string, number>()

  const isTokenValid = (token: string): boolean => {
    const expiresAt = issued.get(token)
    return expiresAt !== undefined && clock.now() < expiresAt
  }
  const prune = (): void => {
    const now = clock.now()
    for (const [token, expiresAt] of issued) if (expiresAt <= now) issued.delete(token)
  }

  function loginData(user: SandboxUser, isAPI: boolean, token: string, expiresAt: number): unknown {
    const scopes = user.scopes ?? DEFAULT_SCOPES
    return {
      success: true,
      expiresAt,
      user: { username: user.username, scopes: [...scopes], isAPI },
      ticket: randomHex(16),
      access_token: token,
    }
  }

  async function authenticate(req: SandboxRequest): Promise<Reply> {
    if (mediaTypeOf(req.headers) !== 'application/json') {
      return errorReply(415, 'content-type must be application/json')
    }
    const data = parseJson(req.body)
    if (!isRecord(data)) return errorReply(400, 'invalid JSON body')
    const { username, secretKey } = data
    if (typeof username !== 'string' || typeof secretKey !== 'string' || !username || !secretKey) {
      return errorReply(400, 'username and secretKey are required')
    }
    const user = users.get(username)
    if (!user || !secretEquals(secretKey, user.secret)) {
      return errorReply(401, 'invalid credentials')
    }
    const isAPI = data.isAPI === true || data.isAPI === 'true'
    const now = clock.now()
    const expiresAt = now + tokenTtlMs
    const token = await new SignJWT({ scopes: [...(user.scopes ?? DEFAULT_SCOPES)], isAPI })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.username)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .setJti(randomUUID())
      .sign(key)
    prune()
    issued.set(token, expiresAt)
    return jsonReply(
      200,
      successEnvelope(loginData(user, isAPI, token, expiresAt), 'Authenticated'),
    )
  }

  async function profile(req: SandboxRequest): Promise<Reply> {
    const token = credentialFor(req.headers, 'Bearer')
    if (token === null) return errorReply(401, 'invalid token')
    try {
      // Signature check by jose; expiry in milliseconds against expiresAt below, so the
      // one-second tolerance only covers exp being expiresAt rounded down to whole seconds.
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        currentDate: new Date(clock.now()),
        clockTolerance: 1,
      })
      // A verified signature means this server issued it (possibly pruned once expired).
      const expiresAt = issued.get(token) ?? (payload.exp ?? 0) * 1000
      if (clock.now() >= expiresAt) return errorReply(401, 'token expired')
      return jsonReply(200, successEnvelope({ username: payload.sub }))
    } catch (err) {
      return errorReply(
        401,
        err instanceof joseErrors.JWTExpired ? 'token expired' : 'invalid token',
      )
    }
  }

  const routes: Route[] = [
    { kind: 'login', method: 'POST', pattern: /^\/client\/authenticate$/, handle: authenticate },
    { kind: 'protected', method: 'GET', pattern: /^\/client\/profile$/, handle: profile },
  ]
  const host = await startHost({
    routes,
    // The docs' error envelope, its message repeating what was sent.
    echoReply: (echo) => errorReply(400, `invalid request: ${echo.text}`),
    notFound: () => errorReply(404, 'not found'),
    methodNotAllowed: () => errorReply(405, 'method not allowed'),
    tooLarge: () => errorReply(413, 'request body too large'),
    crlfReply: () => {
      const user = { username: 'crlf@xpay.test', secret: '' }
      const token = `eyJhbGciOiJIUzI1NiJ9.${randomHex(8)}${CRLF_INJECTION}`
      const data = loginData(user, true, token, clock.now() + tokenTtlMs)
      return jsonReply(200, successEnvelope(data, 'Authenticated'))
    },
  })

  return {
    name: 'xpay',
    baseUrl: host.baseUrl,
    stats: host.stats,
    tokenTtlMs,
    setFault: host.setFault,
    isTokenValid,
    liveTokenCount: () => {
      prune()
      return issued.size
    },
    addUser: (user) => void users.set(user.username, copyUser(user)),
    close: host.close,
  }
}
