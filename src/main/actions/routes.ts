// Route actions: which account serves which URLs, for the credential helpers (git, Bazel,
// kubectl) and anything else that starts from a URL. The longest matching prefix wins; with no
// route, the one account whose base URL covers the URL serves it; none or several is an error.
import { fail, ok, type Result } from '../../shared/result'
import { normalizeBaseUrl } from '../../shared/url-policy'
import type { Surface } from '../../shared/views'
import type { ActionDeps } from './context'

export interface RouteView {
  prefix: string
  accountId: string
  label: string
}

/** `prefix` covers `url` when it is the same origin and its path is a whole-segment prefix. */
function covers(prefix: string, url: string): boolean {
  return url === prefix || url.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`)
}

export function routeActions(deps: ActionDeps) {
  const s = deps.services

  function list(): Result<RouteView[]> {
    const d = s().vault.readUnlocked()
    if (!d.ok) return d
    const labels = new Map(d.value.accounts.map((a) => [a.id, a.label]))
    return ok(
      (d.value.routes ?? [])
        .map((r) => ({ ...r, label: labels.get(r.accountId) ?? '(removed account)' }))
        .sort((a, b) => a.prefix.localeCompare(b.prefix)),
    )
  }

  /** Adds (or moves) the route for a URL prefix to an account. */
  async function add(prefix: string, label: string, surface: Surface): Promise<Result<RouteView>> {
    const norm = normalizeBaseUrl(prefix)
    if (!norm.ok) return norm
    const acc = s().accounts.get(label)
    if (!acc.ok) return acc
    const r = await s().vault.mutate(
      (d) => {
        const routes = (d.routes ?? []).filter((x) => x.prefix !== norm.value)
        routes.push({ prefix: norm.value, accountId: acc.value.id })
        d.routes = routes
        return ok({ prefix: norm.value, accountId: acc.value.id, label: acc.value.label })
      },
      (v) => ({
        type: 'account',
        accountId: v.accountId,
        label: v.label,
        surface,
        message: `Route ${v.prefix} -> "${v.label}".`,
      }),
    )
    return r
  }

  async function remove(prefix: string, surface: Surface): Promise<Result<{ prefix: string }>> {
    const norm = normalizeBaseUrl(prefix)
    if (!norm.ok) return norm
    return s().vault.mutate(
      (d) => {
        if (!(d.routes ?? []).some((x) => x.prefix === norm.value)) {
          return fail('NOT_FOUND', `No route for ${norm.value}.`)
        }
        d.routes = (d.routes ?? []).filter((x) => x.prefix !== norm.value)
        return ok({ prefix: norm.value })
      },
      (v) => ({ type: 'account', surface, message: `Removed the route ${v.prefix}.` }),
    )
  }

  /** The account that serves `url`: the longest route prefix, else the one covering account. */
  function match(url: string): Result<{ accountId: string; label: string }> {
    const norm = normalizeBaseUrl(url.split('?')[0]!.split('#')[0]!)
    if (!norm.ok) return norm
    const routes = list()
    if (!routes.ok) return routes
    // Prefixes stored by an earlier normaliser (a host's trailing dot, %7e) read as today's.
    const today = (prefix: string) => {
      const n = normalizeBaseUrl(prefix)
      return n.ok ? n.value : prefix
    }
    const best = routes.value
      .filter((r) => covers(today(r.prefix), norm.value))
      .sort((a, b) => today(b.prefix).length - today(a.prefix).length)[0]
    if (best) return ok({ accountId: best.accountId, label: best.label })
    const accounts = s().accounts.list()
    if (!accounts.ok) return accounts
    const serving = accounts.value.filter((a) => {
      const base = normalizeBaseUrl(a.baseUrl)
      return base.ok && covers(base.value, norm.value)
    })
    if (serving.length === 1) return ok({ accountId: serving[0]!.id, label: serving[0]!.label })
    if (serving.length === 0) {
      return fail(
        'NOT_FOUND',
        `No account serves ${norm.value}: add one, or a route with tokendeck route add ${norm.value} LABEL.`,
      )
    }
    return fail(
      'CONFLICT',
      `${serving.length} accounts serve ${norm.value} (${serving
        .map((a) => `"${a.label}"`)
        .slice(0, 5)
        .join(', ')}): choose one with tokendeck route add ${norm.value} LABEL.`,
    )
  }

  return { list, add, remove, match }
}

export type RouteActions = ReturnType<typeof routeActions>
