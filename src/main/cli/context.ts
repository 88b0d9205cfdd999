// What every command gets (parsed flags, output mode) and how it opens the vault: folder from
// --vault / TOKENDECK_VAULT / the app's folder, passphrase from TOKENDECK_PASSPHRASE or stdin.
import os from 'node:os'
import { fail, ok, type Result } from '../../shared/result'
import { createActions, type Actions } from '../actions'
import { createVaultServices } from '../vault'
import type { UnlockConsent } from '../vault/vault'
import { resolveVaultDir } from './default-dir'
import { stdinReader, type StdinReader } from './io'

export type FlagValue = string | boolean | string[] | undefined

/** One command invocation: its flags, positionals and output mode. */
export interface Ctx {
  json: boolean
  flags: Record<string, FlagValue>
  args: string[]
  env: NodeJS.ProcessEnv
}

export function str(ctx: Ctx, name: string): string | undefined {
  const v = ctx.flags[name]
  return typeof v === 'string' ? v : undefined
}

export function bool(ctx: Ctx, name: string): boolean {
  return ctx.flags[name] === true
}

export function list(ctx: Ctx, name: string): string[] {
  const v = ctx.flags[name]
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : []
}

export function vaultDir(ctx: Ctx): string {
  return resolveVaultDir(str(ctx, 'vault'), {
    platform: process.platform,
    env: ctx.env,
    home: os.homedir(),
  })
}

/** The actions over this run's vault folder; VAULT_NOT_FOUND (a usage error) if there is none. */
export function existingVault(ctx: Ctx): Result<Actions> {
  const dir = vaultDir(ctx)
  const services = createVaultServices({ dir })
  if (!services.vault.file.exists()) {
    return fail('VAULT_NOT_FOUND', `No vault at ${dir}. Create one with tokendeck init.`)
  }
  return ok(cliActions(services))
}

/** The core actions as the CLI has them: no clipboard, no OS keychain. */
export function cliActions(services: ReturnType<typeof createVaultServices>): Actions {
  return createActions({ services: () => services, platform: process.platform, safeStorage: null })
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
 * The passphrase: the first value on stdin with --passphrase-stdin (a line, or a hidden prompt on
 * a terminal), otherwise TOKENDECK_PASSPHRASE, which leaves the environment once read either way.
 */
async function readPassphrase(
  ctx: Ctx,
  stdin: StdinReader,
  prompt: string,
): Promise<Result<string>> {
  const fromStdin = bool(ctx, 'passphrase-stdin')
  const envPass = takePassphraseFromEnv(ctx.env)
  if (!fromStdin && !envPass) {
    return fail(
      'VAULT_LOCKED',
      'The vault is locked: set TOKENDECK_PASSPHRASE or pass --passphrase-stdin (first line of stdin).',
    )
  }
  if (!fromStdin) return ok(envPass ?? '')
  const line = await stdin.read([prompt])
  return line.ok ? ok(line.value[0] ?? '') : line
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
 * Opens the vault, reads the passphrase and unlocks; only then asks `secretPrompts` (which may
 * read the vault) what to read next from stdin. Returns the actions, those secrets and the
 * passphrase itself (a protection change proves who asks with it).
 */
export async function unlockedVault(
  ctx: Ctx,
  secretPrompts: (a: Actions) => Result<string[]> = () => ok([]),
  /** What the person confirmed (`tokendeck vault upgrade|accept-older --yes`). */
  consent: UnlockConsent = {},
): Promise<Result<{ actions: Actions; secrets: string[]; passphrase: string }>> {
  const a = existingVault(ctx)
  if (!a.ok) return a
  const stdin = stdinReader()
  try {
    const passphrase = await readPassphrase(ctx, stdin, 'Passphrase')
    if (!passphrase.ok) return passphrase
    const unlocked = await a.value.protection.unlock(
      { method: 'passphrase', passphrase: passphrase.value, ...consent },
      'cli',
    )
    if (!unlocked.ok) return unlocked
    const prompts = secretPrompts(a.value)
    if (!prompts.ok) return prompts
    const secrets = await stdin.read(prompts.value)
    if (!secrets.ok) return secrets
    return ok({ actions: a.value, secrets: secrets.value, passphrase: passphrase.value })
  } finally {
    stdin.close()
  }
}

export { secretsByField } from './account-fields'
