// The .tokendeck.json files this user trusted (direnv's `allow`): each file's path and the SHA-256
// of the content it had then, in one small JSON file under localStateDir() (outside every vault
// and project folder), mode 0600 in a folder no other user can change. Read before a command
// runs, so it needs neither the vault nor the agent; a store another user could have written is
// refused, never used.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fail, ok, type Result } from '../../shared/result'
import { localStateDir } from '../app-identity'
import { fileProblem, privateFolder } from '../platform/path-safety'
import { writeFileSafely } from '../platform/safe-write'

export const TRUST_FILE = 'trusted-account-files.json'
const MAX_STORE = 1024 * 1024
const SHA256 = /^[0-9a-f]{64}$/

/** One trusted file: where it is, what it held, and the account it named then. */
export interface TrustEntry {
  path: string
  sha256: string
  account: string
  trustedAt: string
}

/** Where the store is for this environment (TOKENDECK_STATE_DIR, XDG_STATE_HOME, HOME). */
export function trustStoreFile(env: NodeJS.ProcessEnv): string {
  const dir = localStateDir({ platform: process.platform, env, home: os.homedir() })
  return path.join(dir, TRUST_FILE)
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/**
 * The path a file is trusted under: its folder's real path (symlinked folders and `..` resolved,
 * as the search from the working folder finds it) and its own name as it is (a symlinked
 * .tokendeck.json is trusted where it is, with the content it points to).
 */
export function trustKey(file: string): string {
  const abs = path.resolve(file)
  try {
    return path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs))
  } catch {
    return abs
  }
}

const unsafeStore = (problem: string) =>
  fail(
    'UNSAFE_PATH',
    `${problem} It holds the .tokendeck.json files you trusted, so until only you can write it ` +
      'TokenDeck trusts none (chmod go-w, or chown it back to you).',
  )

function parseStore(file: string, text: string): Result<TrustEntry[]> {
  const bad = fail(
    'VALIDATION_FAILED',
    `${file} is not a trust store TokenDeck can read; it was left as it is (move it away to start anew).`,
  )
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return bad
  }
  const files = (value as { version?: unknown; files?: unknown } | null)?.files
  if ((value as { version?: unknown } | null)?.version !== 1 || !Array.isArray(files)) return bad
  const out: TrustEntry[] = []
  for (const f of files as unknown[]) {
    const e = f as Partial<Record<keyof TrustEntry, unknown>> | null
    if (
      typeof e?.path !== 'string' ||
      typeof e.sha256 !== 'string' ||
      !SHA256.test(e.sha256) ||
      typeof e.account !== 'string' ||
      typeof e.trustedAt !== 'string'
    ) {
      return bad
    }
    out.push({ path: e.path, sha256: e.sha256, account: e.account, trustedAt: e.trustedAt })
  }
  return ok(out)
}

/** The trusted files; none when there is no store yet. UNSAFE_PATH if others could write it. */
export function readTrustStore(env: NodeJS.ProcessEnv): Result<TrustEntry[]> {
  const file = trustStoreFile(env)
  const dir = path.dirname(file)
  if (!fs.existsSync(dir)) return ok([])
  const folder = privateFolder(dir)
  if (!folder.ok) return folder.code === 'UNSAFE_PATH' ? unsafeStore(folder.message) : folder
  let fd: number
  try {
    // O_NOFOLLOW: a link planted at the store's name is refused, not read through.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0))
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return ok([])
    if (code === 'ELOOP') return unsafeStore(`${file} is a symbolic link.`)
    return fail('VALIDATION_FAILED', `Cannot read ${file} (${code ?? 'error'}).`)
  }
  try {
    const st = fs.fstatSync(fd)
    const problem = fileProblem(file, st)
    if (problem) return unsafeStore(problem)
    if (st.size > MAX_STORE) return parseStore(file, '')
    return parseStore(file, fs.readFileSync(fd, 'utf8'))
  } finally {
    fs.closeSync(fd)
  }
}

/** Replaces the store's content (mode 0600, written safely; its folder made 0700 if new). */
export function writeTrustStore(env: NodeJS.ProcessEnv, entries: TrustEntry[]): Result<void> {
  const file = trustStoreFile(env)
  const dir = path.dirname(file)
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  } catch (e) {
    return fail('VALIDATION_FAILED', `Cannot create ${dir} (${(e as NodeJS.ErrnoException).code}).`)
  }
  const folder = privateFolder(dir)
  if (!folder.ok) return folder.code === 'UNSAFE_PATH' ? unsafeStore(folder.message) : folder
  const text = `${JSON.stringify({ version: 1, files: entries }, null, 2)}\n`
  try {
    writeFileSafely(path.join(folder.value, TRUST_FILE), text, { mode: 0o600 })
  } catch (e) {
    return fail('VALIDATION_FAILED', `Cannot write ${file} (${(e as NodeJS.ErrnoException).code}).`)
  }
  return ok(undefined)
}

/** Whether `file` with content hash `hash` is trusted: yes, never, or once with other content. */
export function trustOf(
  entries: readonly TrustEntry[],
  file: string,
  hash: string,
): 'trusted' | 'untrusted' | 'changed' {
  const e = entries.find((x) => x.path === trustKey(file))
  if (!e) return 'untrusted'
  return e.sha256 === hash ? 'trusted' : 'changed'
}
