// "Install the tokendeck command" (Settings › Command line), VS Code's "Install 'code' command in
// PATH" for TokenDeck: writes a small launcher that starts this app's binary with the CLI marker
// (src/main/platform/cli-launcher.ts), so a user of the packaged app needs no Node. Idempotent;
// never overwrites or removes a file it did not write; says whether terminals will find it.
import fs from 'node:fs'
import path from 'node:path'
import type { CliCommandResult, CliCommandView } from '../../shared/ipc/schemas'
import { fail, ok, type Result } from '../../shared/result'
import {
  CLI_MARKER,
  commandNames,
  commandProblem,
  isOurLauncher,
  launcherPlace,
  launcherText,
  pathAdvice,
  pathEntries,
  sameFolder,
} from '../platform/cli-launcher'
import { fileProblem, privateFolder } from '../platform/path-safety'
import { writeFileSafely } from '../platform/safe-write'

export interface CliInstallDeps {
  platform: string
  env: Readonly<Record<string, string | undefined>>
  home: string
  /** How to start this app (cli-launcher.ts appCommand): its binary, or Electron and its folder. */
  appCommand: readonly string[]
  /** macOS: the file listing the folders every terminal has on PATH (default /etc/paths). */
  etcPaths?: string
  /** The folder the launcher goes in, instead of the platform's (tests: never /usr/local/bin). */
  binDir?: string
}

/** At most this much of an existing file is read to tell whether it is our launcher. */
const READ_LIMIT = 64 * 1024

type Existing =
  | { kind: 'absent' }
  | { kind: 'ours'; text: string; problem: string | null }
  | { kind: 'foreign'; why: string }

function errno(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? 'error'
}

/** What is at `file` now, read without following a link and never more than READ_LIMIT. */
function inspect(file: string): Existing {
  let st: fs.Stats
  try {
    st = fs.lstatSync(file)
  } catch (e) {
    if (errno(e) === 'ENOENT') return { kind: 'absent' }
    return { kind: 'foreign', why: `it cannot be read (${errno(e)})` }
  }
  if (st.isSymbolicLink()) return { kind: 'foreign', why: 'it is a symbolic link' }
  if (!st.isFile()) return { kind: 'foreign', why: 'it is not a regular file' }
  let text: string
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0))
    try {
      const buf = Buffer.alloc(Math.min(st.size, READ_LIMIT))
      const n = fs.readSync(fd, buf, 0, buf.length, 0)
      text = buf.subarray(0, n).toString('utf8')
    } finally {
      fs.closeSync(fd)
    }
  } catch (e) {
    return { kind: 'foreign', why: `it cannot be read (${errno(e)})` }
  }
  if (!isOurLauncher(text)) return { kind: 'foreign', why: 'TokenDeck did not write it' }
  return { kind: 'ours', text, problem: fileProblem(file, st) }
}

