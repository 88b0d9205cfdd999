// Every IPC channel name, in one place. No dependencies: the preload bundles this file.
// Invoke channels (renderer -> main, answered with a Result) and event channels (main -> renderer).

export const INVOKE = {
  appStatus: 'vault:app-status',
  vaultCreate: 'vault:create',
  vaultUnlock: 'vault:unlock',
  vaultLock: 'vault:lock',
  vaultAddPassphrase: 'vault:add-passphrase',
  vaultAddOsProtection: 'vault:add-os-protection',
  vaultRemoveSlot: 'vault:remove-slot',
  vaultChangePassphrase: 'vault:change-passphrase',
  vaultDeleteUnreadableCopy: 'vault:delete-unreadable-copy',
  demoStart: 'vault:demo-start',
  snapshot: 'vault:snapshot',
  providersList: 'vault:providers-list',
  providersImport: 'vault:providers-import',
  providersRemove: 'vault:providers-remove',
  accountsAdd: 'vault:accounts-add',
  accountsUpdate: 'vault:accounts-update',
  accountsRemove: 'vault:accounts-remove',
  accountsSignup: 'vault:accounts-signup',
  accountsKeepReady: 'vault:accounts-keep-ready',
  tokensLogin: 'vault:tokens-login',
  tokensRevoke: 'vault:tokens-revoke',
  tokensRevokeOldest: 'vault:tokens-revoke-oldest',
  tokensRevokeOrganization: 'vault:tokens-revoke-organization',
  tokensDismissUncertain: 'vault:tokens-dismiss-uncertain',
  tokensCheck: 'vault:tokens-check',
  copyHeader: 'vault:copy-header',
  settingsGet: 'vault:settings-get',
  settingsUpdate: 'vault:settings-update',
  eventsList: 'vault:events-list',
  agentPending: 'vault:agent-pending',
  agentDecide: 'vault:agent-decide',
  agentSessions: 'vault:agent-sessions',
  agentRevokeSession: 'vault:agent-revoke-session',
  gatewayStatus: 'vault:gateway-status',
  gatewayCopyUrl: 'vault:gateway-copy-url',
  gatewayCopyAccessToken: 'vault:gateway-copy-access-token',
  gatewayNewAccessToken: 'vault:gateway-new-access-token',
  cliCommandStatus: 'vault:cli-command-status',
  cliCommandInstall: 'vault:cli-command-install',
  cliCommandRemove: 'vault:cli-command-remove',
  ledgerStatus: 'vault:ledger-status',
  ledgerConnect: 'vault:ledger-connect',
  ledgerDisconnect: 'vault:ledger-disconnect',
  loginsList: 'vault:logins-list',
  loginsCancel: 'vault:logins-cancel',
  loginsOpen: 'vault:logins-open',
  loginsCopyCode: 'vault:logins-copy-code',
} as const

export const EVENTS = {
  /** Something changed (accounts, tokens, lock state, settings): fetch a new snapshot. */
  stateChanged: 'vault:state-changed',
  /** The global shortcut or tray asked for the search box. */
  focusSearch: 'vault:focus-search',
  /** The agent has a request waiting for approval, or its approved sessions changed. */
  agentChanged: 'vault:agent-changed',
  /** The app's gateway started, stopped, failed or moved: fetch its status again. */
  gatewayChanged: 'vault:gateway-changed',
  /** The logins waiting for a person in a browser changed: carries every prompt shown now. */
  loginPrompts: 'vault:login-prompts',
} as const

export type InvokeChannel = (typeof INVOKE)[keyof typeof INVOKE]
export type EventChannel = (typeof EVENTS)[keyof typeof EVENTS]

export const INVOKE_CHANNELS: readonly InvokeChannel[] = Object.values(INVOKE)
export const EVENT_CHANNELS: readonly EventChannel[] = Object.values(EVENTS)

/** The preload accepts only channels with this prefix. */
export const CHANNEL_PREFIX = 'vault:'
