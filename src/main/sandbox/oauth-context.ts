// What the OAuth sandbox's endpoint modules share: clock, token store, clients, users, the TOTP
// checker, and the one check of a user's password (and one-time code when the user has a seed).
import { secretEquals } from './http-util'
import type { OauthClient } from './oauth-clients'
import type { TokenStore } from './oauth-tokens'
import { otpRefusalText } from './totp-check'
import type { TotpChecker } from './totp-check'
import type { SandboxClock, SandboxUser } from './types'

/** The state of one OAuth sandbox, handed to each endpoint module. */
export interface OauthContext {
  clock: SandboxClock
  store: TokenStore
  clients: Map<string, OauthClient>
  users: Map<string, SandboxUser>
  totp: TotpChecker
  /** The sandbox's origin (known once it listens). */
  baseUrl(): string
}

/**
 * Checks a user's credentials. A user with a TOTP seed also needs `otp` (checked, and its step
 * used up, only after the password matched); the answer says in words why a login failed.
 */
export function checkUserLogin(
  ctx: OauthContext,
  username: string | undefined,
  password: string | undefined,
  otp: string | undefined,
): { ok: true; user: SandboxUser } | { ok: false; why: string } {
  if (!username || !password) return { ok: false, why: 'username and password are required' }
  const user = ctx.users.get(username)
  if (!user || !secretEquals(password, user.secret)) {
    return { ok: false, why: 'invalid username or password' }
  }
  if (user.totpSeed === undefined) return { ok: true, user }
  if (!otp) return { ok: false, why: 'this user needs a one-time code (otp)' }
  const checked = ctx.totp.check(user.username, user.totpSeed, otp)
  return checked.ok ? { ok: true, user } : { ok: false, why: otpRefusalText(checked.why) }
}
