// The users each sandbox server knows out of the box (demo mode, tests, `tokendeck sandbox`).
import type { SandboxUser } from './types'

function frozen(users: SandboxUser[]): readonly SandboxUser[] {
  return Object.freeze(
    users.map((u) =>
      Object.freeze({
        ...u,
        ...(u.organizations ? { organizations: Object.freeze([...u.organizations]) } : {}),
        ...(u.scopes ? { scopes: Object.freeze([...u.scopes]) } : {}),
      } as SandboxUser),
    ),
  )
}

/**
 * Default seeded users. Sandbox-only credentials, published on purpose so demo mode can log in.
 * - TPStreams: dev@acme.test / acme-demo-password in organizations acme and globex;
 *   ops@globex.test / globex-demo-password in globex; hari@example.com / welcome in auhf2k
 *   (the docs' example).
 * - xpay: dev@acme.test / xpay-demo-secret-key with scopes [tme_user];
 *   admin@acme.test / xpay-admin-secret-key with scopes [tme_admin].
 * - Classic: admin / hunter2 (the docs' example); demo / classic-demo-password.
 * - OAuth-style JWT API: dev@acme.test / oauth-demo-password; otp@acme.test /
 *   oauth-otp-password with the TOTP seed JBSWY3DPEHPK3PXP (base32; RFC 6238 HMAC-SHA1, 6 digits,
 *   30 s steps, T0 = 0: any authenticator app, or `oathtool --totp -b JBSWY3DPEHPK3PXP`), who
 *   logs in only with a one-time code (`POST /api/login-otp`, or the code field of the consent
 *   and device pages).
 */
export const DEMO_USERS: {
  readonly tpstreams: readonly SandboxUser[]
  readonly xpay: readonly SandboxUser[]
  readonly classic: readonly SandboxUser[]
  readonly oauth: readonly SandboxUser[]
} = Object.freeze({
  tpstreams: frozen([
    { username: 'dev@acme.test', secret: 'acme-demo-password', organizations: ['acme', 'globex'] },
    { username: 'ops@globex.test', secret: 'globex-demo-password', organizations: ['globex'] },
    { username: 'hari@example.com', secret: 'welcome', organizations: ['auhf2k'] },
  ]),
  xpay: frozen([
    { username: 'dev@acme.test', secret: 'xpay-demo-secret-key', scopes: ['tme_user'] },
    { username: 'admin@acme.test', secret: 'xpay-admin-secret-key', scopes: ['tme_admin'] },
  ]),
  classic: frozen([
    { username: 'admin', secret: 'hunter2' },
    { username: 'demo', secret: 'classic-demo-password' },
  ]),
  oauth: frozen([
    { username: 'dev@acme.test', secret: 'oauth-demo-password' },
    { username: 'otp@acme.test', secret: 'oauth-otp-password', totpSeed: 'JBSWY3DPEHPK3PXP' },
  ]),
})

/** A private, mutable copy of a user list, keyed by username. */
export function userMap(users: readonly SandboxUser[]): Map<string, SandboxUser> {
  return new Map(users.map((u) => [u.username, copyUser(u)]))
}

/** A deep copy so callers cannot change a server's users behind its back. */
export function copyUser(u: SandboxUser): SandboxUser {
  return {
    username: u.username,
    secret: u.secret,
    ...(u.organizations ? { organizations: [...u.organizations] } : {}),
    ...(u.scopes ? { scopes: [...u.scopes] } : {}),
    ...(u.totpSeed ? { totpSeed: u.totpSeed } : {}),
  }
}
