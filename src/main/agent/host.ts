// An agent over one vault: the server, the in-process client over the core actions, who asked for each
// request in the event log (surface `agent`, the client's description, never a token), and for
// the headless agent an idle timeout. The app and `tokendeck agent` both run this; only what
// serves the actions differs (the app's session, or a vault the CLI unlocked). A request that
// makes the core write an entry (a header's reuse or mint, a revoke) is logged once, in that
// entry, with who asked; one that writes none (a read, a refusal) gets an `agent` entry.
import type { Actions } from '../actions'
import type { EventInput } from '../actions'
import { ok, type Result } from '../../shared/result'
import { onBehalfOf, originOf, type RequestOrigin } from '../platform/request-origin'
import { inProcessClient } from '../client/in-process'
import { realTimers, type Timers } from '../platform/timers'
import type { LoginPromptView } from '../../shared/login-prompt'
import type { AgentClient, AgentNotice, AgentOp, AgentPing, AgentRequest } from './protocol'
import type { AgentApprovals, ApprovalScope } from './approvals'
import { startAgentServer, type AgentServer, type AgentServerOptions } from './server'

export interface AgentHostOptions {
  endpoint: string
  vaultDir: string
  kind: AgentPing['kind']
  /** The actions while the vault is unlocked; null while locked (answers VAULT_LOCKED). */
  actions: () => Actions | null
  /** Appends to the vault's event log. */
  log: (e: EventInput) => void
  now: () => number
  /** Headless: stop after this many minutes without a request (0: never). */
  idleTimeoutMinutes: number
  /** Headless: `tokendeck agent stop` and the idle timeout end the agent through this. */
  onStop?: () => void
  /** The app: the first request of each terminal session is approved in the window. */
  approvals?: AgentApprovals
  /**
   * Whether this agent opened a login prompt's page in a browser itself (the app, for a browser
   * sign-in); default never (a headless agent has nobody's browser to open).
   */
  opensBrowser?: (p: LoginPromptView) => boolean
  /** The idle timer's clock (tests pass a fake one); default the real timers. */
  timers?: Timers
  /** The server's limits per connection and in all (defaults in server.ts). */
  limits?: Pick<AgentServerOptions, 'connectionIdleMs' | 'maxInFlight' | 'maxConnections'>
}

export interface RunningAgent {
  server: AgentServer
  close(): Promise<void>
}

/** "tokendeck header" (pid 4242, /dev/pts/3): how a client is named in the log and prompts. */
export function clientWords(c: AgentClient): string {
  const where = [`pid ${c.pid}`, c.tty].filter(Boolean).join(', ')
  return `"${c.command || 'a client'}" (${where})`
}

const EVICTING = ', letting the server end the oldest token at its cap'

/** What a request asks, after "asks"/"asked": "for the header of …", "to revoke …". */
function requestWords(req: AgentRequest): string {
  const label = 'label' in req && req.label !== undefined ? ` of "${req.label}"` : ''
  switch (req.op) {
    case 'header':
    case 'token':
      return `for the ${req.op}${label}${req.confirmEviction ? EVICTING : ''}`
    case 'login':
      return `for ${req.force ? 'a new login' : 'a login'}${label}${req.confirmEviction ? EVICTING : ''}`
    case 'revoke':
      return req.mode === 'uncertain'
        ? `to dismiss the uncertain tokens${label}`
        : req.mode === 'oldest' || req.mode === 'org'
          ? `to revoke ${req.mode === 'org' ? 'every token' : 'the oldest token'} in the organization${label}`
          : `to revoke ${req.mode === 'all' ? 'every token' : 'the token'}${label}`
    case 'reject':
      return `to mark the token${label} as refused`
    case 'check':
      return label ? `to check the token${label}` : 'to check every token'
    case 'log':
      return `for the event log${label}`
    case 'match':
      return `which account serves ${req.url.slice(0, 200)}`
    case 'routes':
      return 'for the routes'
    case 'route':
      return `to route ${req.prefix.slice(0, 200)} to "${req.label}"`
    case 'targets':
      return 'which accounts a gateway serves'
    case 'record':
      return 'to log gateway requests'
    case 'policy':
      return req.set ? `to change the gateway policy${label}` : `for the gateway policy${label}`
    case 'profile':
      return `for the profile of the provider "${req.providerId}"`
    case 'add':
      return `to add the account "${req.account.label}"`
    case 'remove':
      return `to remove the account${label.replace(/^ of/, '')}`
    case 'keepReady':
      return `to ${req.on ? 'keep a token ready' : 'stop keeping a token ready'}${label.replace(/^ of/, ' for')}`
    case 'unroute':
      return `to remove the route ${req.prefix.slice(0, 200)}`
    case 'providers':
      return 'for the providers'
    case 'import':
      return 'to import a provider profile'
    case 'ledgerConnect':
      return 'to connect the vault to a shared ledger'
    case 'ledgerDisconnect':
      return 'to disconnect the vault from its shared ledger'
    case 'ledgerAskRevoke':
      return `to ask ${req.machineName.slice(0, 100)} to revoke a token`
    case 'ledgerStatus':
      return "for the shared ledger's status"
    default:
      return `for ${req.op}`
  }
}

