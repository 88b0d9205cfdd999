// What every command gets: its parsed flags, positionals, output mode and environment, and the
// readers of its flags. Light (no vault code): commands that may go through the agent import it.
import os from 'node:os'
import { resolveVaultDir } from './default-dir'
import { quoteArg } from './format'
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
