// The IPC handler table: one plain async function per invoke channel. Each parses its payload
// against the contract (a malformed payload is VALIDATION_FAILED, never a crash), calls one
// action of the core, and returns a Result holding views only. register.main.ts wires it to
// ipcMain; the e2e harness calls the very same table.
import type { z } from 'zod'
import { INVOKE, type InvokeChannel } from '../../shared/ipc/channels'
import { CONTRACT, type RequestOf, type ResponseOf } from '../../shared/ipc/schemas'
import { formatIssues } from '../../shared/providers/profile'
import { fail, ok, type Result } from '../../shared/result'
import type { AgentApprovals } from '../agent/approvals'
import type { AppSession } from '../app-core'
import type { AppGateway } from '../app-gateway'
import type { CliInstallActions } from '../actions/cli-install'
import type { LoginPages } from '../login-pages'

export type Handler = (payload: unknown) => Promise<Result<unknown>>
export type HandlerTable = Record<InvokeChannel, Handler>

type Impl<C extends InvokeChannel> = (
  req: RequestOf<C> & z.infer<(typeof CONTRACT)[C]['request']>,
) => Promise<Result<ResponseOf<C>>> | Result<ResponseOf<C>>

/** The app's services beside the core that the window talks to; absent where not running. */
export interface AppServices {
  /** The app agent's approvals. */
  agent?: AgentApprovals | null
  /** The app's gateway. */
  gateway?: AppGateway | null
  /** Installs the `tokendeck` command (Settings › Command line). */
  cliCommand?: CliInstallActions | null
  /** Opens a login prompt's page in the browser and copies its code (login-pages.ts). */
  loginPages?: Pick<LoginPages, 'open' | 'copyCode'> | null
}

