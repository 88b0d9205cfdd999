// Shared ledger actions: connect the vault to a PostgreSQL ledger that counts its organizations'
// caps across machines and teammates, read its status, disconnect (docs/team.md).
import { fail, type Result } from '../../shared/result'
import type { LedgerStatusView } from '../../shared/views'
import type { ActionDeps } from './context'

export function ledgerActions(deps: ActionDeps) {
  const s = () => deps.services().sharedLedger
  const notInDemo = (): Result<never> | null =>
    deps.isDemo?.()
      ? fail('UNSUPPORTED', 'The demo vault has no shared ledger: leave demo mode first.')
      : null
  return {
    status: (): Promise<Result<LedgerStatusView>> => s().status(),
    connect: async (url: string, o: { machineName?: string } = {}) =>
      notInDemo() ?? s().connect(url, o),
    disconnect: async () => notInDemo() ?? s().disconnect(),
    /** Asks another machine to revoke its oldest live token in a shared organization. */
    askRevoke: async (machineName: string, orgId?: string) =>
      notInDemo() ?? s().askRevoke(machineName, orgId),
    /** Follows the shared ledger while this process serves (the agent); returns the way to stop. */
    follow: (): (() => void) => s().follow(),
  }
}

export type LedgerActions = ReturnType<typeof ledgerActions>
