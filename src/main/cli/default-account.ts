// The default account for commands whose label may be left out: an explicit label, else
// $TOKENDECK_ACCOUNT, else {"account": "L"} in the nearest .tokendeck.json (this folder or a
// parent), once the user trusted that file's path and content (trust-store.ts). Nothing here
// is written anywhere.
import fs from 'node:fs'
import path from 'node:path'
import { isLabelRef } from '../../shared/labels'
import { fail, ok, type Result } from '../../shared/result'
import { readTrustStore, sha256, trustOf } from './trust-store'

export const ACCOUNT_FILE = '.tokendeck.json'
/** A .tokendeck.json holds one small object; anything bigger is not one. */
export const MAX_ACCOUNT_FILE = 4096

/** A label as the agent and the vault take it: 1 to 200 characters, no control characters. */
function checkLabel(label: unknown, where: string): Result<string> {
  if (typeof label !== 'string' || label.trim() === '') {
    return fail('VALIDATION_FAILED', `${where}: "account" must be a non-empty string.`)
  }
  if (!isLabelRef(label)) {
    return fail('VALIDATION_FAILED', `${where}: not an account label (1 to 200 characters).`)
  }
  return ok(label)
}

/** One .tokendeck.json as read: the label it names and the SHA-256 of the bytes it was read from. */
export interface AccountFile {
  label: string
  sha256: string
}

/**
 * Reads and checks one .tokendeck.json: `{"account": "LABEL"}` and nothing else, from one open
 * (non-blocking: a FIFO planted there cannot hang the command), so the label and the hash that
 * trust is checked against come from the same bytes.
 */
export function readAccountFile(file: string): Result<AccountFile> {
  let fd: number
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0))
  } catch (e) {
    return fail('VALIDATION_FAILED', `Cannot read ${file} (${(e as NodeJS.ErrnoException).code}).`)
  }
  let bytes: Buffer
  try {
    const st = fs.fstatSync(fd)
    if (!st.isFile()) return fail('VALIDATION_FAILED', `${file} is not a file.`)
    if (st.size > MAX_ACCOUNT_FILE) {
      return fail(
        'VALIDATION_FAILED',
        `${file} is too big for {"account": "LABEL"} (4 KiB at most).`,
      )
    }
    // Another local user must not choose the account for you (a file planted in /tmp, say).
    const uid = process.getuid?.()
    if (uid !== undefined && st.uid !== uid && st.uid !== 0) {
      return fail(
        'VALIDATION_FAILED',
        `${file} belongs to another user; TokenDeck does not use it.`,
      )
    }
    if (process.platform !== 'win32' && (st.mode & 0o002) !== 0) {
      return fail(
        'VALIDATION_FAILED',
        `${file} is writable by every user; TokenDeck does not use it.`,
      )
    }
    bytes = fs.readFileSync(fd)
  } catch (e) {
    return fail('VALIDATION_FAILED', `Cannot read ${file} (${(e as NodeJS.ErrnoException).code}).`)
  } finally {
    fs.closeSync(fd)
  }
  if (bytes.length > MAX_ACCOUNT_FILE) {
    return fail('VALIDATION_FAILED', `${file} is too big for {"account": "LABEL"} (4 KiB at most).`)
  }
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    return fail('VALIDATION_FAILED', `${file} is not JSON: it holds {"account": "LABEL"}.`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('VALIDATION_FAILED', `${file} must hold an object: {"account": "LABEL"}.`)
  }
  const extra = Object.keys(value).filter((k) => k !== 'account')
  if (extra.length > 0) {
    return fail(
      'VALIDATION_FAILED',
      `${file}: unknown key "${extra[0]!.slice(0, 40)}"; it holds {"account": "LABEL"} only.`,
    )
  }
  const label = checkLabel((value as { account?: unknown }).account, file)
  return label.ok ? ok({ label: label.value, sha256: sha256(bytes) }) : label
}

/** A path as a shell takes it: as it is when it is plain, else in single quotes. */
export function shellWord(p: string): string {
  return /^[A-Za-z0-9_./~:=@%+-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`
}

/**
 * The account a found .tokendeck.json names, if the user trusted this file with this content
 * (`tokendeck trust`, like `direnv allow`): a file from a repository, a download or another
 * project acts only after that. NOT_TRUSTED names the file, its account and the command.
 */
export function trustedAccountFile(env: NodeJS.ProcessEnv, file: string): Result<string> {
  const read = readAccountFile(file)
  if (!read.ok) return read
  const store = readTrustStore(env)
  if (!store.ok) return store
  const state = trustOf(store.value, file, read.value.sha256)
  if (state === 'trusted') return ok(read.value.label)
  const why =
    state === 'changed'
      ? 'it changed since you trusted it'
      : 'you have not trusted this file here (new, moved or copied)'
  return fail(
    'NOT_TRUSTED',
    `${file} names the account "${read.value.label}", but ${why}. If commands in this folder ` +
      `should use that account, run: tokendeck trust ${shellWord(file)} ` +
      '(or name the account, or set TOKENDECK_ACCOUNT).',
  )
}

/** The nearest .tokendeck.json from `cwd` up to the root, or null when there is none. */
export function findAccountFile(cwd: string): string | null {
  for (let dir = path.resolve(cwd); ;) {
    const file = path.join(dir, ACCOUNT_FILE)
    // lstat: a dangling symlink still counts as "there is one here" (and then fails to read).
    if (fs.existsSync(file) || isLink(file)) return file
    const parent = path.dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink()
  } catch {
    return false
  }
}

/** The configured default: TOKENDECK_ACCOUNT, else the nearest .tokendeck.json; null if none. */
export function defaultAccount(
  env: NodeJS.ProcessEnv,
  cwd: string,
): Result<{ label: string; from: string } | null> {
  const fromEnv = env.TOKENDECK_ACCOUNT
  if (fromEnv !== undefined && fromEnv !== '') {
    const l = checkLabel(fromEnv, 'TOKENDECK_ACCOUNT')
    return l.ok ? ok({ label: l.value, from: 'TOKENDECK_ACCOUNT' }) : l
  }
  const file = findAccountFile(cwd)
  if (file === null) return ok(null)
  const l = trustedAccountFile(env, file)
  return l.ok ? ok({ label: l.value, from: file }) : l
}

/**
 * The positionals with the label filled in: as given when the command's label is there (or it
 * takes none), else with the default account first. No default: a usage error naming both ways.
 */
export function withAccount(
  command: { name: string; args: readonly [number, number]; account?: 'default' | 'given' },
  positionals: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Result<string[]> {
  if (command.account !== 'default' || positionals.length >= command.args[0]) {
    return ok([...positionals])
  }
  const d = defaultAccount(env, cwd)
  if (!d.ok) return d
  if (d.value === null) {
    return fail(
      'VALIDATION_FAILED',
      `tokendeck ${command.name} needs an account: name it (tokendeck ${command.name} L), set ` +
        `TOKENDECK_ACCOUNT=L, or put {"account": "L"} in a ${ACCOUNT_FILE} in this folder or a ` +
        'parent and trust it (tokendeck trust).',
    )
  }
  return ok([d.value.label, ...positionals])
}
