// The OAuth sandbox's registered clients, their redirect URI rules (exact, or any port on loopback
// per RFC 8252 §7.3) and client authentication (RFC 6749 §2.3.1: HTTP Basic or form secret).
import type { IncomingHttpHeaders } from 'node:http'
import { credentialFor, secretEquals } from './http-util'
import type { Reply } from './http-util'
import { oauthError, param } from './oauth-common'

/** The grants a client may use at the token endpoint. */
export type ClientGrant = 'authorization_code' | 'device_code' | 'client_credentials'

/** A registered client. */
export interface OauthClient {
  clientId: string
  /** Confidential clients only: they must authenticate at the token, revoke and introspect endpoints. */
  secret?: string
  /** Redirect URIs accepted as exact strings. */
  redirectUris: string[]
  /** Any `http://127.0.0.1:<port>/<path>` or `http://[::1]:<port>/<path>` (RFC 8252 §7.3). */
  loopbackRedirects: boolean
  grants: ClientGrant[]
  /** Scopes it may ask for. */
  scopes: string[]
  /** Granted when a request names no scope. */
  defaultScopes: string[]
}

/**
 * The clients of a sandbox out of the box (sandbox-only secrets, published on purpose):
 * - `tokendeck-cli`: public (no secret, PKCE), loopback redirects on any port, code and device.
 * - `tokendeck-server`: confidential (secret `tokendeck-server-demo-secret`), loopback redirects
 *   and `https://app.tokendeck.test/callback`, code and client credentials.
 * - `tokendeck`: public, the password logins' client (no redirects, no other grant).
 * Scopes `read` and `write`; `read` when none is asked for.
 */
export const DEMO_OAUTH_CLIENTS: readonly OauthClient[] = Object.freeze([
  {
    clientId: 'tokendeck-cli',
    redirectUris: [],
    loopbackRedirects: true,
    grants: ['authorization_code', 'device_code'],
    scopes: ['read', 'write'],
    defaultScopes: ['read'],
  },
  {
    clientId: 'tokendeck-server',
    secret: 'tokendeck-server-demo-secret',
    redirectUris: ['https://app.tokendeck.test/callback'],
    loopbackRedirects: true,
    grants: ['authorization_code', 'client_credentials'],
    scopes: ['read', 'write'],
    defaultScopes: ['read'],
  },
  {
    clientId: 'tokendeck',
    redirectUris: [],
    loopbackRedirects: false,
    grants: [],
    scopes: ['read', 'write'],
    defaultScopes: ['read'],
  },
])

/** A private copy of a client list, keyed by client id. */
export function clientMap(clients: readonly OauthClient[]): Map<string, OauthClient> {
  return new Map(
    clients.map((c) => [
      c.clientId,
      {
        ...c,
        redirectUris: [...c.redirectUris],
        grants: [...c.grants],
        scopes: [...c.scopes],
        defaultScopes: [...c.defaultScopes],
      },
    ]),
  )
}

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(:\d{1,5})?\//

/** Whether `uri` is a redirect URI registered for `client` (no fragment, no user info). */
export function redirectAllowed(client: OauthClient, uri: string): boolean {
  if (client.redirectUris.includes(uri)) return true
  if (!client.loopbackRedirects || !LOOPBACK.test(uri)) return false
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return false
  }
  // The literal host the rule allows, not one that only parses to it (`127.1`, `0x7f.0.0.1`).
  const host = url.hostname === '127.0.0.1' || url.hostname === '[::1]'
  return host && url.hash === '' && !uri.includes('#') && url.username === '' && url.password === ''
}

/** Who is calling: a registered client (authenticated or public), or an unregistered id. */
export interface CallingClient {
  /** Undefined when the request named no client at all. */
  clientId: string | undefined
  client: OauthClient | undefined
  /** A confidential client proved its secret. */
  authenticated: boolean
}

const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="tokendeck-sandbox", charset="UTF-8"' }

/** `client_id:client_secret` of a Basic header, each form-decoded (RFC 6749 §2.3.1); null if bad. */
function basicCredentials(headers: IncomingHttpHeaders): [string, string] | null {
  const cred = credentialFor(headers, 'Basic')
  if (cred === null) return null
  const text = Buffer.from(cred, 'base64').toString('utf8')
  const colon = text.indexOf(':')
  if (colon <= 0) return null
  try {
    const dec = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '))
    return [dec(text.slice(0, colon)), dec(text.slice(colon + 1))]
  } catch {
    return null
  }
}

/**
 * Identifies the calling client. A confidential client must authenticate (Basic or form
 * `client_secret`, not both); a public one names itself with `client_id`. `allowUnregistered`
 * lets an unknown `client_id` through (the password logins take any), else it is `invalid_client`.
 */
export function identifyClient(
  headers: IncomingHttpHeaders,
  data: Record<string, unknown>,
  clients: ReadonlyMap<string, OauthClient>,
  allowUnregistered = false,
): { ok: true; caller: CallingClient } | { ok: false; reply: Reply } {
  const bodyId = param(data, 'client_id')
  const bodySecret = param(data, 'client_secret')
  if (headers.authorization !== undefined && /^\s*basic\s/i.test(headers.authorization)) {
    const basic = basicCredentials(headers)
    if (basic === null) {
      return {
        ok: false,
        reply: oauthError(401, 'invalid_client', 'malformed Basic credentials', BASIC_CHALLENGE),
      }
    }
    if (bodySecret !== undefined) {
      return {
        ok: false,
        reply: oauthError(400, 'invalid_request', 'use one client authentication method, not two'),
      }
    }
    if (bodyId !== undefined && bodyId !== basic[0]) {
      return {
        ok: false,
        reply: oauthError(400, 'invalid_request', 'client_id differs from the Basic credentials'),
      }
    }
    const client = clients.get(basic[0])
    if (!client?.secret || !secretEquals(basic[1], client.secret)) {
      return {
        ok: false,
        reply: oauthError(401, 'invalid_client', 'client authentication failed', BASIC_CHALLENGE),
      }
    }
    return { ok: true, caller: { clientId: client.clientId, client, authenticated: true } }
  }
  if (bodySecret !== undefined) {
    const client = bodyId === undefined ? undefined : clients.get(bodyId)
    if (!client?.secret || !secretEquals(bodySecret, client.secret)) {
      return { ok: false, reply: oauthError(401, 'invalid_client', 'client authentication failed') }
    }
    return { ok: true, caller: { clientId: client.clientId, client, authenticated: true } }
  }
  const client = bodyId === undefined ? undefined : clients.get(bodyId)
  if (client?.secret !== undefined) {
    return {
      ok: false,
      reply: oauthError(401, 'invalid_client', 'this client must authenticate', BASIC_CHALLENGE),
    }
  }
  if (client === undefined && !allowUnregistered) {
    const what = bodyId === undefined ? 'client_id is required' : 'unknown client'
    return { ok: false, reply: oauthError(401, 'invalid_client', what) }
  }
  return { ok: true, caller: { clientId: bodyId, client, authenticated: false } }
}