export function cliInstallActions(deps: CliInstallDeps) {
  const { platform, env, home } = deps
  const place = launcherPlace(platform, env, home, deps.binDir)
  const posix = platform !== 'win32'

  /** Folders every terminal searches: PATH as this app sees it, and on macOS /etc/paths. */
  function searched(): string[] {
    // bash finds commands in a PATH entry spelled ~/... (quoted when it was set); so do we.
    const entries = pathEntries(platform, env).map((e) =>
      posix && e.startsWith('~/') ? `${home}${e.slice(1)}` : e,
    )
    if (platform !== 'darwin') return entries
    try {
      const extra = fs.readFileSync(deps.etcPaths ?? '/etc/paths', 'utf8').split('\n')
      return [...entries, ...extra.map((l) => l.trim()).filter((l) => l.startsWith('/'))]
    } catch {
      return entries
    }
  }

  /** The first `tokendeck` a terminal would run, when it is not ours. */
  function shadowing(folders: string[]): string | null {
    for (const folder of folders) {
      if (sameFolder(platform, folder, place.folder)) return null
      for (const name of commandNames(platform, env)) {
        const candidate = path.join(folder, name)
        try {
          const st = fs.statSync(candidate)
          if (st.isFile() && (!posix || (st.mode & 0o111) !== 0)) return candidate
        } catch {
          /* not there */
        }
      }
    }
    return null
  }

  function view(): CliCommandView {
    const problem = commandProblem(platform, deps.appCommand)
    const wanted = problem ? null : launcherText(platform, deps.appCommand)
    const now = inspect(place.file)
    const state =
      now.kind === 'absent'
        ? 'absent'
        : now.kind === 'foreign'
          ? 'foreign'
          : now.text === wanted
            ? 'installed'
            : 'outdated'
    const folders = searched()
    const onPath = folders.some((f) => sameFolder(platform, f, place.folder))
    return {
      state,
      file: place.file,
      folder: place.folder,
      onPath,
      pathAdvice: onPath ? null : pathAdvice(platform, env, home, place.folder),
      shadowedBy: state === 'installed' && onPath ? shadowing(folders) : null,
      needsConsent: place.needsConsent,
    }
  }

  /** The way round when TokenDeck may not write the folder (an alias, in the user's words). */
  function instead(): string {
    if (!posix) return ''
    const words = [...deps.appCommand, CLI_MARKER].map((w) => `'${w.replaceAll("'", `'\\''`)}'`)
    return ` Instead, you can add this alias to your shell profile: alias tokendeck="${words.join(' ')}"`
  }

  function writeRefused(e: unknown): Result<never> {
    const code = errno(e)
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      return fail(
        'UNSUPPORTED',
        `TokenDeck may not write to ${place.folder} (${code}): that needs an administrator, and ` +
          `TokenDeck does not ask for those rights.${instead()}`,
      )
    }
    return fail('UNSUPPORTED', `${place.file} could not be written (${code}).`)
  }

  return {
    /** Where the command goes, whether it is there, and whether terminals will find it. */
    status(): Result<CliCommandView> {
      return ok(view())
    },

    /** Writes (or updates) the launcher; `consent`: the person agreed to /usr/local/bin (macOS). */
    install(o: { consent?: boolean } = {}): Result<CliCommandResult> {
      if (place.needsConsent && o.consent !== true) {
        return fail(
          'VALIDATION_FAILED',
          `Installing the command into ${place.folder} (shared by every user of this Mac) needs your confirmation first.`,
        )
      }
      const problem = commandProblem(platform, deps.appCommand)
      if (problem) return fail('UNSUPPORTED', `The command cannot be installed: ${problem}`)
      const text = launcherText(platform, deps.appCommand)
      if (!fs.existsSync(place.folder)) {
        if (platform === 'darwin') {
          return fail(
            'UNSUPPORTED',
            `${place.folder} does not exist, and creating it needs an administrator (sudo mkdir -p ${place.folder}).${instead()}`,
          )
        }
        try {
          fs.mkdirSync(place.folder, { recursive: true, mode: 0o755 })
        } catch (e) {
          return writeRefused(e)
        }
      }
      // Another user who could change this folder could swap the command for one of theirs.
      const safe = privateFolder(place.folder)
      if (!safe.ok) return fail('UNSAFE_PATH', `${safe.message} The command was not installed.`)
      const now = inspect(place.file)
      if (now.kind === 'foreign') {
        return fail(
          'CONFLICT',
          `${place.file} already exists and ${now.why}: TokenDeck leaves it alone. Remove or rename it, then try again.`,
        )
      }
      if (now.kind === 'ours' && now.problem) {
        return fail('UNSAFE_PATH', `${now.problem} TokenDeck did not change it.`)
      }
      if (now.kind === 'ours' && now.text === text) return ok({ command: view(), changed: false })
      try {
        writeFileSafely(place.file, text, { mode: 0o755 })
      } catch (e) {
        return writeRefused(e)
      }
      return ok({ command: view(), changed: true })
    },

    /** Removes the launcher, only if TokenDeck wrote it. */
    remove(): Result<CliCommandResult> {
      const now = inspect(place.file)
      if (now.kind === 'absent') return ok({ command: view(), changed: false })
      if (now.kind === 'foreign') {
        return fail(
          'CONFLICT',
          `${place.file} is not the command TokenDeck installed (${now.why}): it was left alone.`,
        )
      }
      try {
        fs.unlinkSync(place.file)
      } catch (e) {
        return writeRefused(e)
      }
      return ok({ command: view(), changed: true })
    },
  }
}

export type CliInstallActions = ReturnType<typeof cliInstallActions>
