// `tokendeck trust [PATH]`, `trust --revoke [PATH]` and `trust --list`: which .tokendeck.json files
// may choose the default account (direnv's allow / deny). Works without the vault and the agent.
import fs from 'node:fs'
import path from 'node:path'
import { fail, ok, type Result } from '../../shared/result'
import { bool, type Ctx } from './ctx'
import { ACCOUNT_FILE, findAccountFile, readAccountFile } from './default-account'
import { EXIT, print, printJson, report, usage } from './io'
import {
  readTrustStore,
  trustKey,
  trustStoreFile,
  writeTrustStore,
  type TrustEntry,
} from './trust-store'

/** The file PATH names (a folder: its .tokendeck.json), else the nearest one from here. */
function fileFor(given: string | undefined): Result<string> {
  if (given === undefined) {
    const found = findAccountFile(process.cwd())
    return found
      ? ok(found)
      : fail('NOT_FOUND', `No ${ACCOUNT_FILE} in ${process.cwd()} or a folder above it.`)
  }
  const abs = path.resolve(given)
  let isDir = false
  try {
    isDir = fs.statSync(abs).isDirectory()
  } catch {
    /* missing: named as it is (--revoke of a file that is gone) */
  }
  const file = isDir ? path.join(abs, ACCOUNT_FILE) : abs
  if (path.basename(file) !== ACCOUNT_FILE) {
    return fail(
      'VALIDATION_FAILED',
      `${given} is not a ${ACCOUNT_FILE}: only files of that name choose a default account.`,
    )
  }
  return ok(file)
}

/** `tokendeck trust [PATH] | --revoke [PATH] | --list` */
export async function trust(ctx: Ctx): Promise<number> {
  const revoke = bool(ctx, 'revoke')
  const list = bool(ctx, 'list')
  if (revoke && list) return report(usage('Choose --revoke or --list, not both.'), ctx)
  if (list) {
    if (ctx.args.length > 0) return report(usage('trust --list takes no PATH.'), ctx)
    return listTrusted(ctx)
  }
  const file = fileFor(ctx.args[0])
  if (!file.ok) return report(file, ctx)
  const store = readTrustStore(ctx.env)
  if (!store.ok) return report(store, ctx)
  const key = trustKey(file.value)
  const others = store.value.filter((e) => e.path !== key)
  if (revoke) {
    if (others.length === store.value.length) {
      return report(fail('NOT_FOUND', `${file.value} was not trusted.`), ctx)
    }
    const w = writeTrustStore(ctx.env, others)
    if (!w.ok) return report(w, ctx)
    if (ctx.json) printJson({ path: key, trusted: false })
    else print(`No longer trusted: ${key}`)
    return EXIT.ok
  }
  const read = readAccountFile(file.value)
  if (!read.ok) return report(read, ctx)
  const entry: TrustEntry = {
    path: key,
    sha256: read.value.sha256,
    account: read.value.label,
    trustedAt: new Date().toISOString(),
  }
  const w = writeTrustStore(ctx.env, [...others, entry])
  if (!w.ok) return report(w, ctx)
  if (ctx.json) printJson({ path: key, account: entry.account, sha256: entry.sha256 })
  else {
    print(
      `Trusted ${key}: without a label, commands in ${path.dirname(key)} and below use the ` +
        `account "${entry.account}". A change to the file needs tokendeck trust again.`,
    )
  }
  return EXIT.ok
}

/** Each trusted file and whether it still holds what was trusted. */
function listTrusted(ctx: Ctx): number {
  const store = readTrustStore(ctx.env)
  if (!store.ok) return report(store, ctx)
  const files = store.value.map((e) => {
    const now = readAccountFile(e.path)
    const state = now.ok
      ? now.value.sha256 === e.sha256
        ? 'trusted'
        : 'changed'
      : fs.existsSync(e.path)
        ? 'unusable'
        : 'gone'
    return { path: e.path, account: e.account, trustedAt: e.trustedAt, state }
  })
  if (ctx.json) {
    printJson({ store: trustStoreFile(ctx.env), files })
    return EXIT.ok
  }
  if (files.length === 0) {
    print(`No ${ACCOUNT_FILE} is trusted (tokendeck trust PATH adds one).`)
    return EXIT.ok
  }
  for (const f of files) {
    print(`${f.state.padEnd(8)}  ${f.account}  ${f.path}`)
  }
  return EXIT.ok
}
