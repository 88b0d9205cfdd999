// Where the helpers, `run`, `inject`, `read` and `setup-git` get what they need of the vault:
// through the agent of the vault when one answers (askAgentFor decides, as for every command),
// else by opening the vault here once. An account's header, its base URL (where its token may
// go), which account serves a URL, the routes (and adding one), and "the server refused the
// token".
import { fail, ok, type Result } from '../../shared/result'
import { findAccount, noAccount } from '../../shared/state'
import type { AccountView } from '../../shared/views'
import type { Actions } from '../actions'
import type { RouteView } from '../actions/routes'
import type { Ctx } from './context'
import { askAgentFor } from './via-agent'

export interface Issued {
  label: string
  headerName: string
  value: string
  expiresAt: number | null
}

/** URL -> account -> header (or: the server refused its token), through the agent or the vault. */
export function tokenSource(ctx: Ctx, command: string) {
  let direct: Promise<Result<Actions>> | undefined
  const actions = () =>
    (direct ??= (async () => {
      const { unlockedVault } = await import('./context')
      const v = await unlockedVault(ctx)
      return v.ok ? ok(v.value.actions) : v
    })())
  const withAccount = async <T>(
    label: string,
    use: (a: Actions, accountId: string) => Result<T> | Promise<Result<T>>,
  ): Promise<Result<T>> => {
    const a = await actions()
    if (!a.ok) return a
    const acc = a.value.views.account(label)
    return acc.ok ? use(a.value, acc.value.id) : acc
  }
  return {
    /** The account a label names, as far as where its token may go: its base URL. */
    async account(label: string): Promise<Result<{ label: string; baseUrl: string }>> {
      const r = await askAgentFor(ctx, { op: 'accounts' }, command)
      if (r) {
        if (!r.ok) return r
        const found = findAccount(r.value as AccountView[], label)
        return found
          ? ok({ label: found.label, baseUrl: found.baseUrl })
          : fail('NOT_FOUND', noAccount(label, r.value as AccountView[]))
      }
      return withAccount(label, (a, id) => {
        const v = a.views.account(id)
        return v.ok ? ok({ label: v.value.label, baseUrl: v.value.baseUrl }) : v
      })
    },
    async match(url: string): Promise<Result<{ label: string }>> {
      const r = await askAgentFor(ctx, { op: 'match', url }, command)
      if (r) return r as Result<{ label: string }>
      const a = await actions()
      return a.ok ? a.value.routes.match(url) : a
    },
    async header(label: string): Promise<Result<Issued>> {
      const r = await askAgentFor(ctx, { op: 'header', label }, command)
      if (r) return r as Result<Issued>
      return withAccount(label, (a, id) => a.tokens.header(id, 'cli'))
    },
    /** Every account (secret-free views). */
    async accounts(): Promise<Result<AccountView[]>> {
      const r = await askAgentFor(ctx, { op: 'accounts' }, command)
      if (r) return r as Result<AccountView[]>
      const a = await actions()
      return a.ok ? a.value.views.accounts() : a
    },
    /** The routes: URL prefix and the account that serves it. */
    async routes(): Promise<Result<RouteView[]>> {
      const r = await askAgentFor(ctx, { op: 'routes' }, command)
      if (r) return r as Result<RouteView[]>
      const a = await actions()
      return a.ok ? a.value.routes.list() : a
    },
    /** Adds (or moves) the route for a URL prefix to the account `label`. */
    async addRoute(prefix: string, label: string): Promise<Result<RouteView>> {
      const r = await askAgentFor(ctx, { op: 'route', prefix, label }, command)
      if (r) return r as Result<RouteView>
      const a = await actions()
      return a.ok ? a.value.routes.add(prefix, label, 'cli') : a
    },
    async reject(label: string): Promise<Result<unknown>> {
      const r = await askAgentFor(ctx, { op: 'reject', label }, command)
      if (r) return r
      return withAccount(label, (a, id) => a.tokens.reject(id, 'cli'))
    },
  }
}
