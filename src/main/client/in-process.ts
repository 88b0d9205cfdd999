// The client in process: each operation is one call of the core actions (the same the window and
// the tray use), so reuse, single flight and the token cap hold across every surface. The agent
// answers its socket with this client; the CLI uses it when it opens the vault itself; the app's
// gateway uses it directly. "Unlocked? then label -> account" is written here, once.
import { fail, ok, type Result } from '../../shared/result'
import type { Surface } from '../../shared/views'
import type { Actions } from '../actions'
import type { AccountView } from '../../shared/views'
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
  const account = (label: string): Result<{ actions: Actions; account: AccountView }> => {
    const a = unlocked()
    if (!a.ok) return a
    const acc = a.value.views.account(label)
    return acc.ok ? ok({ actions: a.value, account: acc.value }) : acc
  }
  const issue = async (req: {
    label: string
    confirmEviction?: boolean | undefined
    secrets?: Record<string, string> | undefined
  }) => {
    const f = account(req.label)
    if (!f.ok) return f
    return f.value.actions.tokens.header(f.value.account.id, surface, req.secrets, {
      confirmEviction: req.confirmEviction === true,
    })
  }
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
    async status() {
      const a = unlocked()
      return a.ok ? a.value.views.status() : a
    },
    async accounts() {
      const a = unlocked()
      return a.ok ? a.value.views.accounts() : a
    },
    async login(req) {
      const f = account(req.label)
      if (!f.ok) return f
      const r = await f.value.actions.tokens.login(
        f.value.account.id,
        { force: req.force, secrets: req.secrets, confirmEviction: req.confirmEviction === true },
        surface,
      )
      return r.ok ? ok({ label: f.value.account.label, ...r.value }) : r
    },
    async revoke(req) {
      const f = account(req.label)
      if (!f.ok) return f
      const { actions, account: acc } = f.value
      const t = actions.tokens
      const r =
        req.mode === 'uncertain'
          ? await t.dismissUncertainOf(acc.id, surface)
          : req.mode === 'oldest'
            ? await t.revokeOldest(acc.orgKey, surface)
            : req.mode === 'org'
              ? await t.revokeOrganization(acc.orgKey, surface)
              : await t.revoke(acc.id, { all: req.mode === 'all' }, surface)
      return r.ok ? ok({ label: acc.label, ...r.value }) : r
    },
    async reject(req) {
      const f = account(req.label)
      if (!f.ok) return f
      return f.value.actions.tokens.reject(f.value.account.id, surface, req.tokenId)
    },
    async check(req) {
      const a = unlocked()
      return a.ok ? a.value.tokens.checkAll(req.label, surface) : a
    },
    async targets(req) {
      const a = unlocked()
      return a.ok ? a.value.gateway.targets(req.labels.length > 0 ? req.labels : undefined) : a
    },
    async policy(req) {
      const a = unlocked()
      if (!a.ok) return a
      if (req.set) return a.value.gateway.setPolicy(req.label, req.set, surface)
      const t = a.value.gateway.targets([req.label])
      return t.ok ? ok(t.value[0]!) : t
    },
    async record(req) {
      const a = unlocked()
      return a.ok ? a.value.gateway.record(req.entries) : a
    },
    async log(req) {
      let accountId: string | undefined
      if (req.label !== undefined) {
        const f = account(req.label)
        if (!f.ok) return f
        accountId = f.value.account.id
      }
      const a = unlocked()
      if (!a.ok) return a
      return a.value.views.events({
        limit: req.limit,
        ...(accountId ? { accountId } : {}),
        ...(req.types ? { types: req.types } : {}),
        ...(req.surfaces ? { surfaces: req.surfaces } : {}),
      })
    },
    async profile(req) {
      const a = unlocked()
      return a.ok ? a.value.providers.profile(req.providerId) : a
    },
    async providers() {
      const a = unlocked()
      return a.ok ? a.value.providers.list() : a
    },
    async import(req) {
      const a = unlocked()
      return a.ok ? a.value.providers.import(req.text) : a
    },
    async add(req) {
      const a = unlocked()
      return a.ok ? a.value.accounts.add(req.account, surface) : a
    },
    async remove(req) {
      const f = account(req.label)
      if (!f.ok) return f
      return f.value.actions.accounts.remove(f.value.account.id, { force: req.force }, surface)
    },
    async keepReady(req) {
      const f = account(req.label)
      if (!f.ok) return f
      return f.value.actions.renewal.setKeepReady(f.value.account.id, req.on, surface)
    },
    async match(req) {
      const a = unlocked()
      return a.ok ? a.value.routes.match(req.url) : a
    },
    async routes() {
      const a = unlocked()
      return a.ok ? a.value.routes.list() : a
    },
    async route(req) {
      const a = unlocked()
      return a.ok ? a.value.routes.add(req.prefix, req.label, surface) : a
    },
    async unroute(req) {
      const a = unlocked()
      return a.ok ? a.value.routes.remove(req.prefix, surface) : a
    },
  }
}
