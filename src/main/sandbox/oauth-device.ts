// The OAuth sandbox's device authorization grant (RFC 8628): device codes and user codes, the
// verification page at /device, approval from the page or the sandbox object, and token polling.
import { randomInt, randomUUID } from 'node:crypto'
import { jsonReply, randomHex } from './http-util'
import type { Reply, SandboxRequest } from './http-util'
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
} from './oauth-common'
import { checkUserLogin } from './oauth-context'
import type { OauthContext } from './oauth-context'

/** Device flow timings. */
export interface DeviceOptions {
  /** Lifetime of device and user codes; default 600 s. */
  expiresInMs?: number
  /** The polling interval first announced; default 5 s. */
  intervalMs?: number
}

interface DeviceGrant {
  deviceCode: string
  userCode: string
  clientId: string
  scope: string[]
  expiresAt: number
  /** Grows by 5 s at each slow_down (RFC 8628 §3.5). */
  intervalMs: number
  lastPollAt: number | null
  status: 'pending' | 'approved' | 'denied' | 'used'
  username: string | null
}

/** RFC 8628 §6.1: 20 consonants, no vowels (no words), 8 characters shown as XXXX-XXXX. */
const USER_CODE_CHARS = 'BCDFGHJKLMNPQRSTVWXZ'

/** A user code as typed: upper case, dashes and spaces dropped. */
function normalizeUserCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, '')
}

