// `tokendeck sandbox`: runs the four local fake providers until SIGINT/SIGTERM and prints their
// base URLs and demo users (public demo credentials of local fake servers, not real secrets).
import type { Ctx } from './ctx'
import { columns } from './format'
import { EXIT, print, printJson } from './io'

/** Starts the sandbox servers, prints where they are, and closes them on SIGINT or SIGTERM. */
export async function sandbox(ctx: Ctx): Promise<number> {
  // Loaded only here: the other commands never pay for the sandbox servers' code.
  const { startSandbox, DEMO_USERS, DEMO_OAUTH_CLIENTS } = await import('../sandbox')
  const sb = await startSandbox()
  const urls = {
    tpstreams: sb.tpstreams.baseUrl,
    xpay: sb.xpay.baseUrl,
    classic: sb.classic.baseUrl,
    oauth: sb.oauth.baseUrl,
  }
  const oauthClients = DEMO_OAUTH_CLIENTS.map((c) => ({
    clientId: c.clientId,
    ...(c.secret ? { secret: c.secret } : {}),
  }))
  if (ctx.json) printJson({ ...urls, users: DEMO_USERS, oauthClients })
  else {
    const users = Object.entries(DEMO_USERS).flatMap(([provider, list]) =>
      list.map((u) => [
        provider,
        u.username,
        u.secret,
        u.organizations?.join(', ') ?? (u.totpSeed ? `TOTP seed ${u.totpSeed}` : ''),
      ]),
    )
    const lines = [
      'Sandbox providers running on this machine (Ctrl-C to stop):',
      ...columns(
        [
          ['tpstreams', urls.tpstreams, 'protected: GET /api/v1/<org>/assets/'],
          ['xpay', urls.xpay, 'protected: GET /client/profile'],
          ['classic', urls.classic, 'protected: GET /api/me'],
          ['oauth', urls.oauth, 'protected: GET /api/me; OAuth server: docs/sandbox.md'],
        ],
        '  ',
      ),
      '',
      'In another terminal:',
      `  export TP=${urls.tpstreams} XP=${urls.xpay} CL=${urls.classic} OA=${urls.oauth}`,
      "  (oauth has no built-in profile: import one of docs/providers.md's OAuth examples,",
      '   e.g. tests/fixtures/profiles/oauth-device-sandbox.json, or its "Refresh tokens" one)',
      '',
      'Demo users (public demo credentials of these local fake servers, not real secrets):',
      ...columns([['PROVIDER', 'USER', 'SECRET', 'ORGANIZATIONS / TOTP'], ...users], '  '),
      '',
      'OAuth clients of the oauth server (public demo values):',
      ...columns(
        [['CLIENT', 'SECRET'], ...oauthClients.map((c) => [c.clientId, c.secret ?? '(public)'])],
        '  ',
      ),
    ]
    print(lines.join('\n'))
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  await sb.close()
  return EXIT.ok
}
