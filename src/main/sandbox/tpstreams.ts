// TPStreams emulation: DRF-style JSON login, `Token` auth, a live-token cap per organization.
import { streamingApi } from './api-stream'
import { copyUser, DEMO_USERS, userMap } from './demo-users'
import { startHost } from './host'
import type { Route } from './host'
import { credentialFor, isRecord, jsonReply, mediaTypeOf, parseJson, randomHex } from './http-util'
import { secretEquals } from './http-util'
import type { Reply, SandboxRequest } from './http-util'
import { CRLF_INJECTION } from './faults'
import type { SandboxClock, SandboxServer, SandboxUser } from './types'

/** Options of the TPStreams sandbox. */
export interface TpstreamsSandboxOptions {
  /** Default DEMO_USERS.tpstreams. */
  users?: readonly SandboxUser[]
  /** Live tokens allowed per organization, across all its users; default 20. */
  cap?: number
  /**
   * A login at the cap: `refuse` it (the real TPStreams, the default), or `evict`: mint, and
   * delete the organization's oldest live token (GitHub-style caps; profile `evictOldest`).
   */
  onExceed?: 'refuse' | 'evict'
  /** Unused for expiry (TPStreams tokens never expire); kept for a uniform API. */
  clock?: SandboxClock
}

/** A running TPStreams sandbox; the extras let tests set up state without HTTP. */
export interface TpstreamsSandbox extends SandboxServer {
  readonly name: 'tpstreams'
  readonly cap: number
  /** Mints a token as a successful login would, ignoring the cap (for filling it quickly). */
  mintToken(username: string, organization: string): string
  /** Deletes a token as the logout endpoint would; false when it was not live. */
  revokeToken(token: string): boolean
}

interface TokenRecord {
  username: string
  organization: string
}

const FIELDS = ['username', 'password', 'organization_id'] as const
const INVALID_TOKEN = { detail: 'Invalid token.' }
const BAD_CREDENTIALS = { non_field_errors: ['Unable to log in with provided credentials.'] }

function unauthorized(): Reply {
  return jsonReply(401, INVALID_TOKEN, { 'www-authenticate': 'Token' })
}

/** Starts a TPStreams sandbox on 127.0.0.1 with an OS-chosen port. */
export async function startTpstreamsSandbox(
  opts: TpstreamsSandboxOptions = {},
): Promise<TpstreamsSandbox> {
  const users = userMap(opts.users ?? DEMO_USERS.tpstreams)
  const cap = opts.cap ?? 20
  const tokens = new Map<string, TokenRecord>()

  const liveTokenCount = (org?: string): number => {
    if (org === undefined) return tokens.size
    let n = 0
    for (const t of tokens.values()) if (t.organization === org) n += 1
    return n
  }
  const mint = (username: string, organization: string): string => {
    const token = randomHex(20)
    tokens.set(token, { username, organization })
    return token
  }

  function login(req: SandboxRequest): Reply {
    const mediaType = mediaTypeOf(req.headers)
    if (mediaType !== 'application/json') {
      return jsonReply(415, { detail: `Unsupported media type "${mediaType}" in request.` })
    }
    const data = parseJson(req.body)
    if (data === undefined) {
      return jsonReply(400, { detail: 'JSON parse error - Expecting value: line 1 column 1' })
    }
    if (!isRecord(data)) {
      const got = Array.isArray(data) ? 'list' : data === null ? 'NoneType' : typeof data
      return jsonReply(400, {
        non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`],
      })
    }
    const errors: Record<string, string[]> = {}
    const values: Record<string, string> = {}
    for (const field of FIELDS) {
      const raw = data[field]
      const value = typeof raw === 'number' ? String(raw) : raw
      if (value === undefined || value === null || value === '') {
        errors[field] = ['This field is required.']
      } else if (typeof value !== 'string') {
        errors[field] = ['Not a valid string.']
      } else {
        values[field] = value
      }
    }
    if (Object.keys(errors).length > 0) return jsonReply(400, errors)
    const username = values.username ?? ''
    const organization = values.organization_id ?? ''
    const user = users.get(username)
    const inOrg = user?.organizations === undefined || user.organizations.includes(organization)
    if (!user || !secretEquals(values.password ?? '', user.secret) || !inOrg) {
      return jsonReply(400, BAD_CREDENTIALS)
    }
    if (liveTokenCount(organization) >= cap && opts.onExceed === 'evict') {
      // Map order is insertion order: the first of the organization's tokens is its oldest.
      while (liveTokenCount(organization) >= cap) {
        const oldest = [...tokens].find(([, t]) => t.organization === organization)
        if (!oldest) break
        tokens.delete(oldest[0])
      }
    } else if (liveTokenCount(organization) >= cap) {
      return jsonReply(400, {
        non_field_errors: [
          `Maximum of ${cap} authentication tokens reached for this organization. Delete an existing token and try again.`,
        ],
      })
    }
    return jsonReply(200, { token: mint(username, organization) })
  }

  function logout(req: SandboxRequest): Reply {
    const token = credentialFor(req.headers, 'Token')
    if (token === null || !tokens.delete(token)) return unauthorized()
    return { status: 204 }
  }

  function assets(req: SandboxRequest, params: string[]): Reply {
    const token = credentialFor(req.headers, 'Token')
    const record = token === null ? undefined : tokens.get(token)
    if (!record) return unauthorized()
    if (record.organization !== params[0]) {
      return jsonReply(403, { detail: 'You do not have permission to perform this action.' })
    }
    return jsonReply(200, { count: 0, results: [] })
  }

  const routes: Route[] = [
    { kind: 'login', method: 'POST', pattern: /^\/api\/auth\/login\/$/, handle: login },
    { kind: 'logout', method: 'POST', pattern: /^\/api\/auth\/logout\/$/, handle: logout },
    {
      kind: 'protected',
      method: 'GET',
      pattern: /^\/api\/v1\/([^/]+)\/assets\/$/,
      handle: assets,
    },
  ]
  const host = await startHost({
    routes,
    notFound: () => jsonReply(404, { detail: 'Not found.' }),
    methodNotAllowed: (req) => jsonReply(405, { detail: `Method "${req.method}" not allowed.` }),
    raw: streamingApi((req) => {
      const token = credentialFor(req.headers, 'Token')
      return (token !== null && tokens.get(token)?.organization) || null
    }),
    tooLarge: () => jsonReply(413, { detail: 'Request body too large.' }),
    crlfReply: () => jsonReply(200, { token: randomHex(20) + CRLF_INJECTION }),
    // DRF style: a 400 whose field errors and non_field_errors repeat what was sent.
    echoReply: (echo) =>
      jsonReply(400, {
        ...Object.fromEntries(echo.fields.map((f) => [f, [`Not valid in: ${echo.text}`]])),
        non_field_errors: [`Unable to log in with: ${echo.text}`],
      }),
  })

  return {
    name: 'tpstreams',
    baseUrl: host.baseUrl,
    stats: host.stats,
    cap,
    setFault: host.setFault,
    isTokenValid: (token) => tokens.has(token),
    liveTokenCount,
    addUser: (user) => void users.set(user.username, copyUser(user)),
    mintToken: mint,
    revokeToken: (token) => tokens.delete(token),
    close: host.close,
  }
}
