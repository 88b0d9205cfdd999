// Gateway actions: which accounts the header-injecting gateway serves and what it lets through
// for each (policies sealed in the vault, so the app's and the CLI's gateways honour the same
// ones), the app gateway's access token, and the event-log entries of its requests. The
// gateway's tokens come from tokens.header and tokens.reject like every other surface's; its 2xx
// answers confirm the tokens they carried (refusals.ts confirmAccepted).
import { randomBytes } from 'node:crypto'
import { fail, ok, type Result } from '../../shared/result'
import { findAccount, noAccount } from '../../shared/state'
import { normalizeBaseUrl } from '../../shared/url-policy'
import type { Surface } from '../../shared/views'
import type { EventInput } from '../vault/vault'
import { confirmAccepted } from '../vault/ledger/refusals'
import { canonicalPath } from '../../shared/canonical-path'
import {
  EMPTY_POLICY,
  neverForwarded,
  type GatewayPolicy,
  type GatewayRecord,
  type GatewayTarget,
} from '../../shared/gateway-policy'
import { describePolicy } from './catalog'
import type { ActionDeps } from './context'

export { describePolicy }

const METHOD = /^[A-Z]{1,20}$/

/** A policy as typed (CLI flags, the window): origins normalised, methods upper case, paths /x. */
export function parsePolicy(p: {
  origins?: readonly string[]
  methods?: readonly string[]
  paths?: readonly string[]
}): Result<GatewayPolicy> {
  const origins: string[] = []
  for (const raw of p.origins ?? []) {
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      return fail('VALIDATION_FAILED', `"${raw.slice(0, 100)}" is not an origin (https://host).`)
    }
    if (url.origin === 'null' || url.pathname !== '/' || url.search || url.hash) {
      return fail('VALIDATION_FAILED', `An origin is scheme://host[:port] only, not "${raw}".`)
    }
    origins.push(url.origin)
  }
  const methods: string[] = []
  for (const raw of p.methods ?? []) {
    const m = raw.trim().toUpperCase()
    if (!METHOD.test(m)) return fail('VALIDATION_FAILED', `"${raw.slice(0, 20)}" is not a method.`)
    const never = neverForwarded(m)
    if (never) return fail('VALIDATION_FAILED', never)
    methods.push(m)
  }
  const paths: string[] = []
  for (const raw of p.paths ?? []) {
    const path = raw.trim()
    if (!path.startsWith('/') || /[?#\s]/.test(path) || /(^|\/)\.\.?(\/|$)/.test(path)) {
      return fail(
        'VALIDATION_FAILED',
        `A path prefix starts with / and has no ?, # or ..: "${raw}".`,
      )
    }
    // Stored in the canonical form the gateway matches requests in (decide.ts).
    const canonical = canonicalPath(path.length > 1 ? path.replace(/\/+$/, '') : path)
    if (!canonical.ok) {
      return fail('VALIDATION_FAILED', `${canonical.problem.reason} ("${raw.slice(0, 100)}")`)
    }
    paths.push(canonical.path)
  }
  const uniq = (a: string[]) => [...new Set(a)]
  return ok({ origins: uniq(origins), methods: uniq(methods), paths: uniq(paths) })
}

/** What the event log says of one gateway request (never a token, never a query). */
export function gatewayEvent(r: GatewayRecord, accountId?: string): EventInput {
  return {
    type: 'gateway',
    surface: 'gateway',
    label: r.label,
    ...(accountId ? { accountId } : {}),
    message:
      `${r.method} /${r.label}${r.path} -> ${r.status} in ${Math.round(r.durationMs)} ms` +
      (r.retried ? ' (401: token reported, sent again with a new one)' : ''),
    ...(r.tokenId ? { tokenId: r.tokenId } : {}),
  }
}

