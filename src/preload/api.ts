// The page's API, `window.tokendeck`: intent-level methods only, built over an invoke/subscribe
// pair. The preload passes ipcRenderer-backed functions; the e2e harness passes a binding to the
// same main-process handlers, so the page cannot tell them apart. Every response is parsed
// against the contract before the page sees it; a malformed one becomes an INTERNAL failure.
import { EVENTS, INVOKE } from '../shared/ipc/channels'
import {
  CONTRACT,
  EVENT_SCHEMAS,
  resultSchema,
  type Channel,
  type RequestOf,
  type ResponseOf,
} from '../shared/ipc/schemas'
import type { LoginPromptView } from '../shared/login-prompt'
import type { Result } from '../shared/result'
import type { SettingsPatch } from '../shared/settings'
import type { EventType } from '../shared/views'

/** Who asks for a protection change: the passphrase, or a fresh OS keychain unwrap. */
export type Proof = RequestOf<typeof INVOKE.vaultRemoveSlot>['proof']

export type Invoke = (channel: string, payload: unknown) => Promise<unknown>
export type Subscribe = (channel: string, listener: (payload: unknown) => void) => () => void

export function createApi(invoke: Invoke, subscribe: Subscribe) {
  async function call<C extends Channel>(
    channel: C,
    payload?: RequestOf<C>,
  ): Promise<Result<ResponseOf<C>>> {
    let raw: unknown
    try {
      raw = await invoke(channel, payload)
    } catch {
      return { ok: false, code: 'INTERNAL', message: 'TokenDeck did not answer; try again.' }
    }
    const parsed = resultSchemaFor(channel).safeParse(raw)
    if (!parsed.success) {
      return {
        ok: false,
        code: 'INTERNAL',
        message: 'TokenDeck sent an answer the window does not understand.',
      }
    }
    return parsed.data as Result<ResponseOf<C>>
  }

  return {
    app: {
      status: () => call(INVOKE.appStatus),
      startDemo: () => call(INVOKE.demoStart),
    },
    vault: {
      create: (req: RequestOf<typeof INVOKE.vaultCreate>) => call(INVOKE.vaultCreate, req),
      unlock: (req: RequestOf<typeof INVOKE.vaultUnlock>) => call(INVOKE.vaultUnlock, req),
      lock: () => call(INVOKE.vaultLock),
      addPassphrase: (proof: Proof, passphrase: string) =>
        call(INVOKE.vaultAddPassphrase, { proof, passphrase }),
      addOsProtection: (proof: Proof) => call(INVOKE.vaultAddOsProtection, { proof }),
      removeSlot: (slotId: string, proof: Proof) => call(INVOKE.vaultRemoveSlot, { slotId, proof }),
      changePassphrase: (proof: Proof, passphrase: string) =>
        call(INVOKE.vaultChangePassphrase, { proof, passphrase }),
      deleteUnreadableCopy: (name: string) => call(INVOKE.vaultDeleteUnreadableCopy, { name }),
    },
    accounts: {
      snapshot: () => call(INVOKE.snapshot),
      add: (req: RequestOf<typeof INVOKE.accountsAdd>) => call(INVOKE.accountsAdd, req),
      update: (accountId: string, patch: RequestOf<typeof INVOKE.accountsUpdate>['patch']) =>
        call(INVOKE.accountsUpdate, { accountId, patch }),
      remove: (accountId: string, opts: { revokeFirst?: boolean; force?: boolean } = {}) =>
        call(INVOKE.accountsRemove, { accountId, ...opts }),
      signup: (req: RequestOf<typeof INVOKE.accountsSignup>) => call(INVOKE.accountsSignup, req),
      /** "Keep a valid token ready" on or off for one account. */
      keepReady: (accountId: string, on: boolean) =>
        call(INVOKE.accountsKeepReady, { accountId, on }),
    },
    providers: {
      list: () => call(INVOKE.providersList),
      import: (text: string) => call(INVOKE.providersImport, { text }),
      remove: (id: string) => call(INVOKE.providersRemove, { id }),
    },
    tokens: {
      login: (
        accountId: string,
        opts: { force?: boolean; secrets?: Record<string, string>; confirmEviction?: boolean } = {},
      ) => call(INVOKE.tokensLogin, { accountId, ...opts }),
      revoke: (accountId: string, opts: { tokenId?: string; all?: boolean } = {}) =>
        call(INVOKE.tokensRevoke, { accountId, ...opts }),
      revokeOldest: (orgKey: string) => call(INVOKE.tokensRevokeOldest, { orgKey }),
      revokeOrganization: (orgKey: string) => call(INVOKE.tokensRevokeOrganization, { orgKey }),
      dismissUncertain: (tokenId: string) => call(INVOKE.tokensDismissUncertain, { tokenId }),
      /** Probes the account's live token; a 401/403 marks it rejected (nothing is minted). */
      check: (accountId: string) => call(INVOKE.tokensCheck, { accountId }),
      /** Main copies "<Header>: <Scheme> <token>" to the clipboard; the token never comes here. */
      copyHeader: (
        accountId: string,
        secrets?: Record<string, string>,
        opts: { confirmEviction?: boolean } = {},
      ) =>
        call(INVOKE.copyHeader, {
          accountId,
          ...(secrets ? { secrets } : {}),
          ...(opts.confirmEviction ? { confirmEviction: true } : {}),
        }),
    },
    settings: {
      get: () => call(INVOKE.settingsGet),
      update: (patch: SettingsPatch) => call(INVOKE.settingsUpdate, patch),
    },
    events: {
      list: (opts: { limit?: number; accountId?: string; types?: EventType[] } = {}) =>
        call(INVOKE.eventsList, opts),
    },
    /** The app's agent: requests waiting for approval, and the approved terminal sessions. */
    agent: {
      pending: () => call(INVOKE.agentPending),
      decide: (id: string, allow: boolean) => call(INVOKE.agentDecide, { id, allow }),
      sessions: () => call(INVOKE.agentSessions),
      revokeSession: (id: string) => call(INVOKE.agentRevokeSession, { id }),
      onChanged(listener: () => void): () => void {
        return subscribe(EVENTS.agentChanged, () => listener())
      },
    },
    /**
     * The app's gateway: its status, and copies main makes to the clipboard (an account's gateway
     * URL, the access token: the token never comes here). On and off and the port are settings.
     */
    gateway: {
      status: () => call(INVOKE.gatewayStatus),
      copyUrl: (accountId: string) => call(INVOKE.gatewayCopyUrl, { accountId }),
      copyAccessToken: () => call(INVOKE.gatewayCopyAccessToken),
      newAccessToken: () => call(INVOKE.gatewayNewAccessToken),
      onChanged(listener: () => void): () => void {
        return subscribe(EVENTS.gatewayChanged, () => listener())
      },
    },
    /**
     * The `tokendeck` command (Settings › Command line): a launcher main writes into a PATH
     * folder that runs this app's own CLI. `consent`: the person agreed to a shared folder (macOS).
     */
    cliCommand: {
      status: () => call(INVOKE.cliCommandStatus),
      install: (consent = false) => call(INVOKE.cliCommandInstall, { consent }),
      remove: () => call(INVOKE.cliCommandRemove),
    },
    /**
     * The shared ledger (Settings › Shared ledger): its status, connecting (the URL may hold a
     * password: it goes to main once and never comes back; a blank machine name means the host
     * name) and disconnecting.
     */
    ledger: {
      status: () => call(INVOKE.ledgerStatus),
      connect: (url: string, machineName = '') =>
        call(INVOKE.ledgerConnect, {
          url,
          ...(machineName.trim() ? { machineName: machineName.trim() } : {}),
        }),
      disconnect: () => call(INVOKE.ledgerDisconnect),
    },
    /**
     * Logins waiting for a person in a browser (OAuth device code, browser sign-in): the prompts
     * shown now, and each change as the full list. Main opens a prompt's page and copies its code
     * by the prompt's id: the window never names a URL.
     */
    logins: {
      list: () => call(INVOKE.loginsList),
      cancel: (id: string) => call(INVOKE.loginsCancel, { id }),
      open: (id: string) => call(INVOKE.loginsOpen, { id }),
      copyCode: (id: string) => call(INVOKE.loginsCopyCode, { id }),
      onChanged(listener: (prompts: LoginPromptView[]) => void): () => void {
        return subscribe(EVENTS.loginPrompts, (payload) => {
          const p = EVENT_SCHEMAS[EVENTS.loginPrompts].safeParse(payload)
          if (p.success) listener(p.data)
        })
      },
    },
    /** Called whenever accounts, tokens, lock state or settings change. Returns unsubscribe. */
    onStateChanged(listener: (reason: string) => void): () => void {
      return subscribe(EVENTS.stateChanged, (payload) => {
        const p = EVENT_SCHEMAS[EVENTS.stateChanged].safeParse(payload)
        if (p.success) listener(p.data.reason)
      })
    },
    /** The global shortcut asked for the search box. */
    onFocusSearch(listener: () => void): () => void {
      return subscribe(EVENTS.focusSearch, () => listener())
    },
  }
}

export type TokenDeckApi = ReturnType<typeof createApi>

const resultSchemas = new Map<Channel, ReturnType<typeof resultSchema>>()

function resultSchemaFor(channel: Channel) {
  let s = resultSchemas.get(channel)
  if (!s) {
    s = resultSchema(CONTRACT[channel].response)
    resultSchemas.set(channel, s)
  }
  return s
}
