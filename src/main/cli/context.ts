// What every command gets (parsed flags, output mode) and how it opens the vault: folder from
// --vault / TOKENDECK_VAULT / the app's folder, passphrase from stdin (--passphrase-stdin),
// TOKENDECK_PASSPHRASE, or a hidden prompt at a terminal.
import net from 'node:net'
import { fail, ok, type Result } from '../../shared/result'
import type { Actions } from '../actions'
import { checkEndpointSocket } from '../agent/endpoint'
import { cliVault, cliActions as composeCliActions, type VaultServices } from '../composition'
import { stdinReader, type StdinReader } from './io'
import { endpointFor } from './connection'
import { followLoginPrompts } from './login-prompt-shown'
import { bool, vaultDir, vaultFlag, type Ctx } from './ctx'

export { bool, list, str, vaultDir, vaultFlag, type Ctx, type FlagValue } from './ctx'

/** The actions over this run's vault folder; VAULT_NOT_FOUND (a usage error) if there is none. */
export function existingVault(ctx: Ctx): Result<Actions> {
  const dir = vaultDir(ctx)
  const vault = cliVault(dir)
  if (!vault.exists) {
    return fail(
      'VAULT_NOT_FOUND',
      `No vault at ${dir}. Create one with tokendeck init${vaultFlag(ctx)}.`,
    )
  }
  return ok(vault.actions)
}

/** The core actions as the CLI has them: no clipboard, no OS keychain (composition.ts). */
export function cliActions(services: VaultServices): Actions {
  return composeCliActions(services)
}

/**
 * Takes TOKENDECK_PASSPHRASE out of the environment: deleting from `process.env` unsets it in the
 * process's real environment (libuv unsetenv), so no child process started later (spawn, exec,
 * a future `tokendeck run`) inherits it, whatever env it is given by default.
 */
export function takePassphraseFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.TOKENDECK_PASSPHRASE
  delete env.TOKENDECK_PASSPHRASE
  delete process.env.TOKENDECK_PASSPHRASE
  return value
}

/**
 * The passphrase: the first value on stdin with --passphrase-stdin (a line, or a hidden prompt at
 * a terminal), otherwise TOKENDECK_PASSPHRASE (which leaves the environment once read either
 * way), otherwise a hidden prompt when stdin is a terminal. In a pipe with neither, the vault is
 * locked, and the message says what to do next (never "export the passphrase").
 */
async function readPassphrase(
  ctx: Ctx,
  stdin: StdinReader,
  prompt: string,
): Promise<Result<string>> {
  const fromStdin = bool(ctx, 'passphrase-stdin')
  const envPass = takePassphraseFromEnv(ctx.env)
  if (fromStdin || (!envPass && stdin.interactive())) {
    const line = await stdin.read([prompt])
    return line.ok ? ok(line.value[0] ?? '') : line
  }
  if (envPass) return ok(envPass)
  return fail('VAULT_LOCKED', await lockedMessage(ctx))
}

/**
 * Whether an agent listens for this run's vault: a connection, nothing sent (a request, even a
 * ping, could ask the app's window for an approval). Only our own socket is tried.
 */
