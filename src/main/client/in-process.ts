// The client in process: each operation is one call of the core actions (the same the window and
// the tray use), so reuse, single flight and the token cap hold across every surface. The agent
// answers its socket with this client; the CLI uses it when it opens the vault itself; the app's
// gateway uses it directly. "Unlocked? then label -> account" is written here, once.
import { fail, ok, type Result } from '../../shared/result'
import type { AccountView, Surface } from '../../shared/views'
import type { Actions } from '../actions'
import type { AgentPing, Client } from './operations'

export interface InProcessOptions {
  /** The actions while the vault is unlocked; null while it is locked (the app, the agent). */
  actions: () => Actions | null
  /** Which surface the event log names for what this client does. */
  surface: Surface
  /** Said when the vault is locked: how to unlock it where this client runs. */
  lockedMessage: string
  /** What `ping` answers (only an agent is pinged). */
  ping?: () => AgentPing
}

export function inProcessClient(o: InProcessOptions): Client {
  const { surface } = o
  const unlocked = (): Result<Actions> => {
    const a = o.actions()
    return a && a.protection.isUnlocked() ? ok(a) : fail('VAULT_LOCKED', o.lockedMessage)
  }
  /** `use` over the actions, when the vault is unlocked. */
  const withActions = async <T>(
    use: (a: Actions) => Result<T> | Promise<Result<T>>,
  ): Promise<Result<T>> => {
    const a = unlocked()
    return a.ok ? use(a.value) : a
  }
  /** `use` over the actions and the account `label` names, when the vault is unlocked. */
  const withAccount = <T>(
    label: string,
    use: (a: Actions, acc: AccountView) => Result<T> | Promise<Result<T>>,
  ): Promise<Result<T>> =>
    withActions((a) => {
      const acc = a.views.account(label)
      return acc.ok ? use(a, acc.value) : acc
    })
  const issue = (req: {
    label: string
    confirmEviction?: boolean | undefined
    secrets?: Record<string, string> | undefined
  }) =>
    withAccount(req.label, (a, acc) =>
      a.tokens.header(acc.id, surface, req.secrets, {
        confirmEviction: req.confirmEviction === true,
      }),
    )
  const headerOf = (h: {
    label: string
    tokenId: string
    headerName: string
    value: string
    reused: boolean
    expiresAt: number | null
    warning?: string
    evicted?: { label: string; tokenId: string }
  }) => ({
    label: h.label,
    tokenId: h.tokenId,
    headerName: h.headerName,
    value: h.value,
    reused: h.reused,
    expiresAt: h.expiresAt,
    ...(h.warning !== undefined ? { warning: h.warning } : {}),
    ...(h.evicted ? { evicted: h.evicted } : {}),
  })

  return {
    async ping() {
      return o.ping ? ok(o.ping()) : fail('UNSUPPORTED', 'Only an agent answers ping.')
    },
    async header(req) {
      const h = await issue(req)
      return h.ok ? ok(headerOf(h.value)) : h
    },
    async token(req) {
      const h = await issue(req)
      return h.ok ? ok({ ...headerOf(h.value), token: h.value.token }) : h
    },
    status: () => withActions((a) => a.views.status()),
    accounts: () => withActions((a) => a.views.accounts()),
    login: (req) =>
      withAccount(req.label, async (a, acc) => {
        const r = await a.tokens.login(
          acc.id,
          { force: req.force, secrets: req.secrets, confirmEviction: req.confirmEviction === true },
          surface,
        )
        return r.ok ? ok({ label: acc.label, ...r.value }) : r
      }),
    revoke: (req) =>
      withAccount(req.label, async (a, acc) => {
        const t = a.tokens
        const r =
          req.mode === 'uncertain'
            ? await t.dismissUncertainOf(acc.id, surface)
            : req.mode === 'oldest'
              ? await t.revokeOldest(acc.orgKey, surface)
              : req.mode === 'org'
                ? await t.revokeOrganization(acc.orgKey, surface)
                : await t.revoke(acc.id, { all: req.mode === 'all' }, surface)
        return r.ok ? ok({ label: acc.label, ...r.value }) : r
      }),
    reject: (req) =>
      withAccount(req.label, (a, acc) => a.tokens.reject(acc.id, surface, req.tokenId)),
    check: (req) => withActions((a) => a.tokens.checkAll(req.label, surface)),
    targets: (req) =>
      withActions((a) => a.gateway.targets(req.labels.length > 0 ? req.labels : undefined)),
    policy: (req) =>
      withActions((a) => {
        if (req.set) return a.gateway.setPolicy(req.label, req.set, surface)
        const t = a.gateway.targets([req.label])
        return t.ok ? ok(t.value[0]!) : t
      }),
    record: (req) => withActions((a) => a.gateway.record(req.entries)),
    log: (req) => {
      const events = (a: Actions, accountId?: string) =>
        a.views.events({
          limit: req.limit,
          ...(accountId ? { accountId } : {}),
          ...(req.types ? { types: req.types } : {}),
          ...(req.surfaces ? { surfaces: req.surfaces } : {}),
        })
      return req.label === undefined
        ? withActions((a) => events(a))
        : withAccount(req.label, (a, acc) => events(a, acc.id))
    },
    profile: (req) => withActions((a) => a.providers.profile(req.providerId)),
    providers: () => withActions((a) => a.providers.list()),
    import: (req) => withActions((a) => a.providers.import(req.text)),
    add: (req) => withActions((a) => a.accounts.add(req.account, surface)),
    remove: (req) =>
      withAccount(req.label, (a, acc) => a.accounts.remove(acc.id, { force: req.force }, surface)),
    keepReady: (req) =>
      withAccount(req.label, (a, acc) => a.renewal.setKeepReady(acc.id, req.on, surface)),
    match: (req) => withActions((a) => a.routes.match(req.url)),
    routes: () => withActions((a) => a.routes.list()),
    route: (req) => withActions((a) => a.routes.add(req.prefix, req.label, surface)),
    unroute: (req) => withActions((a) => a.routes.remove(req.prefix, surface)),
    ledgerStatus: () => withActions((a) => a.ledger.status()),
    ledgerConnect: (req) =>
      withActions((a) =>
        a.ledger.connect(req.url, req.machineName ? { machineName: req.machineName } : {}),
      ),
    ledgerDisconnect: () => withActions((a) => a.ledger.disconnect()),
    ledgerAskRevoke: (req) =>
      withActions((a) => a.ledger.askRevoke(req.machineName, req.organizationId)),
  }
}