/** The endpoints of the device grant over one sandbox's state. */
export function deviceGrant(
  ctx: OauthContext,
  opts: DeviceOptions,
): {
  authorization(req: SandboxRequest): Reply
  page(req: SandboxRequest): Reply
  decide(req: SandboxRequest): Reply
  poll(data: Record<string, unknown>, caller: CallingClient): Promise<Reply>
  /** Approves or denies a pending user code as `username` would; false when none is pending. */
  settle(userCode: string, username: string | null, approve: boolean): boolean
} {
  const expiresInMs = opts.expiresInMs ?? 600_000
  const intervalMs = opts.intervalMs ?? 5_000
  const byDevice = new Map<string, DeviceGrant>()
  const byUser = new Map<string, DeviceGrant>()

  const pendingByUserCode = (text: string): DeviceGrant | undefined => {
    const g = byUser.get(normalizeUserCode(text))
    return g && g.status === 'pending' && ctx.clock.now() < g.expiresAt ? g : undefined
  }

  function authorization(req: SandboxRequest): Reply {
    const data = bodyOf(req)
    if (!data) return oauthError(400, 'invalid_request', 'a form body is required')
    const client = ctx.clients.get(param(data, 'client_id') ?? '')
    if (!client) return oauthError(401, 'invalid_client', 'unknown client')
    if (!client.grants.includes('device_code')) {
      return oauthError(400, 'unauthorized_client', 'this client may not use the device grant')
    }
    const scope = grantScope(param(data, 'scope'), client.scopes, client.defaultScopes)
    if (scope === null)
      return oauthError(400, 'invalid_scope', 'the requested scope is not allowed')
    const fresh = (): string =>
      Array.from({ length: 8 }, () => USER_CODE_CHARS[randomInt(20)]).join('')
    let userCode = fresh()
    while (byUser.has(userCode)) userCode = fresh()
    const grant: DeviceGrant = {
      deviceCode: `dc_${randomHex(24)}`,
      userCode,
      clientId: client.clientId,
      scope,
      expiresAt: ctx.clock.now() + expiresInMs,
      intervalMs,
      lastPollAt: null,
      status: 'pending',
      username: null,
    }
    byDevice.set(grant.deviceCode, grant)
    byUser.set(userCode, grant)
    const shown = `${userCode.slice(0, 4)}-${userCode.slice(4)}`
    const verificationUri = `${ctx.baseUrl()}/device`
    return jsonReply(
      200,
      {
        device_code: grant.deviceCode,
        user_code: shown,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${shown}`,
        expires_in: Math.floor(expiresInMs / 1000),
        interval: Math.ceil(intervalMs / 1000),
      },
      { 'cache-control': 'no-store' },
    )
  }

  function form(userCode: string, status = 200, alert = ''): Reply {
    return htmlPage(
      status,
      'Connect a device',
      [
        '<p>Enter the code your device shows, then sign in to approve or deny it.</p>',
        alert ? `<p role="alert">${escapeHtml(alert)}</p>` : '',
        '<form method="post" action="/device/decision">',
        '<p><label for="user_code">Code</label>',
        `<input id="user_code" name="user_code" autocomplete="off" value="${escapeHtml(userCode)}"></p>`,
        loginFieldsHtml(),
        '<p><button type="submit" name="decision" value="approve">Approve</button>',
        '<button type="submit" name="decision" value="deny">Deny</button></p>',
        '</form>',
      ].join('\n'),
    )
  }

  function page(req: SandboxRequest): Reply {
    return form(req.query.get('user_code') ?? '')
  }

  function decide(req: SandboxRequest): Reply {
    const data = bodyOf(req)
    if (!data) return errorPage(400, 'The form could not be read.')
    const typed = param(data, 'user_code') ?? ''
    const grant = pendingByUserCode(typed)
    if (!grant) return form(typed, 400, 'This code is unknown, expired or already used.')
    const decision = param(data, 'decision')
    if (decision !== 'approve' && decision !== 'deny')
      return form(typed, 400, 'Choose Approve or Deny.')
    const login = checkUserLogin(
      ctx,
      param(data, 'username'),
      param(data, 'password'),
      param(data, 'otp'),
    )
    if (!login.ok) return form(typed, 401, login.why)
    settle(grant.userCode, login.user.username, decision === 'approve')
    const done =
      decision === 'approve' ? 'Device approved: you can close this page.' : 'Device denied.'
    return htmlPage(200, 'Connect a device', `<p role="status">${escapeHtml(done)}</p>`)
  }

  function settle(userCode: string, username: string | null, approve: boolean): boolean {
    const grant = pendingByUserCode(userCode)
    if (!grant) return false
    if (approve) {
      if (username === null || !ctx.users.has(username)) return false
      grant.status = 'approved'
      grant.username = username
    } else grant.status = 'denied'
    return true
  }

  async function poll(data: Record<string, unknown>, caller: CallingClient): Promise<Reply> {
    const deviceCode = param(data, 'device_code')
    if (!deviceCode) return oauthError(400, 'invalid_request', 'device_code is required')
    const grant = byDevice.get(deviceCode)
    if (!grant || grant.clientId !== caller.clientId) {
      return oauthError(400, 'invalid_grant', 'device code is invalid')
    }
    if (grant.status === 'used')
      return oauthError(400, 'invalid_grant', 'device code was already used')
    const now = ctx.clock.now()
    if (now >= grant.expiresAt) return oauthError(400, 'expired_token', 'the device code expired')
    if (grant.status === 'denied') return oauthError(400, 'access_denied', 'the user denied access')
    const last = grant.lastPollAt
    grant.lastPollAt = now
    if (last !== null && now - last < grant.intervalMs) {
      grant.intervalMs += 5_000
      return jsonReply(
        400,
        {
          error: 'slow_down',
          error_description: `polled too fast: wait ${grant.intervalMs / 1000} s between requests`,
          interval: Math.ceil(grant.intervalMs / 1000),
        },
        { 'cache-control': 'no-store' },
      )
    }
    if (grant.status === 'pending') {
      return oauthError(400, 'authorization_pending', 'the user has not answered yet')
    }
    grant.status = 'used'
    const body = await ctx.store.issue({
      sub: grant.username ?? '',
      clientId: grant.clientId,
      scope: grant.scope,
      family: randomUUID(),
      grant: 'device_code',
      withRefresh: true,
    })
    return jsonReply(200, body, { 'cache-control': 'no-store' })
  }

  return { authorization, page, decide, poll, settle }
}
