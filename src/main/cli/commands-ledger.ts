// `tokendeck ledger connect | status | disconnect`: the shared ledger that counts an
// organization's token cap across machines and teammates (docs/team.md). Through the agent when
// one runs, else the vault opened here; a URL with a password comes on stdin, never in argv.
import type { LedgerStatusView } from '../../shared/views'
import { elsewhereText, holderTokens } from '../../shared/ledger-words'
import { bool, str, type Ctx } from './ctx'
import { withConnection } from './connection'
import { EXIT, print, printJson, report, usage } from './io'

/** A URL given on the command line that holds a password: refused, nothing stored. */
function passwordInArgv(url: string): boolean {
  try {
    return new URL(url).password !== ''
  } catch {
    return false
  }
}

/** `tokendeck ledger connect URL | --url-stdin [--name NAME]` */
export function ledgerConnect(ctx: Ctx): Promise<number> {
  const given = ctx.args[0]
  const fromStdin = bool(ctx, 'url-stdin')
  if (given !== undefined && fromStdin)
    return Promise.resolve(report(usage('Give the URL or --url-stdin, not both.'), ctx))
  if (given === undefined && !fromStdin)
    return Promise.resolve(
      report(usage('Give the postgres:// URL, or --url-stdin to read it from stdin.'), ctx),
    )
  if (given !== undefined && passwordInArgv(given))
    return Promise.resolve(
      report(
        usage(
          'That URL holds a password, and a command line is seen by other processes (ps) and kept in shell history; nothing was stored. Pass it on stdin instead: tokendeck ledger connect --url-stdin (then type or pipe the URL), or leave it out of the URL and keep it in ~/.pgpass (docs/team.md).',
        ),
        ctx,
      ),
    )
  return withConnection(ctx, 'tokendeck ledger connect', async (c) => {
    // The passphrase (if the vault is opened here) comes first on stdin, the URL after it.
    const reached = await c.client.routes({})
    if (!reached.ok) return report(reached, ctx)
    let url = given
    if (url === undefined) {
      const line = await c.stdin.read(['Ledger URL'])
      if (!line.ok) return report(line, ctx)
      url = line.value[0]!
    }
    const name = str(ctx, 'name')
    const r = await c.client.ledgerConnect({ url, ...(name ? { machineName: name } : {}) })
    if (!r.ok) return report(r, ctx)
    if (ctx.json) printJson(r.value)
    else {
      print(`Connected to the shared ledger at ${r.value.url} as "${r.value.machineName}".`)
      printStatus(r.value)
    }
    return EXIT.ok
  })
}

/** `tokendeck ledger status` */
export function ledgerStatus(ctx: Ctx): Promise<number> {
  return withConnection(ctx, 'tokendeck ledger status', async (c) => {
    const r = await c.client.ledgerStatus({})
    if (!r.ok) return report(r, ctx)
    if (ctx.json) printJson(r.value)
    else printStatus(r.value, true)
    return r.value.state === 'offline' ? EXIT.ledger : EXIT.ok
  })
}

/** `tokendeck ledger disconnect` */
export function ledgerDisconnect(ctx: Ctx): Promise<number> {
  return withConnection(ctx, 'tokendeck ledger disconnect', async (c) => {
    const r = await c.client.ledgerDisconnect({})
    if (!r.ok) return report(r, ctx)
    if (ctx.json) printJson(r.value)
    else if (r.value.url === null) print('The vault has no shared ledger; nothing to do.')
    else
      print(
        `Disconnected from ${r.value.url}. The tokens this machine holds there stay counted until they expire; caps are counted on this machine alone again.`,
      )
    return EXIT.ok
  })
}

/** `tokendeck ledger ask-revoke MACHINE [--org ORG]` */
export function ledgerAskRevoke(ctx: Ctx): Promise<number> {
  const machineName = ctx.args[0]!
  const org = str(ctx, 'org')
  return withConnection(ctx, 'tokendeck ledger ask-revoke', async (c) => {
    const r = await c.client.ledgerAskRevoke({
      machineName,
      ...(org ? { organizationId: org } : {}),
    })
    if (!r.ok) return report(r, ctx)
    if (ctx.json) printJson(r.value)
    else
      print(
        `Asked ${r.value.machineName} to revoke its oldest token in ${r.value.organizationId}; it does so when its app or agent next follows the ledger (within a second while one runs).`,
      )
    return EXIT.ok
  })
}

function printStatus(s: LedgerStatusView, header = false): void {
  if (s.backend === 'local') {
    print(
      'Backend: local (this vault alone counts its caps). Share them with tokendeck ledger connect URL.',
    )
    return
  }
  if (header) {
    print(`Backend: PostgreSQL at ${s.url ?? '?'}`)
    print(`This machine: ${s.machineName}`)
  }
  if (s.state === 'offline') {
    print(`Offline: ${s.problem ?? 'the ledger cannot be reached.'}`)
    print('Valid tokens are still used; no new token is minted in a shared organization.')
    return
  }
  if (s.organizations.length === 0) {
    print('No shared organization yet: accounts with a per-organization cap are shared.')
    return
  }
  for (const o of s.organizations) {
    const uncertain = o.uncertain ? ` (${o.uncertain} uncertain)` : ''
    print(
      `${o.providerId} ${o.organizationId} (${o.baseUrl}): ${o.used}/${o.max}${uncertain} · ${o.here} here, ${elsewhereText(o.elsewhere)}`,
    )
    for (const h of o.holders)
      print(`  ${h.name}${h.thisMachine ? ' (this machine)' : ''}: ${holderTokens(h)}`)
  }
}
