// Event-log actions for surfaces that record who asked for something the core did not log
// itself (the agent's reads and refusals): one entry, never a token. Locked: nothing is written.
import type { EventInput } from '../vault/vault'
import type { ActionDeps } from './context'

export function eventActions(deps: ActionDeps) {
  /** Appends one entry to the open vault's event log; false while the vault is locked. */
  function log(entry: EventInput): boolean {
    const { vault } = deps.services()
    if (!vault.unlocked) return false
    vault.log(entry)
    return true
  }

  return { log }
}

export type EventActions = ReturnType<typeof eventActions>
