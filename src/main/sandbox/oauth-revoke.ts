// The OAuth sandbox's token revocation (RFC 7009) and introspection (RFC 7662): a client may end or
// inspect only tokens issued to it; confidential clients authenticate, public ones name themselves.
import { jsonReply } from './http-util'
import type { Reply, SandboxRequest } from './http-util'
import { identifyClient } from './oauth-clients'
import type { CallingClient } from './oauth-clients'
import { bodyOf, oauthError, param } from './oauth-common'
import type { OauthContext } from './oauth-context'

/** The revocation and introspection endpoints over one sandbox's state. */
export function revocation(ctx: OauthContext): {
  revoke(req: SandboxRequest): Reply
  introspect(req: SandboxRequest): Promise<Reply>
} {
  /** The caller and the token, or the error answer. */
  function parse(
    req: SandboxRequest,
  ): { ok: true; caller: CallingClient; token: string } | { ok: false; reply: Reply } {
    const data = bodyOf(req)
    if (!data)
      return { ok: false, reply: oauthError(400, 'invalid_request', 'a form body is required') }
    // Unregistered ids pass as public clients: the password logins take any client_id.
    const who = identifyClient(req.headers, data, ctx.clients, true)
    if (!who.ok) return who
    if (who.caller.clientId === undefined) {
      return { ok: false, reply: oauthError(401, 'invalid_client', 'client_id is required') }
    }
    const token = param(data, 'token')
    if (!token) return { ok: false, reply: oauthError(400, 'invalid_request', 'token is required') }
    return { ok: true, caller: who.caller, token }
  }

  function revoke(req: SandboxRequest): Reply {
    const p = parse(req)
    if (!p.ok) return p.reply
    // token_type_hint only speeds a real server's lookup (RFC 7009 §2.1): both are looked up.
    const grant = ctx.store.refreshGrant(p.token)
    if (grant && grant.clientId === p.caller.clientId) {
      // §2.1: revoking a refresh token ends the access tokens of the same grant too.
      ctx.store.revokeFamily(grant.family)
    }
    const access = ctx.store.accessRecord(p.token)
    if (access && access.clientId === p.caller.clientId) ctx.store.revokeAccess(p.token)
    // §2.2: 200 whether or not the token was known (or another client's: no oracle either).
    return { status: 200, headers: { 'cache-control': 'no-store' } }
  }

  async function introspect(req: SandboxRequest): Promise<Reply> {
    const p = parse(req)
    if (!p.ok) return p.reply
    const inactive = jsonReply(200, { active: false }, { 'cache-control': 'no-store' })
    const access = await ctx.store.verifyAccess(p.token)
    if (access) {
      if (access.clientId !== p.caller.clientId) return inactive
      return jsonReply(
        200,
        {
          active: true,
          token_type: 'access_token',
          scope: access.scope.join(' '),
          client_id: access.clientId,
          sub: access.sub,
          exp: Math.floor(access.expiresAt / 1000),
          iat: Math.floor(access.issuedAt / 1000),
        },
        { 'cache-control': 'no-store' },
      )
    }
    const grant = ctx.store.refreshGrant(p.token)
    if (!ctx.store.grantValid(grant) || grant.clientId !== p.caller.clientId) return inactive
    return jsonReply(
      200,
      {
        active: true,
        token_type: 'refresh_token',
        scope: grant.scope.join(' '),
        client_id: grant.clientId,
        sub: grant.username,
        exp: Math.floor(grant.expiresAt / 1000),
      },
      { 'cache-control': 'no-store' },
    )
  }

  return { revoke, introspect }
}
