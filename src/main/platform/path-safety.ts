// Whether another local user could change what a path names (attacker 4 in the threat model):
// a folder they own or may write can have its entries swapped (a planted symlink, a file of
// theirs), and so can any folder above it that they may write, unless it is sticky (/tmp).
// Used before TokenDeck writes a file a user names (`inject -o`) and before it trusts its own
// state files. POSIX only: on Windows the checks pass (ACLs are not modes; see docs).
import fs from 'node:fs'
import path from 'node:path'
import { fail, ok, type Result } from '../../shared/result'

/** The user this process runs as, or undefined where there are no uids (Windows). */
function myUid(): number | undefined {
  return process.getuid?.()
}

/** Owned by this user or by root: the owners who may already do anything to our files. */
function trustedOwner(uid: number, me: number): boolean {
  return uid === me || uid === 0
}

/** What is wrong with one folder (null: nothing); `last` is the folder the file goes in. */
function folderProblem(dir: string, st: fs.Stats, me: number, last: boolean): string | null {
  if (!st.isDirectory()) return `${dir} is not a folder.`
  if (!trustedOwner(st.uid, me)) return `${dir} belongs to another user.`
  const othersWrite = (st.mode & 0o022) !== 0
  // Sticky (like /tmp): others may add names but not rename or remove ours, so a folder of ours
  // inside it is safe; the folder that holds the file itself must not be writable by others.
  const sticky = (st.mode & 0o1000) !== 0
  if (othersWrite && (last || !sticky)) {
    const who = (st.mode & 0o002) !== 0 ? 'every user' : 'its group'
    return `${dir} can be written by ${who}${sticky ? ' (even with its sticky bit)' : ''}.`
  }
  return null
}

/**
 * The real path of `dir` when no other user can change what is in it: it and every folder above
 * it are owned by this user or root, and none is writable by group or others (a folder above it
 * may be, when sticky). Else UNSAFE_PATH naming the first folder at fault; NOT_FOUND if missing.
 */
export function privateFolder(dir: string): Result<string> {
  let real: string
  try {
    real = fs.realpathSync(dir)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return fail('NOT_FOUND', `The folder ${dir} cannot be used (${code ?? 'error'}).`)
  }
  const me = myUid()
  if (me === undefined) return ok(real)
  for (let d = real, last = true; ; last = false) {
    let st: fs.Stats
    try {
      st = fs.statSync(d)
    } catch (e) {
      return fail('UNSAFE_PATH', `${d} cannot be checked (${(e as NodeJS.ErrnoException).code}).`)
    }
    const problem = folderProblem(d, st, me, last)
    if (problem) return fail('UNSAFE_PATH', problem)
    const parent = path.dirname(d)
    if (parent === d) return ok(real)
    d = parent
  }
}

/**
 * What is wrong with an existing file (from lstat) another user could have put there or could
 * change: a symbolic link, not a regular file, another user's, or writable by group or others.
 * null: nothing.
 */
export function fileProblem(file: string, st: fs.Stats): string | null {
  if (st.isSymbolicLink()) return `${file} is a symbolic link.`
  if (!st.isFile()) return `${file} is not a regular file.`
  const me = myUid()
  if (me === undefined) return null
  if (!trustedOwner(st.uid, me)) return `${file} belongs to another user.`
  if ((st.mode & 0o022) !== 0) return `${file} can be written by other users.`
  return null
}