export function gatewayActions(deps: ActionDeps) {
  const s = deps.services

  /** The accounts the gateway serves (all, or those labels), with their policies. */
  function targets(labels?: readonly string[]): Result<GatewayTarget[]> {
    const d = s().vault.readUnlocked()
    if (!d.ok) return d
    const policies = new Map((d.value.gateway?.policies ?? []).map((p) => [p.accountId, p]))
    const chosen = []
    if (labels && labels.length > 0) {
      for (const l of labels) {
        const a = findAccount(d.value.accounts, l)
        if (!a) return fail('NOT_FOUND', noAccount(l))
        chosen.push(a)
      }
    } else chosen.push(...d.value.accounts)
    const out: GatewayTarget[] = []
    for (const a of chosen) {
      const base = normalizeBaseUrl(a.baseUrl)
      if (!base.ok) continue
      const p = policies.get(a.id)
      out.push({
        accountId: a.id,
        label: a.label,
        baseUrl: base.value,
        policy: p ? { origins: p.origins, methods: p.methods, paths: p.paths } : EMPTY_POLICY,
      })
    }
    return ok(out)
  }

  /** Sets (replaces) what the gateway lets through for an account; empty lists clear it. */
  async function setPolicy(
    label: string,
    input: { origins?: string[]; methods?: string[]; paths?: string[] },
    surface: Surface,
  ): Promise<Result<GatewayTarget>> {
    const policy = parsePolicy(input)
    if (!policy.ok) return policy
    const r = await s().vault.mutate(
      (d) => {
        const acc = findAccount(d.accounts, label)
        if (!acc) return fail('NOT_FOUND', noAccount(label))
        const rest = (d.gateway?.policies ?? []).filter((p) => p.accountId !== acc.id)
        const { origins, methods, paths } = policy.value
        const empty = origins.length + methods.length + paths.length === 0
        d.gateway = {
          ...d.gateway,
          policies: empty ? rest : [...rest, { accountId: acc.id, ...policy.value }],
        }
        return ok({ accountId: acc.id, label: acc.label })
      },
      (v) => ({
        type: 'account',
        accountId: v.accountId,
        label: v.label,
        surface,
        message: `Gateway policy of "${v.label}": ${describePolicy(policy.value)}.`,
      }),
    )
    if (!r.ok) return r
    const t = targets([r.value.accountId])
    return t.ok ? ok(t.value[0]!) : t
  }

  /** Logs gateway requests (batched by the gateway) in the event log. */
  async function record(entries: readonly GatewayRecord[]): Promise<Result<{ recorded: number }>> {
    const { vault, tokens } = s()
    const d = vault.readUnlocked()
    if (!d.ok) return d
    vault.logAll(entries.map((e) => gatewayEvent(e, findAccount(d.value.accounts, e.label)?.id)))
    // Tokens the servers answered 2xx to work: a suspect one is cleared, a replacement confirmed
    // (a write only when one needs it: most requests carry a token that needs nothing).
    const accepted = [...new Set(entries.flatMap((e) => (e.tokenId ? [e.tokenId] : [])))]
    if (accepted.length > 0) {
      const r = await confirmAccepted(tokens.ledger, accepted, 'gateway')
      if (!r.ok) return r
    }
    return ok({ recorded: entries.length })
  }

  /** The access token of the app's gateway, made (and sealed in the vault) on first use. */
  async function accessToken(o: { rotate?: boolean } = {}): Promise<Result<string>> {
    const d = s().vault.readUnlocked()
    if (!d.ok) return d
    const have = d.value.gateway?.accessToken
    if (have && !o.rotate) return ok(have)
    return s().vault.mutate(
      (draft) => {
        const token = randomBytes(32).toString('base64url')
        draft.gateway = { policies: [], ...draft.gateway, accessToken: token }
        return ok(token)
      },
      () => ({
        type: 'vault',
        surface: 'ui',
        message: o.rotate
          ? "Made a new access token for the app's gateway; clients need the new one."
          : "Made the access token of the app's gateway.",
      }),
    )
  }

  return { targets, setPolicy, record, accessToken }
}

/** "any method and path; no web origin" and the like, for the log and the CLI. */

export type GatewayActions = ReturnType<typeof gatewayActions>
