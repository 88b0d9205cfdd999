// The agent's operations: one handler per op of the protocol, each a call of one core action
// (the same the window, the tray and the CLI use), so reuse, single flight and the token cap
// hold across all of them. A mapped type makes a new op fail to compile until it is handled.
import { fail, ok, type Result } from '../../shared/result'
import type { Actions } from '../actions'
import type { AgentOp, AgentPing, AgentRequest } from './protocol'

export type AgentHandlers = {
  [K in Exclude<AgentOp, 'stop'>]: (
    req: Extract<AgentRequest, { op: K }>,
  ) => Result<unknown> | Promise<Result<unknown>>
}

export interface HandlerDeps {
  /** The actions while the vault is unlocked; null while it is locked. */
  actions: () => Actions | null
  ping: () => AgentPing
}

export function agentHandlers(deps: HandlerDeps): AgentHandlers {
  const unlocked = (): Result<Actions> => {
    const a = deps.actions()
    return a && a.protection.status().vault.unlocked
      ? ok(a)
      : fail('VAULT_LOCKED', 'The vault is locked in the agent; unlock it in TokenDeck.')
  }
  const account = (label: string) => {
    const a = unlocked()
    if (!a.ok) return a
    const acc = a.value.views.account(label)
    return acc.ok ? ok({ actions: a.value, account: acc.value }) : acc
  }

  return {
    ping: () => ok(deps.ping()),
    async header(req) {
      const o = account(req.label)
      if (!o.ok) return o
      const h = await o.value.actions.tokens.header(o.value.account.id, 'agent', undefined, {
        confirmEviction: req.confirmEviction === true,
      })
      if (!h.ok) return h
      const { label, tokenId, headerName, value, reused, expiresAt, evicted } = h.value
      return ok({
        label,
        tokenId,
        headerName,
        value,
        reused,
        expiresAt,
        ...(evicted ? { evicted } : {}),
      })
    },
    async token(req) {
      const o = account(req.label)
      if (!o.ok) return o
      const h = await o.value.actions.tokens.header(o.value.account.id, 'agent', undefined, {
        confirmEviction: req.confirmEviction === true,
      })
      if (!h.ok) return h
      const { label, token, reused, expiresAt, evicted } = h.value
      return ok({ label, token, reused, expiresAt, ...(evicted ? { evicted } : {}) })
    },
    status() {
      const a = unlocked()
      return a.ok ? a.value.views.status() : a
    },
    accounts() {
      const a = unlocked()
      return a.ok ? a.value.views.accounts() : a
    },
    async login(req) {
      const o = account(req.label)
      if (!o.ok) return o
      const r = await o.value.actions.tokens.login(
        o.value.account.id,
        { force: req.force, confirmEviction: req.confirmEviction === true },
        'agent',
      )
      return r.ok ? ok({ label: o.value.account.label, ...r.value }) : r
    },
    async revoke(req) {
      const o = account(req.label)
      if (!o.ok) return o
      const { actions, account: acc } = o.value
      const t = actions.tokens
      const r =
        req.mode === 'uncertain'
          ? await t.dismissUncertainOf(acc.id, 'agent')
          : req.mode === 'oldest'
            ? await t.revokeOldest(acc.orgKey, 'agent')
            : req.mode === 'org'
              ? await t.revokeOrganization(acc.orgKey, 'agent')
              : await t.revoke(acc.id, { all: req.mode === 'all' }, 'agent')
      return r.ok ? ok({ label: acc.label, ...r.value }) : r
    },
    reject(req) {
      const o = account(req.label)
      if (!o.ok) return o
      return o.value.actions.tokens.reject(o.value.account.id, 'agent', req.tokenId)
    },
    check(req) {
      const a = unlocked()
      return a.ok ? a.value.tokens.checkAll(req.label, 'agent') : a
    },
    targets(req) {
      const a = unlocked()
      return a.ok ? a.value.gateway.targets(req.labels) : a
    },
    async policy(req) {
      const a = unlocked()
      if (!a.ok) return a
      if (req.set) return a.value.gateway.setPolicy(req.label, req.set, 'agent')
      const t = a.value.gateway.targets([req.label])
      return t.ok ? ok(t.value[0]!) : t
    },
    record(req) {
      const a = unlocked()
      return a.ok ? a.value.gateway.record(req.entries) : a
    },
    routes() {
      const a = unlocked()
      return a.ok ? a.value.routes.list() : a
    },
    route(req) {
      const a = unlocked()
      return a.ok ? a.value.routes.add(req.prefix, req.label, 'agent') : a
    },
    match(req) {
      const a = unlocked()
      return a.ok ? a.value.routes.match(req.url) : a
    },
    profile(req) {
      const a = unlocked()
      return a.ok ? a.value.providers.profile(req.providerId) : a
    },
    add(req) {
      const a = unlocked()
      return a.ok ? a.value.accounts.add(req.account, 'agent') : a
    },
    async remove(req) {
      const o = account(req.label)
      if (!o.ok) return o
      return o.value.actions.accounts.remove(o.value.account.id, { force: req.force }, 'agent')
    },
    log(req) {
      const a = unlocked()
      if (!a.ok) return a
      let accountId: string | undefined
      if (req.label !== undefined) {
        const acc = a.value.views.account(req.label)
        if (!acc.ok) return acc
        accountId = acc.value.id
      }
      return a.value.views.events({
        limit: req.limit,
        ...(accountId ? { accountId } : {}),
        ...(req.types ? { types: req.types } : {}),
        ...(req.surfaces ? { surfaces: req.surfaces } : {}),
      })
    },
  }
}