/**
 * Whether a request only reads what the vault holds or changes it, for the app's approvals. A
 * change: adding or removing an account, any revoke, a gateway policy set, adding a route, a
 * forced login, and a header, token or login that agrees to an eviction (the server ends the
 * oldest token). A read: the rest. `login` without --force hands out the token a header
 * would; `record` only appends gateway records to the log, in their own bucket; `reject` reports
 * a 401 the client saw, which git's `erase` and the gateway do as part of reading: it makes the
 * token suspect, never ends it on the client's word, and the core replaces a suspect token at
 * most once per interval (refusals.ts), so a reading client cannot fill a cap with it.
 * Exhaustive: a new op does not compile until it is placed.
 */
const SCOPES: {
  [K in Exclude<AgentOp, 'ping' | 'stop'>]: (req: Extract<AgentRequest, { op: K }>) => ApprovalScope
} = {
  header: (r) => (r.confirmEviction ? 'change' : 'read'),
  token: (r) => (r.confirmEviction ? 'change' : 'read'),
  login: (r) => (r.force || r.confirmEviction ? 'change' : 'read'),
  status: () => 'read',
  accounts: () => 'read',
  check: () => 'read',
  log: () => 'read',
  match: () => 'read',
  routes: () => 'read',
  route: () => 'change',
  targets: () => 'read',
  profile: () => 'read',
  record: () => 'read',
  policy: (r) => (r.set ? 'change' : 'read'),
  revoke: () => 'change',
  reject: () => 'read',
  add: () => 'change',
  remove: () => 'change',
  keepReady: () => 'change',
  unroute: () => 'change',
  providers: () => 'read',
  import: () => 'change',
  ledgerStatus: () => 'read',
  ledgerConnect: () => 'change',
  ledgerDisconnect: () => 'change',
  ledgerAskRevoke: () => 'change',
}

export function requestScope(req: AgentRequest): ApprovalScope {
  if (req.op === 'ping' || req.op === 'stop') return 'read'
  return (SCOPES[req.op] as (r: AgentRequest) => ApprovalScope)(req)
}

/**
 * Runs a request on behalf of its client (request-origin.ts): every entry the core writes
 * meanwhile names who asked, and `origins` says how many it wrote. Gateway records (`record`)
 * are the gateway's own entries and stay as they are.
 */
function onBehalfOfClient(origins: WeakMap<AgentRequest, RequestOrigin>) {
  return <T>(req: AgentRequest, call: () => Promise<T>): Promise<T> => {
    if (req.op === 'ping' || req.op === 'record') return call()
    const origin = originOf(clientWords(req.client))
    origins.set(req, origin)
    return onBehalfOf(origin, call)
  }
}

/**
 * Whether a request needs an `agent` entry of its own: not when the core already wrote one in its
 * name (the reuse or mint of a header, a revoke, a refusal's failure entry), nor for gateway
 * records (their own entries) and a successful `match` (which account serves a URL: git and Bazel
 * ask it before the header that is then logged, and it reads nothing secret).
 */
function needsAgentEntry(
  req: AgentRequest,
  outcome: Result<unknown>,
  origin: RequestOrigin | undefined,
): boolean {
  if (outcome.ok && (req.op === 'record' || req.op === 'match')) return false
  return (origin?.logged ?? 0) === 0
}

/** The ops whose answer may need a login, and so a person at a browser. */
const MAY_LOG_IN: ReadonlySet<AgentOp> = new Set<AgentOp>(['header', 'token', 'login'])

/**
 * The login prompts a request's client is told of: those of the account its label names, and
 * no other (another client must not read another account's code). A headless agent cancels a
 * login whose every waiting client left: nobody else can see its code, and its loopback listener
 * or its polling would otherwise go on until the server's deadline.
 */
