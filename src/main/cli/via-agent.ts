// The CLI's agent path: before a token or status command opens the vault itself, it asks the
// agent that serves the same vault (the app, or `tokendeck agent`). No passphrase, no store, no
// key derivation: this module and what it imports are all that load. With no agent there, the
// command runs as before; TOKENDECK_AGENT=off skips the agent.
import os from 'node:os'
import tty from 'node:tty'
import { fail, type Result } from '../../shared/result'
import type { ProviderProfile } from '../../shared/providers/profile'
import type { CheckReport } from '../../shared/health'
import type { AccountView, EventList, TokenView } from '../../shared/views'
import { askAgent, type AgentAsk } from '../agent/client'
import { agentEndpoint } from '../agent/endpoint'
import { logAnswerSchema, pingSchema } from '../agent/protocol'
import type { Ctx } from './context'
import { resolveVaultDir } from './default-dir'
import type { AddAccount } from './account-fields'
import { report, stdinReader } from './io'
import { logFilters } from './log-filters'
import {
  printAccounts,
  printHeader,
  printLog,
  printLogin,
  printReject,
  printRevoke,
  printRevokeMode,
  printStatus,
  printToken,
  reportTokenFailure,
  type Evicted,
  type HeaderOut,
  type StatusData,
} from './output'
import { withProgress } from './progress'

/** The agent endpoint this run would ask (the same vault folder resolution as opening it). */
export function endpointFor(ctx: Ctx): string {
  const flag = typeof ctx.flags.vault === 'string' ? ctx.flags.vault : undefined
  const dir = resolveVaultDir(flag, {
    platform: process.platform,
    env: ctx.env,
    home: os.homedir(),
  })
  return agentEndpoint(dir, ctx.env)
}

/**
 * Asks the agent; undefined when this run should open the vault itself: the agent is off, the
 * command reads the passphrase (or, but for `accounts add`, secrets) from stdin, no agent
 * answers, or it answers that its vault is locked while this run has a passphrase or a terminal
 * to ask for one.
 */
export async function askAgentFor(
  ctx: Ctx,
  what: AgentAsk,
  command: string,
  o: { secretsOnStdin?: boolean } = {},
): Promise<Result<unknown> | undefined> {
  if (ctx.env.TOKENDECK_AGENT === 'off') return undefined
  if (ctx.flags['passphrase-stdin'] === true) return undefined
  if (ctx.flags['secret-stdin'] === true && !o.secretsOnStdin) return undefined
  const r = await askAgent(endpointFor(ctx), what, { command })
  if (r === null) return undefined
  if (!r.ok && r.code === 'VAULT_LOCKED' && canUnlockHere(ctx)) return undefined
  return r
}

/**
 * Whether this run can unlock the vault itself when the agent's is locked: a passphrase in the
 * environment, or a person at a terminal to ask (our own prompt, never one an agent words).
 */
function canUnlockHere(ctx: Ctx): boolean {
  return ctx.env.TOKENDECK_PASSPHRASE !== undefined || tty.isatty(0)
}

/** A wait for the agent slower than a second shows progress at a terminal (progress.ts). */
function waited<T>(ctx: Ctx, work: () => Promise<T>): Promise<T> {
  return withProgress(`Waiting for the agent (${label(ctx)})`, ctx, work)
}

type Printer = (ctx: Ctx) => Promise<number | undefined>

const outside = fail('AGENT_UNAVAILABLE', 'The agent answered outside the protocol.')

const label = (ctx: Ctx) => ctx.args[0] ?? ''
/** `--yes`: at an evict-oldest cap, go ahead although the server ends the oldest token. */
const yes = (ctx: Ctx) => ctx.flags.yes === true

