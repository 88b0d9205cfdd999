// `tokendeck setup-git [L | URL [L]] [--local]`: one command that makes git ask TokenDeck for an
// account's token, as `gh auth setup-git` does: git's credential helper for the server (global,
// or this repository's), `useHttpPath` where paths decide the account, and the route. Runs the
// real `git config`; the vault is asked through the agent when one serves it.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fail, ok, type Result } from '../../shared/result'
import { findAccount, noAccount } from '../../shared/state'
import { isBelowBaseUrl, normalizeBaseUrl } from '../../shared/url-policy'
import type { AccountView } from '../../shared/views'
import type { RouteView } from '../actions/routes'
import { bool, str, vaultDir, type Ctx } from './ctx'
import { EXIT, note, print, printJson, report, usage } from './io'
import { shQuote } from './shell-quote'
import { cliConnection } from './connection'

/** What setup-git does for one account: the git settings and the route. */
export interface GitSetup {
  label: string
  /** The route's URL prefix (normalised), and the server git keys the helper on. */
  prefix: string
  origin: string
  useHttpPath: boolean
}

/** A URL's origin and whether it has a path below it. */
function originAndPath(url: string): { origin: string; hasPath: boolean } {
  const u = new URL(url)
  return { origin: u.origin, hasPath: u.pathname !== '/' && u.pathname !== '' }
}

/**
 * Decides what to set up, from the accounts and routes: the account (by label, or the one that
 * serves the URL), the route's prefix (the URL, else the account's base URL), and whether git must
 * send paths (`useHttpPath`): when the prefix has a path, when another account is on the same
 * server, or when a route on that server has a path. Refuses to move a route that serves another
 * account: that is `tokendeck route add`'s to do, knowingly.
 */
export function planGitSetup(
  target: { label?: string; url?: string },
  accounts: readonly AccountView[],
  routes: readonly RouteView[],
  match: { label: string } | null,
): Result<GitSetup & { outside: string | null }> {
  const label = target.label ?? match?.label
  if (label === undefined) return fail('NOT_FOUND', 'No account serves that URL.')
  const account = findAccount(accounts, label)
  if (!account) return fail('NOT_FOUND', noAccount(label))
  const prefix = normalizeBaseUrl(target.url ?? account.baseUrl)
  if (!prefix.ok) return prefix
  const existing = routes.find((r) => sameRoute(r, prefix.value))
  if (existing && existing.accountId !== account.id) {
    return fail(
      'CONFLICT',
      `git on ${prefix.value} already uses "${existing.label}" (a route); nothing was changed. To use "${account.label}" there instead: tokendeck route add ${prefix.value} ${shQuote(account.label)}; or name a path of the server that is "${account.label}"'s: tokendeck setup-git ${prefix.value}/PATH ${shQuote(account.label)}.`,
    )
  }
  const { origin, hasPath } = originAndPath(prefix.value)
  const onServer = (url: string) => {
    const n = normalizeBaseUrl(url)
    return n.ok ? originAndPath(n.value) : null
  }
  const sharing = accounts.filter((a) => onServer(a.baseUrl)?.origin === origin).length > 1
  const pathRoutes = routes.some((r) => {
    const o = onServer(r.prefix)
    return o?.origin === origin && o.hasPath
  })
  const outside = isBelowBaseUrl(prefix.value, account.baseUrl) ? null : account.baseUrl
  return ok({
    label: account.label,
    prefix: prefix.value,
    origin,
    useHttpPath: hasPath || sharing || pathRoutes,
    outside,
  })
}

function sameRoute(r: RouteView, prefix: string): boolean {
  const n = normalizeBaseUrl(r.prefix)
  return n.ok && n.value === prefix
}

/** `path` of `name` on $PATH, resolved; null when there is none. */
function onPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    const file = path.join(dir, name)
    try {
      fs.accessSync(file, fs.constants.X_OK)
      return fs.realpathSync(file)
    } catch {
      /* not here */
    }
  }
  return null
}

function real(file: string): string {
  try {
    return fs.realpathSync(file)
  } catch {
    return path.resolve(file)
  }
}

/**
 * The helper line git runs (`!` makes it a shell snippet; git appends get, store or erase):
 * `tokendeck` when the `tokendeck` on PATH is this very CLI (so an upgrade or another Node keeps
 * working), else this Node and this CLI's script by absolute path (as gh writes its own path).
 * `--vault DIR` when the vault is not the default one, since git (an IDE, a GUI) may run without
 * this shell's TOKENDECK_VAULT.
 */
export function helperLine(ctx: Ctx, vaultDir: string, defaultVault: boolean): string {
  const script = real(process.argv[1]!)
  const found = onPath('tokendeck', ctx.env)
  const same =
    found !== null &&
    (found === script || real(path.join(path.dirname(found), '../out/main/cli.js')) === script)
  const self = same ? 'tokendeck' : `${shQuote(process.execPath)} ${shQuote(script)}`
  const vault = defaultVault ? '' : ` --vault ${shQuote(vaultDir)}`
  return `!${self} git-credential${vault}`
}

/** The values of `key` in one scope of git's configuration (none: an empty list). */
function gitValues(scope: string, key: string, env: NodeJS.ProcessEnv): string[] {
  const r = spawnSync('git', ['config', scope, '--get-all', key], { env, encoding: 'utf8' })
  return r.status === 0 ? r.stdout.replace(/\n$/, '').split('\n') : []
}