function loginNotices(o: AgentHostOptions) {
  /** Prompt id -> requests waiting on it whose client was shown it. */
  const waiting = new Map<string, number>()
  return (req: AgentRequest, notify: (n: AgentNotice) => void) => {
    if (!MAY_LOG_IN.has(req.op) || !('label' in req) || req.label === undefined) return null
    const a = o.actions()
    const acc = a?.views.account(req.label)
    if (!a || !acc?.ok) return null
    const accountId = acc.value.id
    const shown = new Set<string>()
    const unsubscribe = a.logins.subscribe((e) => {
      if (e.type !== 'shown' || e.prompt.accountId !== accountId) return
      if (!shown.has(e.prompt.id)) {
        shown.add(e.prompt.id)
        waiting.set(e.prompt.id, (waiting.get(e.prompt.id) ?? 0) + 1)
      }
      notify({ loginPrompt: e.prompt, browserOpened: o.opensBrowser?.(e.prompt) ?? false })
    })
    let stopped = false
    return (clientLeft: boolean) => {
      if (stopped) return
      stopped = true
      unsubscribe()
      for (const id of shown) {
        const left = (waiting.get(id) ?? 1) - 1
        if (left > 0) waiting.set(id, left)
        else waiting.delete(id)
        if (left <= 0 && clientLeft && o.kind === 'headless') {
          // Over already when not found: nothing to cancel.
          const cancelled = a.logins.cancel(id)
          void cancelled
        }
      }
    }
  }
}

export async function startAgent(o: AgentHostOptions): Promise<Result<RunningAgent>> {
  const startedAt = o.now()
  const timers = o.timers ?? realTimers
  let timer: unknown
  const origins = new WeakMap<AgentRequest, RequestOrigin>()
  const idleMs = o.idleTimeoutMinutes * 60_000
  /** Requests being answered: an agent is not idle while one runs (a login waiting for a person). */
  let running = 0
  const armIdle = () => {
    if (!o.onStop || idleMs <= 0) return
    timers.clearTimeout(timer)
    timer = timers.setTimeout(() => (running > 0 ? armIdle() : o.onStop?.()), idleMs)
  }
  const onBehalf = onBehalfOfClient(origins)
  const around = async <T>(req: AgentRequest, call: () => Promise<T>): Promise<T> => {
    running++
    try {
      return await onBehalf(req, call)
    } finally {
      running--
      // The idle time counts from the end of the last answer, not from its question.
      armIdle()
    }
  }
  const ping = (): AgentPing => ({
    pid: process.pid,
    vaultDir: o.vaultDir,
    kind: o.kind,
    startedAt,
    idleTimeoutMinutes: o.idleTimeoutMinutes,
    unlocked: o.actions()?.protection.isUnlocked() ?? false,
  })
  const server = await startAgentServer({
    endpoint: o.endpoint,
    client: inProcessClient({
      actions: o.actions,
      surface: 'agent',
      lockedMessage: 'The vault is locked in the agent; unlock it in TokenDeck.',
      ping,
    }),
    around,
    watch: loginNotices(o),
    ...o.limits,
    onActivity: armIdle,
    ...(o.approvals
      ? {
          // Nothing to approve while locked: the client answers VAULT_LOCKED.
          authorize: async (req: AgentRequest) =>
            o.actions()
              ? o.approvals!.check(
                  req.client,
                  clientWords(req.client),
                  requestWords(req),
                  requestScope(req),
                )
              : ok(undefined),
        }
      : {}),
    ...(o.onStop ? { onStop: o.onStop } : {}),
    record: (req, outcome) => {
      if (!o.actions()?.protection.isUnlocked()) return
      if (!needsAgentEntry(req, outcome, origins.get(req))) return
      o.log({
        type: 'agent',
        surface: 'agent',
        client: clientWords(req.client).slice(0, 500),
        ...('label' in req && req.label !== undefined ? { label: req.label } : {}),
        ...(outcome.ok ? {} : { code: outcome.code }),
        message:
          `${clientWords(req.client)} asked ${requestWords(req)}: ${outcome.ok ? 'answered' : `refused (${outcome.code})`}.`.slice(
            0,
            1000,
          ),
      })
    },
  })
  if (!server.ok) return server
  armIdle()
  return {
    ok: true,
    value: {
      server: server.value,
      close: async () => {
        timers.clearTimeout(timer)
        await server.value.close()
      },
    },
  }
}