/** Builds the table over the app core. `log` receives one-line tags, never values. */
export function createHandlers(
  core: AppSession,
  log: (line: string) => void = () => {},
  services: AppServices = {},
): HandlerTable {
  const { accounts, tokens, protection, providers, settings, views, ledger } = core.actions
  const agent = services.agent ?? null
  const gateway = services.gateway ?? null
  const unit = <T>(r: Result<T>): Result<null> => (r.ok ? ok(null) : r)
  const noAgent = fail('UNSUPPORTED', 'This TokenDeck serves no agent.')
  const noGateway = fail('UNSUPPORTED', 'This TokenDeck runs no gateway.')
  const cli = services.cliCommand ?? null
  const noCli = fail('UNSUPPORTED', 'This TokenDeck cannot install the tokendeck command.')
  const unlocked = () => protection.isUnlocked()
  const pages = services.loginPages ?? null
  const noPages = fail('UNSUPPORTED', 'This TokenDeck cannot open a browser.')

  const impls: { [C in InvokeChannel]: Impl<C> } = {
    [INVOKE.appStatus]: () => ok(protection.status()),
    [INVOKE.vaultCreate]: (req) => protection.create(req),
    [INVOKE.vaultUnlock]: (req) => protection.unlock(req),
    [INVOKE.vaultLock]: async () => ok(await core.lock()),
    [INVOKE.vaultAddPassphrase]: (req) => protection.addPassphrase(req.proof, req.passphrase),
    [INVOKE.vaultAddOsProtection]: (req) => protection.addOsProtection(req.proof),
    [INVOKE.vaultRemoveSlot]: (req) => protection.removeSlot(req.slotId, req.proof),
    [INVOKE.vaultChangePassphrase]: (req) => protection.changePassphrase(req.proof, req.passphrase),
    [INVOKE.vaultDeleteUnreadableCopy]: (req) => protection.deleteUnreadableCopy(req.name),
    [INVOKE.demoStart]: () => core.startDemo(),

    [INVOKE.snapshot]: () => views.snapshot(),
    [INVOKE.providersList]: () => providers.list({ unlockedOnly: true }),
    [INVOKE.providersImport]: (req) => providers.import(req.text),
    [INVOKE.providersRemove]: async (req) => unit(await providers.remove(req.id)),

    [INVOKE.accountsAdd]: async (req) => {
      const r = await accounts.add(req, 'ui')
      return r.ok ? ok(r.value.account) : r
    },
    [INVOKE.accountsUpdate]: (req) => accounts.edit(req.accountId, req.patch, 'ui'),
    [INVOKE.accountsRemove]: (req) => accounts.remove(req.accountId, req, 'ui'),
    [INVOKE.accountsSignup]: (req) => accounts.signup(req, 'ui'),
    [INVOKE.accountsKeepReady]: (req) =>
      core.actions.renewal.setKeepReady(req.accountId, req.on, 'ui'),

    [INVOKE.tokensLogin]: (req) => tokens.login(req.accountId, req, 'ui'),
    [INVOKE.tokensRevoke]: (req) => tokens.revoke(req.accountId, req, 'ui'),
    [INVOKE.tokensRevokeOldest]: (req) => tokens.revokeOldest(req.orgKey, 'ui'),
    [INVOKE.tokensRevokeOrganization]: (req) => tokens.revokeOrganization(req.orgKey, 'ui'),
    [INVOKE.tokensDismissUncertain]: (req) => tokens.dismissUncertain(req.tokenId, 'ui'),
    [INVOKE.tokensCheck]: (req) => tokens.check(req.accountId, 'ui'),
    [INVOKE.copyHeader]: (req) =>
      tokens.copyHeader(req.accountId, 'ui', req.secrets, { confirmEviction: req.confirmEviction }),

    [INVOKE.settingsGet]: () => settings.get(),
    [INVOKE.settingsUpdate]: (req) => settings.update(req),
    [INVOKE.eventsList]: (req) => views.events(req ?? {}),

    [INVOKE.agentPending]: () => (agent ? ok(agent.pending()) : noAgent),
    [INVOKE.agentDecide]: (req) => {
      if (!agent) return noAgent
      // Only an unlocked window answers: a locked one shows no prompt to answer.
      if (!unlocked()) return fail('VAULT_LOCKED', 'The vault is locked.')
      return agent.decide(req.id, req.allow)
        ? ok(null)
        : fail('NOT_FOUND', 'That request is no longer waiting.')
    },
    [INVOKE.agentSessions]: () => (agent ? ok(agent.approved()) : noAgent),
    [INVOKE.agentRevokeSession]: (req) =>
      !agent
        ? noAgent
        : agent.revoke(req.id)
          ? ok(null)
          : fail('NOT_FOUND', 'No such approved session.'),

    [INVOKE.gatewayStatus]: () => (gateway ? ok(gateway.status()) : noGateway),
    [INVOKE.gatewayCopyUrl]: (req) => (gateway ? gateway.copyUrl(req.accountId) : noGateway),
    [INVOKE.gatewayCopyAccessToken]: () => (gateway ? gateway.copyAccessToken() : noGateway),
    [INVOKE.gatewayNewAccessToken]: () => (gateway ? gateway.newAccessToken() : noGateway),

    [INVOKE.cliCommandStatus]: () => (cli ? cli.status() : noCli),
    [INVOKE.cliCommandInstall]: (req) => (cli ? cli.install(req) : noCli),
    [INVOKE.cliCommandRemove]: () => (cli ? cli.remove() : noCli),

    [INVOKE.ledgerStatus]: () => ledger.status(),
    [INVOKE.ledgerConnect]: (req) =>
      ledger.connect(req.url, req.machineName ? { machineName: req.machineName } : {}),
    [INVOKE.ledgerDisconnect]: () => ledger.disconnect(),

    [INVOKE.loginsList]: () => ok(core.actions.logins.prompts()),
    [INVOKE.loginsCancel]: (req) => core.actions.logins.cancel(req.id),
    [INVOKE.loginsOpen]: (req) => (pages ? pages.open(req.id) : noPages),
    [INVOKE.loginsCopyCode]: (req) => (pages ? pages.copyCode(req.id) : noPages),
  }

  const table = {} as HandlerTable
  for (const channel of Object.keys(impls) as InvokeChannel[]) {
    const schema = CONTRACT[channel].request
    const impl = impls[channel] as (req: unknown) => Promise<Result<unknown>> | Result<unknown>
    table[channel] = async (payload) => {
      const parsed = schema.safeParse(payload)
      if (!parsed.success) {
        log(`ipc: rejected malformed payload on ${channel}`)
        return fail('VALIDATION_FAILED', 'The request was malformed and was ignored.', {
          details: { problems: formatIssues(parsed.error.issues, 5) },
        })
      }
      try {
        protection.touch()
        return await impl(parsed.data)
      } catch (e) {
        // A bug: say so without echoing anything (the error could quote a payload).
        log(`ipc: handler for ${channel} threw ${(e as Error)?.name ?? 'an error'}`)
        return fail('INTERNAL', 'Something went wrong inside TokenDeck; nothing was changed.')
      }
    }
  }
  return table
}
