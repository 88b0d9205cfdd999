// How a CLI command reaches the vault: the client interface through the one connector
// (client/connect.ts): the vault's agent first, else the vault opened here with this run's
// passphrase. No vault code loads unless the vault is opened here. Every vault command that the
// agent can answer is written once over this, and prints the same either way.
import os from 'node:os'
import tty from 'node:tty'
import { fail, ok, type Result } from '../../shared/result'
import { findAccount, noAccount } from '../../shared/state'
import type { AccountView } from '../../shared/views'
import type { Actions } from '../actions'
import { agentEndpoint } from '../agent/endpoint'
import { connect, type Connection } from '../client/connect'
import type { Client } from '../client/operations'
import { bool, str, type Ctx } from './ctx'
import { resolveVaultDir } from './default-dir'
import { stdinReader, type StdinReader } from './io'
import { showLoginPrompt } from './login-prompt-shown'

/** The agent endpoint this run would ask (the same vault folder resolution as opening it). */
export function endpointFor(ctx: Ctx): string {
  const flag = str(ctx, 'vault')
  const dir = resolveVaultDir(flag, {
    platform: process.platform,
    env: ctx.env,
    home: os.homedir(),
  })
  return agentEndpoint(dir, ctx.env)
}

/**
 * Whether this run can unlock the vault itself when the agent's is locked: a passphrase in the
 * environment, or a person at a terminal to ask (our own prompt, never one an agent words).
 */
export function canUnlockHere(ctx: Ctx): boolean {
  return ctx.env.TOKENDECK_PASSPHRASE !== undefined || tty.isatty(0)
}

/** A connection with this run's stdin: the passphrase, then any secrets, read in that order. */
export interface CliConnection extends Connection {
  stdin: StdinReader
  close(): void
}

/**
 * The client for this run. The agent is not asked with TOKENDECK_AGENT=off or when the
 * passphrase comes on stdin (this run opens the vault itself). `mayOpen: false`: never open the
 * vault here (a command with something else to do when no agent answers); it answers
 * VAULT_LOCKED instead.
 */
export function cliConnection(
  ctx: Ctx,
  command: string,
  o: { mayOpen?: boolean } = {},
): CliConnection {
  if (ctx.connect) return ctx.connect(command)
  const stdin = stdinReader()
  const askAgent = ctx.env.TOKENDECK_AGENT !== 'off' && !bool(ctx, 'passphrase-stdin')
  const open = async (): Promise<Result<Actions>> => {
    if (o.mayOpen === false) return fail('VAULT_LOCKED', 'The vault is locked.')
    const { openVaultHere } = await import('./context')
    return openVaultHere(ctx, stdin)
  }
  const c = connect({
    endpoint: askAgent ? endpointFor(ctx) : null,
    command,
    open,
    canUnlockHere: () => o.mayOpen !== false && canUnlockHere(ctx),
    surface: 'cli',
    // A login the agent runs for this request shows its prompt here, as one run here would.
    onNotice: (n) =>
      showLoginPrompt(n.loginPrompt, { env: ctx.env, openedElsewhere: n.browserOpened }),
  })
  return { ...c, stdin, close: () => stdin.close() }
}

/** Runs `use` with this run's connection, and closes its stdin after. */
export async function withConnection<T>(
  ctx: Ctx,
  command: string,
  use: (c: CliConnection) => Promise<T>,
  o: { mayOpen?: boolean } = {},
): Promise<T> {
  const c = cliConnection(ctx, command, o)
  try {
    return await use(c)
  } finally {
    c.close()
  }
}

/** The account a label names, as `accounts` lists it (where its token may go: its base URL). */
export async function accountNamed(client: Client, label: string): Promise<Result<AccountView>> {
  const all = await client.accounts({})
  if (!all.ok) return all
  const found = findAccount(all.value, label)
  return found ? ok(found) : fail('NOT_FOUND', noAccount(label, all.value))
}
