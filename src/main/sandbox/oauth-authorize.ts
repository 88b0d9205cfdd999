// The OAuth sandbox's authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636 S256 only,
// RFC 8252 loopback redirects): the consent page, its decision, and the code exchange.
import { createHash, randomUUID } from 'node:crypto'
import { randomHex, secretEquals } from './http-util'
import type { Reply, SandboxRequest } from './http-util'
import { redirectAllowed } from './oauth-clients'
import type { CallingClient } from './oauth-clients'
import {
  bodyOf,
  errorPage,
  escapeHtml,
  grantScope,
  htmlPage,
  loginFieldsHtml,
  oauthError,
  param,
  redirectWith,
} from './oauth-common'
import { checkUserLogin } from './oauth-context'
import type { OauthContext } from './oauth-context'
import { jsonReply } from './http-util'

/** How long a code may be exchanged (RFC 6749 §4.1.2 recommends at most ten minutes). */
export const CODE_TTL_MS = 60_000
/** How long a consent page may be answered. */
const PENDING_TTL_MS = 10 * 60_000

interface PendingRequest {
  clientId: string
  redirectUri: string
  scope: string[]
  state: string | undefined
  challenge: string
  expiresAt: number
}

interface IssuedCode {
  clientId: string
  redirectUri: string
  scope: string[]
  challenge: string
  username: string
  expiresAt: number
  used: boolean
  /** The family of the tokens issued from it (revoked if the code is replayed). */
  family: string
}

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/
/** base64url of a SHA-256 digest, no padding. */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/

