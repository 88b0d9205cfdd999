// The core: every operation a user can ask for, once, grouped by area. The window's IPC
// handlers, the tray and the CLI parse their input, call one of these, and format the result;
// none of them reaches the vault services directly (ESLint's tokendeck/architecture rule checks
// it). This file is the core's public face: what a surface may import from the core lives here
// (values) or in the action modules' types. docs/architecture.md maps each action to its file
// and the surfaces that call it.
import { accountActions } from './accounts'
import type { ActionDeps } from './context'
import { demoActions } from './demo'
import { eventActions } from './events'
import { gatewayActions } from './gateway'
import { ledgerActions } from './ledger'
import { loginActions } from './logins'
import { protectionActions } from './protection'
import { providerActions } from './providers'
import { renewalActions } from './renewal'
import { routeActions } from './routes'
import { settingsActions } from './settings'
import { tokenActions } from './tokens'
import { viewActions } from './views'

function coreActions(deps: ActionDeps) {
  return {
    accounts: accountActions(deps),
    tokens: tokenActions(deps),
    protection: protectionActions(deps),
    providers: providerActions(deps),
    routes: routeActions(deps),
    settings: settingsActions(deps),
    views: viewActions(deps),
    gateway: gatewayActions(deps),
    renewal: renewalActions(deps),
    events: eventActions(deps),
    ledger: ledgerActions(deps),
    logins: loginActions(deps),
  }
}

export type CoreActions = ReturnType<typeof coreActions>

/** Every action over the services `deps` names; built once per process (composition.ts). */
export function createActions(deps: ActionDeps) {
  const core = coreActions(deps)
  return { ...core, demo: demoActions(deps, core) }
}

export type Actions = ReturnType<typeof createActions>
export type { ActionDeps, HeaderCopier } from './context'
export type { EventInput, UnlockConsent } from '../vault/vault'
export { describePolicy } from './gateway'
export { providerView } from './providers'
