// `tokendeck gateway` (the header-injecting local reverse proxy, over the agent when one serves
// the vault, else over the vault opened once) and `tokendeck gateway policy` (what it lets
// through for an account). The proxy itself is src/main/gateway; this file parses and prints.
import { randomBytes } from 'node:crypto'
import { fail, ok, type Result } from '../../shared/result'
import { describePolicy } from '../actions/catalog'
import type { GatewayTarget } from '../gateway/types'
import { clientSource } from '../gateway/sources'
import { cliConnection, withConnection } from './connection'
import { bool, list, str, type Ctx } from './ctx'
import { columns } from './format'
import { EXIT, print, printJson, report, usage } from './io'

function parsePort(raw: string | undefined): Result<number> {
  if (raw === undefined) return ok(0)
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    return usage('--port takes a number from 0 (any free port) to 65535.')
  }
  return ok(Number(raw))
}

/** `tokendeck gateway [--port N] [--account L]...` */
export async function gateway(ctx: Ctx): Promise<number> {
  const port = parsePort(str(ctx, 'port'))
  if (!port.ok) return report(port, ctx)
  const fromEnv = ctx.env.TOKENDECK_GATEWAY_TOKEN
  if (fromEnv !== undefined && (fromEnv.length < 16 || /[^\x21-\x7e]/.test(fromEnv))) {
    return report(
      usage('TOKENDECK_GATEWAY_TOKEN must be at least 16 printable characters, no spaces.'),
      ctx,
    )
  }
  const accessToken = fromEnv ?? randomBytes(32).toString('base64url')
  const labels = list(ctx, 'account')
  // The first call decides: the agent's vault (its answer says if it is locked or the session
  // denied, once), else this run opens the vault; the gateway keeps that side while it runs.
  const connection = cliConnection(ctx, 'tokendeck gateway')
  const source = clientSource(connection.client, labels)
  const targets = await source.targets()
  connection.close()
  if (!targets.ok) return report(targets, ctx)
  if (targets.value.length === 0) {
    return report(fail('NOT_FOUND', 'The vault has no account for the gateway to serve.'), ctx)
  }
  const { startGateway } = await import('../gateway/proxy')
  const running = await startGateway({
    source,
    accessToken,
    port: port.value,
    labels,
    log: (line) => process.stderr.write(`tokendeck: ${line}\n`),
  })
  if (!running.ok) return report(running, ctx)
  const gw = running.value
  const rows = targets.value.map((t) => ({
    label: t.label,
    url: gw.urlFor(t.label),
    baseUrl: t.baseUrl,
    policy: describePolicy(t.policy),
  }))
  if (ctx.json) {
    printJson({
      origin: gw.origin,
      port: gw.port,
      accessHeader: 'X-TokenDeck-Gateway',
      ...(fromEnv === undefined ? { accessToken } : {}),
      accounts: rows,
    })
  } else {
    print(
      [
        `TokenDeck gateway on ${gw.origin} (Ctrl-C to stop)`,
        ...columns(
          rows.map((r) => [r.url, '->', r.baseUrl]),
          '  ',
        ),
        '',
        fromEnv === undefined
          ? `Clients send the header  X-TokenDeck-Gateway: ${accessToken}`
          : 'Clients send the header  X-TokenDeck-Gateway: $TOKENDECK_GATEWAY_TOKEN',
      ].join('\n'),
    )
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  await gw.close()
  return EXIT.ok
}

function printPolicy(ctx: Ctx, t: GatewayTarget): number {
  if (ctx.json) printJson(t)
  else print(`${t.label}: ${describePolicy(t.policy)}`)
  return EXIT.ok
}

/** `tokendeck gateway policy L [--method M]... [--path P]... [--origin URL]... | --clear` */
export async function gatewayPolicy(ctx: Ctx): Promise<number> {
  const label = ctx.args[0]!
  const given = {
    origins: list(ctx, 'origin'),
    methods: list(ctx, 'method'),
    paths: list(ctx, 'path'),
  }
  const any = given.origins.length + given.methods.length + given.paths.length > 0
  if (any && bool(ctx, 'clear')) {
    return report(usage('Give --clear alone, or the lists that make the new policy.'), ctx)
  }
  const set = any || bool(ctx, 'clear') ? given : undefined
  return withConnection(ctx, 'tokendeck gateway policy', async (c) => {
    const r = await c.client.policy({ label, ...(set ? { set } : {}) })
    return r.ok ? printPolicy(ctx, r.value) : report(r, ctx)
  })
}
