// `tokendeck agent`: the headless agent (unlock once, serve the CLI and helpers over a local
// socket, stop when idle) and `agent start|stop|status` to run it in the background and ask it.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fail, ok, type Result } from '../../shared/result'
import { askAgent } from '../agent/client'
import { startAgent } from '../agent/host'
import type { AgentPing } from '../agent/protocol'
import { askOp } from '../client/over-agent'
import { cliVault } from '../composition'
import { bool, readPassphraseAndSecrets, str, vaultDir, type Ctx } from './context'
import { formatUtc } from './format'
import { EXIT, note, print, printJson, report, usage } from './io'
import { exportLine } from './shell-quote'
import { endpointFor } from './connection'

function idleMinutes(ctx: Ctx): Result<number | undefined> {
  const raw = str(ctx, 'idle-timeout')
  if (raw === undefined) return ok(undefined)
  if (!/^\d+$/.test(raw) || Number(raw) > 24 * 60) {
    return usage('--idle-timeout takes whole minutes from 0 (never) to 1440.')
  }
  return ok(Number(raw))
}

/** The passphrase: $TOKENDECK_PASSPHRASE, --passphrase-stdin, or a hidden prompt at a terminal. */
function passphraseCtx(ctx: Ctx): Ctx {
  const interactive = process.stdin.isTTY && ctx.env.TOKENDECK_PASSPHRASE === undefined
  return interactive ? { ...ctx, flags: { ...ctx.flags, 'passphrase-stdin': true } } : ctx
}

/** `tokendeck agent [--idle-timeout MIN]`: serves until idle, `agent stop`, or a signal. */
export async function agentRun(ctx: Ctx): Promise<number> {
  // Started by `agent start`, whose end of our stdout and stderr closes once we are ready.
  process.stdout.on('error', () => {})
  process.stderr.on('error', () => {})
  const idle = idleMinutes(ctx)
  if (!idle.ok) return report(idle, ctx)
  const dir = vaultDir(ctx)
  const vault = cliVault(dir)
  if (!vault.exists) {
    return report(
      fail('VAULT_NOT_FOUND', `No vault at ${dir}. Create one with tokendeck init.`),
      ctx,
    )
  }
  const { actions } = vault
  const read = await readPassphraseAndSecrets(passphraseCtx(ctx))
  if (!read.ok) return report(read, ctx)
  const unlocked = await actions.protection.unlock(
    { method: 'passphrase', passphrase: read.value.passphrase },
    'cli',
  )
  if (!unlocked.ok) return report(unlocked, ctx)
  const settings = actions.settings.get()
  const minutes = idle.value ?? (settings.ok ? settings.value.autoLockMinutes : 15)
  const endpoint = endpointFor(ctx)
  let stop: () => void = () => {}
  const stopped = new Promise<void>((resolve) => (stop = resolve))
  const agent = await startAgent({
    endpoint,
    vaultDir: dir,
    kind: 'headless',
    actions: () => (actions.protection.isUnlocked() ? actions : null),
    log: (e) => void actions.events.log(e),
    now: vault.now,
    idleTimeoutMinutes: minutes,
    onStop: () => stop(),
  })
  if (!agent.ok) {
    actions.protection.lockNow()
    return report(agent, ctx)
  }
  actions.events.log({
    type: 'vault',
    surface: 'agent',
    message: `The headless agent started (pid ${process.pid}); it stops after ${minutes || 'no'} idle minutes.`,
  })
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  // Other machines' changes to the shared ledger show within a second; their requests are met.
  const unfollow = actions.ledger.follow()
  if (ctx.json) printJson({ endpoint, pid: process.pid, idleTimeoutMinutes: minutes })
  else print(`TOKENDECK_AGENT_SOCK=${endpoint}`)
  note(
    `tokendeck agent: serving ${dir} (pid ${process.pid}); stops after ${minutes || 'no'} idle minutes.`,
  )
  await stopped
  unfollow()
  actions.events.log({ type: 'vault', surface: 'agent', message: 'The headless agent stopped.' })
  await agent.value.close()
  await actions.protection.lock()
  return EXIT.ok
}

/** How `agent start` says where the agent listens: a line for people, or one for a shell's eval. */
type Announce = 'plain' | 'sh' | 'csh'

function announceStyle(ctx: Ctx): Result<Announce> {
  const sh = bool(ctx, 'sh')
  const csh = bool(ctx, 'csh')
  if (sh && csh) return usage('Choose one of -s (sh, bash, zsh) and -c (csh, tcsh, fish).')
  if ((sh || csh) && ctx.json) return usage('--json and -s or -c do not go together.')
  return ok(sh ? 'sh' : csh ? 'csh' : 'plain')
}

/** Prints where the agent listens, in the style asked for (stdout: for `eval`). */
function announce(ctx: Ctx, style: Announce, endpoint: string, fields: Record<string, unknown>) {
  if (ctx.json) printJson({ endpoint, ...fields })
  else if (style === 'plain') print(`TOKENDECK_AGENT_SOCK=${endpoint}`)
  // Not print(): it would drop characters, and the line must say the path exactly.
  else process.stdout.write(`${exportLine(style, endpoint)}\n`)
}

/**
 * The ping of the agent answering at `endpoint`, when it serves the vault this run names; a
 * failure when it serves another one (TOKENDECK_AGENT_SOCK points elsewhere).
 */
