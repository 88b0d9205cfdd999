// `tokendeck agent`: the headless agent (unlock once, serve the CLI and helpers over a local
// socket, stop when idle) and `agent start|stop|status` to run it in the background and ask it.
import { spawn } from 'node:child_process'
import { fail, ok, type Result } from '../../shared/result'
import { askAgent } from '../agent/client'
import { startAgent } from '../agent/host'
import type { AgentPing } from '../agent/protocol'
import { createVaultServices } from '../vault'
import { cliActions, readPassphraseAndSecrets, str, vaultDir, type Ctx } from './context'
import { formatUtc } from './format'
import { EXIT, note, print, printJson, report, usage } from './io'
import { endpointFor } from './via-agent'

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
  const services = createVaultServices({ dir })
  if (!services.vault.file.exists()) {
    return report(
      fail('VAULT_NOT_FOUND', `No vault at ${dir}. Create one with tokendeck init.`),
      ctx,
    )
  }
  const actions = cliActions(services)
  const read = await readPassphraseAndSecrets(passphraseCtx(ctx))
  if (!read.ok) return report(read, ctx)
  const unlocked = await actions.protection.unlock(
    { method: 'passphrase', passphrase: read.value.passphrase },
    'cli',
  )
  if (!unlocked.ok) return report(unlocked, ctx)
  const settings = services.vault.settings()
  const minutes = idle.value ?? (settings.ok ? settings.value.autoLockMinutes : 15)
  const endpoint = endpointFor(ctx)
  let stop: () => void = () => {}
  const stopped = new Promise<void>((resolve) => (stop = resolve))
  const agent = await startAgent({
    endpoint,
    vaultDir: dir,
    kind: 'headless',
    actions: () => (services.vault.unlocked ? actions : null),
    log: (e) => services.vault.log(e),
    now: () => services.vault.clock.now(),
    idleTimeoutMinutes: minutes,
    onStop: () => stop(),
  })
  if (!agent.ok) {
    services.vault.lock()
    return report(agent, ctx)
  }
  services.vault.log({
    type: 'vault',
    surface: 'agent',
    message: `The headless agent started (pid ${process.pid}); it stops after ${minutes || 'no'} idle minutes.`,
  })
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  if (ctx.json) printJson({ endpoint, pid: process.pid, idleTimeoutMinutes: minutes })
  else print(`TOKENDECK_AGENT_SOCK=${endpoint}`)
  note(
    `tokendeck agent: serving ${dir} (pid ${process.pid}); stops after ${minutes || 'no'} idle minutes.`,
  )
  await stopped
  services.vault.log({ type: 'vault', surface: 'agent', message: 'The headless agent stopped.' })
  await agent.value.close()
  await services.vault.lockWhenIdle()
  return EXIT.ok
}

/** `tokendeck agent start`: runs the agent in the background; returns once it answers. */
export async function agentStart(ctx: Ctx): Promise<number> {
  const idle = idleMinutes(ctx)
  if (!idle.ok) return report(idle, ctx)
  const endpoint = endpointFor(ctx)
  const running = await askAgent(endpoint, { op: 'ping' }, { command: 'tokendeck agent start' })
  if (running?.ok) {
    return report(fail('CONFLICT', `An agent already serves this vault at ${endpoint}.`), ctx)
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
  if (ctx.json) printJson({ endpoint, pid: child.pid })
  else print(`TOKENDECK_AGENT_SOCK=${endpoint}`)
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
  const r = await askAgent(endpoint, { op: 'ping' }, { command: 'tokendeck agent status' })
  if (r === null)
    return report(fail('AGENT_UNAVAILABLE', `No agent serves this vault (${endpoint}).`), ctx)
  if (!r.ok) return report(r, ctx)
  const p = r.value as AgentPing
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
