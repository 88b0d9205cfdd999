// `tokendeck gateway` (the header-injecting local reverse proxy, over the agent when one serves
// the vault, else over the vault opened once) and `tokendeck gateway policy` (what it lets
// through for an account). The proxy itself is src/main/gateway; this file parses and prints.
import { randomBytes } from 'node:crypto'
import { fail, ok, type Result } from '../../shared/result'
import { describePolicy } from '../actions/gateway'
import type { GatewayHeader, GatewaySource, GatewayTarget } from '../gateway/types'
import { list, str, type Ctx } from './context'
import { columns } from './format'
import { EXIT, print, printJson, report, usage } from './io'
import { askAgentFor } from './via-agent'

const COMMAND = 'tokendeck gateway'

/** The gateway's source over the agent: undefined when no agent answers for this vault. */
async function agentSource(ctx: Ctx, labels: string[]): Promise<Result<GatewaySource> | undefined> {
  // A real request, not a ping: a locked agent or a denied session is said here, once.
  const probe = await askAgentFor(ctx, { op: 'targets', labels }, COMMAND)
  if (!probe) return undefined
  if (!probe.ok) return probe
  const gone = fail(
    'AGENT_UNAVAILABLE',
    'The agent stopped: start it again (tokendeck agent start), then retry.',
  )
  const ask = async <T>(what: Parameters<typeof askAgentFor>[1]): Promise<Result<T>> =>
    ((await askAgentFor(ctx, what, COMMAND)) ?? gone) as Result<T>
  return ok({
    targets: () => ask<GatewayTarget[]>({ op: 'targets', labels }),
    header: (label) => ask<GatewayHeader>({ op: 'header', label }),
    reject: (label, tokenId) => ask({ op: 'reject', label, tokenId }),
    record: (entries) => ask({ op: 'record', entries }),
  })
}

/** The source over this process's own opening of the vault. */
async function vaultSource(ctx: Ctx, labels: string[]): Promise<Result<GatewaySource>> {
  const { unlockedVault } = await import('./context')
  const { actionsSource } = await import('../gateway/sources')
  const v = await unlockedVault(ctx)
  if (!v.ok) return v
  return ok(actionsSource(() => v.value.actions, labels))
}

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
  const chosen = (await agentSource(ctx, labels)) ?? (await vaultSource(ctx, labels))
  if (!chosen.ok) return report(chosen, ctx)
  const source = chosen.value
  const targets = await source.targets()
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
  if (any && ctx.flags.clear === true) {
    return report(usage('Give --clear alone, or the lists that make the new policy.'), ctx)
  }
  const set = any || ctx.flags.clear === true ? given : undefined
  const viaAgent = await askAgentFor(
    ctx,
    { op: 'policy', label, ...(set ? { set } : {}) },
    'tokendeck gateway policy',
  )
  if (viaAgent)
    return viaAgent.ok ? printPolicy(ctx, viaAgent.value as GatewayTarget) : report(viaAgent, ctx)
  const { unlockedVault } = await import('./context')
  const v = await unlockedVault(ctx)
  if (!v.ok) return report(v, ctx)
  const g = v.value.actions.gateway
  if (set) {
    const r = await g.setPolicy(label, set, 'cli')
    return r.ok ? printPolicy(ctx, r.value) : report(r, ctx)
  }
  const t = g.targets([label])
  return t.ok ? printPolicy(ctx, t.value[0]!) : report(t, ctx)
}