function sameVault(ctx: Ctx, endpoint: string, p: AgentPing): Result<AgentPing> {
  const mine = path.resolve(vaultDir(ctx))
  const real = (d: string) => {
    try {
      return fs.realpathSync(d)
    } catch {
      return path.resolve(d)
    }
  }
  if (path.resolve(p.vaultDir) !== mine && real(p.vaultDir) !== real(mine)) {
    return fail(
      'CONFLICT',
      `The agent at ${endpoint} (pid ${p.pid}) serves another vault, ${p.vaultDir}; nothing was started for ${mine}. Stop it first, or unset TOKENDECK_AGENT_SOCK.`,
    )
  }
  return ok(p)
}

/**
 * `tokendeck agent start [-s | -c]`: runs the agent in the background and returns once it
 * answers. Idempotent: when an agent already serves this vault, it says so (its pid) and exits 0
 * without asking for the passphrase. `-s` / `-c` print the endpoint as a command for `eval`.
 */
export async function agentStart(ctx: Ctx): Promise<number> {
  const idle = idleMinutes(ctx)
  if (!idle.ok) return report(idle, ctx)
  const style = announceStyle(ctx)
  if (!style.ok) return report(style, ctx)
  const endpoint = endpointFor(ctx)
  if (style.value !== 'plain') {
    // Checked before anything starts: a line eval cannot read back exactly is refused.
    const line = exportLine(style.value, endpoint)
    if (line === null) {
      return report(
        usage(
          `The agent's endpoint ${JSON.stringify(endpoint)} holds a control character, which -${style.value === 'sh' ? 's' : 'c'} cannot print safely; set TOKENDECK_AGENT_SOCK to another path.`,
        ),
        ctx,
      )
    }
  }
  const running = await askOp(endpoint, 'ping', {}, { command: 'tokendeck agent start' })
  // Something answers at the endpoint, but not as an agent does: say so, start nothing.
  if (running?.ok === false && running.code === 'AGENT_PROTOCOL') return report(running, ctx)
  if (running?.ok) {
    const p = sameVault(ctx, endpoint, running.value)
    if (!p.ok) return report(p, ctx)
    announce(ctx, style.value, endpoint, { pid: p.value.pid, alreadyRunning: true })
    const who = p.value.kind === 'app' ? 'the TokenDeck app' : 'an agent'
    const locked = p.value.unlocked ? '' : ' Its vault is locked: unlock it there.'
    note(
      `tokendeck: ${who} already serves this vault (pid ${p.value.pid}); nothing was started.${locked}`,
    )
    return EXIT.ok
  }
  const read = await readPassphraseAndSecrets(passphraseCtx(ctx))
  if (!read.ok) return report(read, ctx)
  const args = [process.argv[1]!, 'agent', '--passphrase-stdin', '--vault', vaultDir(ctx)]
  if (idle.value !== undefined) args.push('--idle-timeout', String(idle.value))
  // The passphrase goes to the child on its stdin, never in its arguments or environment.
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...ctx.env, TOKENDECK_AGENT_SOCK: endpoint },
  })
  child.stdin.end(`${read.value.passphrase}\n`)
  let err = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
  const ready = await new Promise<boolean>((resolve) => {
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d
      if (out.includes('\n')) resolve(true)
    })
    child.once('exit', () => resolve(false))
  })
  if (!ready) {
    process.stderr.write(err)
    return child.exitCode ?? EXIT.provider
  }
  child.stdout.destroy()
  child.stderr.destroy()
  child.unref()
  announce(ctx, style.value, endpoint, { pid: child.pid, alreadyRunning: false })
  note(
    `tokendeck: the agent runs in the background (pid ${child.pid}); stop it with tokendeck agent stop.`,
  )
  return EXIT.ok
}

/** `tokendeck agent stop`: asks the headless agent of this vault to stop. */
export async function agentStop(ctx: Ctx): Promise<number> {
  const endpoint = endpointFor(ctx)
  const r = await askAgent(endpoint, { op: 'stop' }, { command: 'tokendeck agent stop' })
  if (r === null)
    return report(fail('AGENT_UNAVAILABLE', `No agent serves this vault (${endpoint}).`), ctx)
  if (!r.ok) return report(r, ctx)
  if (ctx.json) printJson({ stopped: true })
  else print('The agent stopped.')
  return EXIT.ok
}

/** `tokendeck agent status`: which agent serves this vault, since when, and whether unlocked. */
export async function agentStatus(ctx: Ctx): Promise<number> {
  const endpoint = endpointFor(ctx)
  const r = await askOp(endpoint, 'ping', {}, { command: 'tokendeck agent status' })
  if (r === null)
    return report(fail('AGENT_UNAVAILABLE', `No agent serves this vault (${endpoint}).`), ctx)
  if (!r.ok) return report(r, ctx)
  const p = r.value
  if (ctx.json) printJson({ endpoint, ...p })
  else {
    const who = p.kind === 'app' ? 'the TokenDeck app' : 'a headless agent'
    const idle =
      p.idleTimeoutMinutes > 0
        ? `stops after ${p.idleTimeoutMinutes} idle minutes`
        : 'no idle timeout'
    print(
      `${who} (pid ${p.pid}) serves ${p.vaultDir} at ${endpoint} since ${formatUtc(p.startedAt)}; ` +
        `vault ${p.unlocked ? 'unlocked' : 'locked'}; ${idle}.`,
    )
  }
  return p.unlocked ? EXIT.ok : EXIT.locked
}