/** The endpoints of the code grant over one sandbox's state. */
export function codeGrant(ctx: OauthContext): {
  authorize(req: SandboxRequest): Reply
  decide(req: SandboxRequest): Reply
  exchange(data: Record<string, unknown>, caller: CallingClient): Promise<Reply>
} {
  const pending = new Map<string, PendingRequest>()
  const codes = new Map<string, IssuedCode>()

  function consentPage(id: string, p: PendingRequest, status = 200, alert = ''): Reply {
    const scope = p.scope.length > 0 ? p.scope.join(', ') : 'no scope'
    return htmlPage(
      status,
      'Authorize access',
      [
        `<p>The application <strong>${escapeHtml(p.clientId)}</strong> asks for access to your account`,
        `(scope: ${escapeHtml(scope)}).</p>`,
        alert ? `<p role="alert">${escapeHtml(alert)}</p>` : '',
        '<form method="post" action="/oauth/authorize/decision">',
        `<input type="hidden" name="request_id" value="${escapeHtml(id)}">`,
        loginFieldsHtml(),
        '<p><button type="submit" name="decision" value="allow">Allow</button>',
        '<button type="submit" name="decision" value="deny">Deny</button></p>',
        '</form>',
      ].join('\n'),
    )
  }

  function authorize(req: SandboxRequest): Reply {
    const q = req.query
    const clientId = q.get('client_id') ?? ''
    const client = ctx.clients.get(clientId)
    // Until client and redirect URI are known good, errors are pages: never redirect elsewhere.
    if (!client) return errorPage(400, 'Unknown client: this application is not registered.')
    const redirectUri = q.get('redirect_uri') ?? ''
    if (!redirectAllowed(client, redirectUri)) {
      return errorPage(400, 'The redirect URI is not registered for this application.')
    }
    const state = q.get('state') ?? undefined
    const fail = (error: string, description: string): Reply =>
      redirectWith(redirectUri, { error, error_description: description, state })
    if (q.get('response_type') !== 'code') {
      return fail('unsupported_response_type', 'only response_type=code is served')
    }
    if (!client.grants.includes('authorization_code')) {
      return fail('unauthorized_client', 'this client may not use the authorization code grant')
    }
    const challenge = q.get('code_challenge') ?? ''
    if (q.get('code_challenge_method') !== 'S256') {
      return fail('invalid_request', 'PKCE is required with code_challenge_method=S256')
    }
    if (!CHALLENGE.test(challenge)) {
      return fail('invalid_request', 'code_challenge must be 43 base64url characters (S256)')
    }
    const scope = grantScope(q.get('scope') ?? undefined, client.scopes, client.defaultScopes)
    if (scope === null) return fail('invalid_scope', 'the requested scope is not allowed')
    const id = randomHex(16)
    const p = {
      clientId,
      redirectUri,
      scope,
      state,
      challenge,
      expiresAt: ctx.clock.now() + PENDING_TTL_MS,
    }
    pending.set(id, p)
    return consentPage(id, p)
  }

  function decide(req: SandboxRequest): Reply {
    const data = bodyOf(req)
    if (!data) return errorPage(400, 'The form could not be read.')
    const id = param(data, 'request_id') ?? ''
    const p = pending.get(id)
    if (!p || ctx.clock.now() >= p.expiresAt) {
      pending.delete(id)
      return errorPage(
        400,
        'This request expired or was already answered: start again from the application.',
      )
    }
    const decision = param(data, 'decision')
    if (decision === 'deny') {
      pending.delete(id)
      return redirectWith(p.redirectUri, {
        error: 'access_denied',
        error_description: 'the user denied access',
        state: p.state,
      })
    }
    if (decision !== 'allow') return errorPage(400, 'Choose Allow or Deny.')
    const login = checkUserLogin(
      ctx,
      param(data, 'username'),
      param(data, 'password'),
      param(data, 'otp'),
    )
    if (!login.ok) return consentPage(id, p, 401, login.why)
    pending.delete(id)
    const code = `ac_${randomHex(24)}`
    codes.set(code, {
      clientId: p.clientId,
      redirectUri: p.redirectUri,
      scope: p.scope,
      challenge: p.challenge,
      username: login.user.username,
      expiresAt: ctx.clock.now() + CODE_TTL_MS,
      used: false,
      family: randomUUID(),
    })
    return redirectWith(p.redirectUri, { code, state: p.state })
  }

  async function exchange(data: Record<string, unknown>, caller: CallingClient): Promise<Reply> {
    const code = param(data, 'code')
    const redirectUri = param(data, 'redirect_uri')
    const verifier = param(data, 'code_verifier')
    if (!code || !redirectUri)
      return oauthError(400, 'invalid_request', 'code and redirect_uri are required')
    if (!verifier || !VERIFIER.test(verifier)) {
      return oauthError(
        400,
        'invalid_request',
        'code_verifier must be 43 to 128 unreserved characters',
      )
    }
    const record = codes.get(code)
    if (!record) return oauthError(400, 'invalid_grant', 'authorization code is invalid')
    if (record.clientId !== caller.clientId) {
      return oauthError(400, 'invalid_grant', 'authorization code was issued to another client')
    }
    if (record.used) {
      // RFC 6749 §4.1.2: a replayed code may be stolen; what it was exchanged for ends too.
      ctx.store.revokeFamily(record.family)
      return oauthError(
        400,
        'invalid_grant',
        'authorization code was already used: the tokens issued from it are revoked',
      )
    }
    // One presentation only, whatever its outcome: a guessed verifier gets a single try.
    record.used = true
    if (ctx.clock.now() >= record.expiresAt) {
      return oauthError(400, 'invalid_grant', 'authorization code expired')
    }
    if (redirectUri !== record.redirectUri) {
      return oauthError(
        400,
        'invalid_grant',
        'redirect_uri does not match the authorization request',
      )
    }
    const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url')
    if (!secretEquals(computed, record.challenge)) {
      return oauthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge')
    }
    const body = await ctx.store.issue({
      sub: record.username,
      clientId: record.clientId,
      scope: record.scope,
      family: record.family,
      grant: 'authorization_code',
      withRefresh: true,
    })
    return jsonReply(200, body, { 'cache-control': 'no-store' })
  }

  return { authorize, decide, exchange }
}