/** Runs `git config ARGS` (the real git, no shell); its words when it fails. */
function gitConfig(args: string[], env: NodeJS.ProcessEnv): Result<void> {
  const r = spawnSync('git', ['config', ...args], { env, encoding: 'utf8' })
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT'
    return fail('UNSUPPORTED', missing ? 'git is not on PATH.' : 'git could not be run.')
  }
  if (r.status !== 0) {
    const why =
      (r.stderr || '')
        .trim()
        .split('\n')[0]
        ?.replace(/^(fatal|error): /, '') ?? ''
    return fail(
      'VALIDATION_FAILED',
      `git config failed: ${why.slice(0, 200) || `exit ${r.status}`}.`,
    )
  }
  return ok(undefined)
}

/** git is there, and for --local this folder is in a repository: checked before the vault. */
function gitReady(local: boolean, env: NodeJS.ProcessEnv): Result<void> {
  const r = spawnSync('git', local ? ['rev-parse', '--git-dir'] : ['--version'], {
    env,
    encoding: 'utf8',
  })
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT'
    return fail('UNSUPPORTED', missing ? 'git is not on PATH.' : 'git could not be run.')
  }
  if (r.status !== 0) {
    return fail(
      'VALIDATION_FAILED',
      local
        ? '--local: this folder is not in a git repository; nothing was changed.'
        : 'git does not run; nothing was changed.',
    )
  }
  return ok(undefined)
}

/**
 * `tokendeck setup-git [L | URL [L]] [--local]`. L: the account's server. URL: the account
 * that serves it (routes, else the one account covering it), or L's when given, for that URL.
 */
export async function setupGit(ctx: Ctx): Promise<number> {
  const [first, second] = ctx.args as [string, string | undefined]
  const isUrl = first.includes('://')
  if (!isUrl && second !== undefined) {
    return report(usage('Usage: tokendeck setup-git [L | URL [L]] [--local]'), ctx)
  }
  const scope = bool(ctx, 'local') ? '--local' : '--global'
  // git's own environment, but never the passphrase.
  const env = { ...ctx.env }
  delete env.TOKENDECK_PASSPHRASE
  const ready = gitReady(scope === '--local', env)
  if (!ready.ok) return report(ready, ctx)
  const { client } = cliConnection(ctx, 'tokendeck setup-git')
  let url: string | undefined
  if (isUrl) {
    const n = normalizeBaseUrl(first)
    if (!n.ok) return report(n, ctx)
    url = n.value
  }
  const accounts = await client.accounts({})
  if (!accounts.ok) return report(accounts, ctx)
  const routes = await client.routes({})
  if (!routes.ok) return report(routes, ctx)
  let match: { label: string } | null = null
  if (url !== undefined && second === undefined) {
    const m = await client.match({ url })
    if (!m.ok) {
      return report(m, {
        json: ctx.json,
        hint: `Name the account: tokendeck setup-git ${url} L`,
      })
    }
    match = m.value
  }
  const label = isUrl ? second : first
  const target = { ...(label !== undefined ? { label } : {}), ...(url ? { url } : {}) }
  const plan = planGitSetup(target, accounts.value, routes.value, match)
  if (!plan.ok) return report(plan, ctx)
  const { outside, ...p } = plan.value
  // The route first: if the vault refuses it, git's configuration is left as it was.
  if (!routes.value.some((r) => sameRoute(r, p.prefix))) {
    const added = await client.route({ prefix: p.prefix, label: p.label })
    if (!added.ok) return report(added, ctx)
  }
  const pinned = Boolean(str(ctx, 'vault') || ctx.env.TOKENDECK_VAULT)
  const helper = helperLine(ctx, vaultDir(ctx), !pinned)
  const key = `credential.${p.origin}`
  // As gh does: an empty value first ends the helpers inherited for this server (a keychain
  // would otherwise answer first or store the token), then ours.
  // Already so (a second run): nothing is written.
  const steps: string[][] = []
  const current = gitValues(scope, `${key}.helper`, env)
  if (current.length !== 2 || current[0] !== '' || current[1] !== helper) {
    steps.push(
      [scope, '--replace-all', `${key}.helper`, ''],
      [scope, '--add', `${key}.helper`, helper],
    )
  }
  if (p.useHttpPath && gitValues(scope, `${key}.useHttpPath`, env).join() !== 'true') {
    steps.push([scope, `${key}.useHttpPath`, 'true'])
  }
  for (const step of steps) {
    const r = gitConfig(step, env)
    if (!r.ok) return report(r, ctx)
  }
  const where = scope === '--local' ? 'this repository' : 'global'
  if (ctx.json) {
    printJson({ ...p, scope: where, helper })
  } else {
    print(`git (${where}): ${key}.helper = ${helper}`)
    if (p.useHttpPath) print(`git (${where}): ${key}.useHttpPath = true`)
    print(`route: ${p.prefix} -> ${p.label}`)
  }
  if (outside) {
    note(
      `tokendeck: ${p.prefix} is not below "${p.label}"'s base URL (${outside}): git will send its token there, as you asked.`,
    )
  }
  return EXIT.ok
}
