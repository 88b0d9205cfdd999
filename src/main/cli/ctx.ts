// What every command gets: its parsed flags, positionals, output mode and environment, and the
// readers of its flags. Light (no vault code): commands that may go through the agent import it.
import os from 'node:os'
import { resolveVaultDir } from './default-dir'
import { quoteArg } from './format'
import type { CommandTable } from './commands'
import type { CliConnection } from './connection'

export type FlagValue = string | boolean | string[] | undefined

/** Every command's flags, as the command table (commands.ts) declares them. */
type Options = CommandTable[number]['options']
type KeysOf<T> = T extends unknown ? keyof T : never
type Declared = { [K in KeysOf<Options>]: Extract<Options, Record<K, unknown>>[K] }
/** The flags that some command declares as `T` (`--org` is text for one, a switch for another). */
type Named<T> = {
  [K in keyof Declared]: [Extract<Declared[K], T>] extends [never] ? never : K
}[keyof Declared]
/** Flags every command (or every vault command) takes besides its own (index.ts). */
type Common = {
  json: { type: 'boolean' }
  help: { type: 'boolean' }
  'passphrase-stdin': { type: 'boolean' }
}

/** A flag a command can be given: a typo in a flag's name does not compile. */
export type FlagName = keyof Declared | keyof Common | 'vault'
export type BoolFlag = Named<{ type: 'boolean' }> | keyof Common
export type TextFlag = Named<{ type: 'string' }> | 'vault'
export type ListFlag = Named<{ type: 'string'; multiple: true }>

/** One command invocation: its flags, positionals and output mode. */
export interface Ctx {
  json: boolean
  flags: Readonly<Partial<Record<FlagName, FlagValue>>>
  args: string[]
  env: NodeJS.ProcessEnv
  /**
   * Where the vault's operations go instead of the connector (connection.ts): a test runs a
   * command in process against the in-process client. Absent in a real run.
   */
  connect?: (command: string) => CliConnection
}

export function str(ctx: Ctx, name: TextFlag): string | undefined {
  const v = ctx.flags[name]
  return typeof v === 'string' ? v : undefined
}

export function bool(ctx: Ctx, name: BoolFlag): boolean {
  return ctx.flags[name] === true
}

export function list(ctx: Ctx, name: ListFlag | TextFlag): string[] {
  const v = ctx.flags[name]
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : []
}

/** The vault folder of this run: --vault, else TOKENDECK_VAULT, else the app's folder. */
export function vaultDir(ctx: Ctx): string {
  return resolveVaultDir(str(ctx, 'vault'), {
    platform: process.platform,
    env: ctx.env,
    home: os.homedir(),
  })
}

/** ` --vault DIR` when this run named its folder with the flag, for commands we suggest. */
export function vaultFlag(ctx: Ctx): string {
  const flag = str(ctx, 'vault')
  return flag === undefined ? '' : ` --vault ${quoteArg(flag)}`
}