/** The commands the agent answers, by CLI name: each returns undefined to run directly. */
export const AGENT_COMMANDS: Record<string, Printer> = {
  async header(ctx) {
    const ask = { op: 'header', label: label(ctx), confirmEviction: yes(ctx) } as const
    const r = await waited(ctx, () => askAgentFor(ctx, ask, 'tokendeck header'))
    if (!r) return undefined
    return r.ok ? printHeader(ctx, r.value as HeaderOut) : reportTokenFailure(ctx, label(ctx), r)
  },
  async token(ctx) {
    const ask = { op: 'token', label: label(ctx), confirmEviction: yes(ctx) } as const
    const r = await waited(ctx, () => askAgentFor(ctx, ask, 'tokendeck token'))
    if (!r) return undefined
    return r.ok
      ? printToken(ctx, r.value as HeaderOut & { token: string })
      : reportTokenFailure(ctx, label(ctx), r)
  },
  async login(ctx) {
    const force = ctx.flags.force === true
    const ask = { op: 'login', label: label(ctx), force, confirmEviction: yes(ctx) } as const
    const r = await waited(ctx, () => askAgentFor(ctx, ask, 'tokendeck login'))
    if (!r) return undefined
    return r.ok
      ? printLogin(ctx, r.value as { label: string; token: TokenView; reused: boolean } & Evicted)
      : reportTokenFailure(ctx, label(ctx), r)
  },
  async revoke(ctx) {
    const modes = (['all', 'oldest', 'org', 'uncertain'] as const).filter(
      (m) => ctx.flags[m] === true,
    )
    // Several modes at once: the command itself says which to choose.
    if (modes.length > 1) return undefined
    const mode = modes[0] ?? 'current'
    const r = await askAgentFor(ctx, { op: 'revoke', label: label(ctx), mode }, 'tokendeck revoke')
    if (!r) return undefined
    if (!r.ok) return report(r, ctx)
    const { label: l, ...rest } = r.value as { label: string; message: string; failures: unknown[] }
    return mode === 'current' || mode === 'all'
      ? printRevoke(ctx, l, rest)
      : printRevokeMode(ctx, mode, rest)
  },
  async reject(ctx) {
    const r = await askAgentFor(ctx, { op: 'reject', label: label(ctx) }, 'tokendeck reject')
    if (!r) return undefined
    return r.ok ? printReject(ctx, r.value as { label: string; tokenId: string }) : report(r, ctx)
  },
  async status(ctx) {
    let probes: CheckReport[] | undefined
    if (ctx.flags.probe === true) {
      const l = ctx.args[0]
      const what = { op: 'check', ...(l !== undefined ? { label: l } : {}) } as const
      const c = await askAgentFor(ctx, what, 'tokendeck status --probe')
      if (!c) return undefined
      if (!c.ok) return report(c, ctx)
      probes = c.value as CheckReport[]
    }
    const r = await askAgentFor(ctx, { op: 'status' }, 'tokendeck status')
    if (!r) return undefined
    return r.ok ? printStatus(ctx, r.value as StatusData, ctx.args[0], probes) : report(r, ctx)
  },
  async log(ctx) {
    const raw = typeof ctx.flags.limit === 'string' ? ctx.flags.limit : undefined
    // A bad --limit is reported by the command itself.
    if (raw !== undefined && !/^\d+$/.test(raw)) return undefined
    const limit = raw === undefined ? 50 : Number(raw)
    if (limit < 1 || limit > 5000) return undefined
    const account = typeof ctx.flags.account === 'string' ? ctx.flags.account : undefined
    // Bad --type or --surface words are reported by the command itself.
    const filters = logFilters(ctx)
    if (!filters.ok) return undefined
    const r = await askAgentFor(
      ctx,
      { op: 'log', limit, ...(account ? { label: account } : {}), ...filters.value },
      'tokendeck log',
    )
    if (!r) return undefined
    if (!r.ok) return report(r, ctx)
    const list = logAnswerSchema.safeParse(r.value)
    if (!list.success) {
      return report(outside, ctx)
    }
    return printLog(ctx, list.data as EventList)
  },
  async 'accounts add'(ctx) {
    const providerId = typeof ctx.flags.provider === 'string' ? ctx.flags.provider : undefined
    if (!providerId || typeof ctx.flags.label !== 'string') return undefined
    const command = 'tokendeck accounts add'
    const f = await import('./account-fields')
    // A built-in's profile is the CLI's own: the agent is only asked whether it is there.
    const builtin = f.builtinProfile(providerId)
    const ask = builtin ? ({ op: 'ping' } as const) : ({ op: 'profile', providerId } as const)
    const found = await askAgentFor(ctx, ask, command, { secretsOnStdin: true })
    if (!found) return undefined
    if (!found.ok) return report(found, ctx)
    let profile: ProviderProfile
    if (builtin) {
      const ping = pingSchema.safeParse(found.value)
      if (!ping.success) return report(outside, ctx)
      if (!ping.data.unlocked) {
        if (canUnlockHere(ctx)) return undefined
        return report(fail('VAULT_LOCKED', 'The vault is locked in the agent; unlock it.'), ctx)
      }
      profile = builtin
    } else {
      const checked = f.checkAgentProfile(providerId, found.value)
      if (!checked.ok) return report(checked, ctx)
      profile = checked.value
    }
    // An imported profile's secrets, described by the agent, are never prompted for.
    const prompts = builtin
      ? f.secretPrompts(ctx, profile)
      : f.agentSecretPrompts(ctx, profile, process.stdin.isTTY === true)
    if (!prompts.ok) return report(prompts, { json: ctx.json, fieldName: f.flagNamer(profile) })
    const stdin = stdinReader()
    let lines: string[]
    try {
      const read = await stdin.read(prompts.value)
      if (!read.ok) return report(read, ctx)
      lines = read.value
    } finally {
      stdin.close()
    }
    const add: AddAccount = async (account) => {
      const r = await askAgentFor(ctx, { op: 'add', account }, command, { secretsOnStdin: true })
      return (r ?? fail('AGENT_UNAVAILABLE', 'The agent went away.')) as Result<{
        account: AccountView
        token: TokenView | null
      }>
    }
    const adding = typeof ctx.flags.label === 'string' ? ctx.flags.label : ''
    return f.addAccount(ctx, profile, lines, add, `Waiting for the agent (${adding})`)
  },
  async 'accounts remove'(ctx) {
    const what = { op: 'remove', label: label(ctx), force: ctx.flags.force === true } as const
    const r = await askAgentFor(ctx, what, 'tokendeck accounts remove')
    if (!r) return undefined
    const { printRemoved } = await import('./account-fields')
    return printRemoved(ctx, label(ctx), r as Result<{ label: string; liveTokensLeft: number }>)
  },
  async 'accounts list'(ctx) {
    const r = await askAgentFor(ctx, { op: 'accounts' }, 'tokendeck accounts list')
    if (!r) return undefined
    return r.ok ? printAccounts(ctx, r.value as AccountView[]) : report(r, ctx)
  },
}
