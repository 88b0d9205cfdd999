// What the vault holds, read: status (accounts and cap usage by organization, with --probe the
// live tokens checked first) and log (the event log, newest first). One client operation each,
// through the agent or the vault opened here (connection.ts), printed the same either way.
import { ok, type Result } from '../../shared/result'
import type { CheckReport } from '../../shared/health'
import { bool, str, type Ctx } from './ctx'
import { withConnection } from './connection'
import { report, usage } from './io'
import { logFilters } from './log-filters'
import { printLog, printStatus } from './output'

/**
 * `tokendeck status [L] [--probe]`: accounts grouped by organization, with cap usage and time
 * left; `--probe` first checks the live tokens (of L, or of every account).
 */
export function status(ctx: Ctx): Promise<number> {
  const label = ctx.args[0]
  return withConnection(ctx, 'tokendeck status', async (c) => {
    let probes: CheckReport[] | undefined
    if (bool(ctx, 'probe')) {
      const checked = await c.client.check(label !== undefined ? { label } : {})
      if (!checked.ok) return report(checked, ctx)
      probes = checked.value
    }
    const data = await c.client.status({})
    return data.ok ? printStatus(ctx, data.value, label, probes) : report(data, ctx)
  })
}

function parseLimit(raw: string | undefined): Result<number> {
  if (raw === undefined) return ok(50)
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n < 1 || n > 5000)
    return usage('--limit takes a number from 1 to 5000.')
  return ok(n)
}

/**
 * `tokendeck log [--limit N] [--account L] [--type T]... [--surface S]...`: the event log, newest
 * first, one line each; only the account, types and surfaces asked for (the newest N of those).
 */
export async function log(ctx: Ctx): Promise<number> {
  const limit = parseLimit(str(ctx, 'limit'))
  if (!limit.ok) return report(limit, ctx)
  const filters = logFilters(ctx)
  if (!filters.ok) return report(filters, ctx)
  const label = str(ctx, 'account')
  return withConnection(ctx, 'tokendeck log', async (c) => {
    const listed = await c.client.log({
      limit: limit.value,
      ...(label !== undefined ? { label } : {}),
      ...filters.value,
    })
    return listed.ok ? printLog(ctx, listed.value) : report(listed, ctx)
  })
}