function agentListens(ctx: Ctx): Promise<boolean> {
  const endpoint = endpointFor(ctx)
  if (process.platform !== 'win32' && !checkEndpointSocket(endpoint)?.ok) {
    return Promise.resolve(false)
  }
  return new Promise((resolve) => {
    const socket = net.connect(endpoint)
    const done = (listening: boolean) => {
      socket.destroy()
      resolve(listening)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/**
 * "The vault is locked: ..." with the next step: the passphrase on stdin, or, when no agent
 * runs for this vault, starting one (after which no command needs the passphrase).
 */
async function lockedMessage(ctx: Ctx): Promise<string> {
  const stdin = 'pass the passphrase on stdin with --passphrase-stdin'
  if (ctx.env.TOKENDECK_AGENT === 'off') {
    return `The vault is locked: ${stdin} (TOKENDECK_AGENT=off: no agent is asked).`
  }
  if (await agentListens(ctx)) {
    return `The vault is locked, and this command opens it itself rather than asking the agent: ${stdin}.`
  }
  return `The vault is locked: ${stdin}, or start the agent once: tokendeck agent start${vaultFlag(ctx)}`
}

/**
 * A new passphrase for `init`: asked twice with hidden prompts at a terminal (unless
 * TOKENDECK_PASSPHRASE gives it and --passphrase-stdin does not ask for stdin), refused when the
 * two differ; else line 1 of stdin with --passphrase-stdin, else TOKENDECK_PASSPHRASE.
 */
export async function readNewPassphrase(ctx: Ctx): Promise<Result<string>> {
  const stdin = stdinReader()
  try {
    const fromStdin = bool(ctx, 'passphrase-stdin')
    const envPass = takePassphraseFromEnv(ctx.env)
    if ((fromStdin || !envPass) && stdin.interactive()) {
      const typed = await stdin.read(['New passphrase', 'New passphrase (again)'])
      if (!typed.ok) return typed
      const [first, again] = typed.value
      if (first !== again) {
        return fail('VALIDATION_FAILED', 'The two passphrases differ; nothing was created.')
      }
      return ok(first ?? '')
    }
    if (fromStdin) {
      const line = await stdin.read(['New passphrase'])
      return line.ok ? ok(line.value[0] ?? '') : line
    }
    if (envPass) return ok(envPass)
    return fail(
      'VALIDATION_FAILED',
      'tokendeck init needs a new passphrase: run it at a terminal to be asked, or pass it on stdin with --passphrase-stdin.',
    )
  } finally {
    stdin.close()
  }
}

/**
 * Reads what this run needs from stdin, in order: the passphrase (see readPassphrase), then one
 * value per `secretPrompts` entry. For `init`, which has no vault to unlock yet.
 */
export async function readPassphraseAndSecrets(
  ctx: Ctx,
  secretPrompts: readonly string[] = [],
  passphrasePrompt = 'Passphrase',
): Promise<Result<{ passphrase: string; secrets: string[] }>> {
  const stdin = stdinReader()
  try {
    const passphrase = await readPassphrase(ctx, stdin, passphrasePrompt)
    if (!passphrase.ok) return passphrase
    const secrets = await stdin.read(secretPrompts)
    if (!secrets.ok) return secrets
    return ok({ passphrase: passphrase.value, secrets: secrets.value })
  } finally {
    stdin.close()
  }
}

/**
 * Finds the vault, reads the passphrase from `stdin` (the run's one reader: what follows on it
 * is read after) and unlocks; the actions and the passphrase (a protection change proves who
 * asks with it).
 */
async function unlockHere(
  ctx: Ctx,
  stdin: StdinReader,
): Promise<Result<{ actions: Actions; passphrase: string }>> {
  const a = existingVault(ctx)
  if (!a.ok) return a
  const passphrase = await readPassphrase(ctx, stdin, 'Passphrase')
  if (!passphrase.ok) return passphrase
  const unlocked = await a.value.protection.unlock(
    { method: 'passphrase', passphrase: passphrase.value },
    'cli',
  )
  return unlocked.ok ? ok({ actions: a.value, passphrase: passphrase.value }) : unlocked
}

/**
 * Opens the vault here: the connector's way in when no agent answers (connection.ts). A login
 * that waits for a person (OAuth) shows its prompts on stderr for the rest of the run.
 */
export async function openVaultHere(ctx: Ctx, stdin: StdinReader): Promise<Result<Actions>> {
  const v = await unlockHere(ctx, stdin)
  if (!v.ok) return v
  followLoginPrompts(v.value.actions.logins, ctx.env)
  return ok(v.value.actions)
}

/**
 * Opens the vault and unlocks, then reads one line per `secretPrompts` from the same stdin (for
 * `passphrase change`: the new passphrase). Returns the actions, those lines and the passphrase.
 */
export async function unlockedVault(
  ctx: Ctx,
  secretPrompts: readonly string[] = [],
): Promise<Result<{ actions: Actions; secrets: string[]; passphrase: string }>> {
  const stdin = stdinReader()
  try {
    const v = await unlockHere(ctx, stdin)
    if (!v.ok) return v
    const secrets = await stdin.read(secretPrompts)
    return secrets.ok ? ok({ ...v.value, secrets: secrets.value }) : secrets
  } finally {
    stdin.close()
  }
}
