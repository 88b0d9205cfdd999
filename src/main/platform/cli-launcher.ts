// The `tokendeck` launcher the desktop app installs (Settings › Command line), as text and places:
// a POSIX sh script or a Windows .cmd that starts this app's own binary with the CLI marker and
// the user's arguments; the folder it goes in per platform; whether a PATH holds that folder and
// what to add if not; how the app finds the marker in its argv. Pure: no file system, no electron.
import path from 'node:path'
import { hasControls } from '../../shared/controls'

/** The argument that makes the app binary run the bundled CLI instead of the app. */
export const CLI_MARKER = '--tokendeck-cli'

/** A launcher TokenDeck wrote carries this line; it never touches a file without it. */
export const LAUNCHER_TAG = 'tokendeck-launcher: written by TokenDeck'

/**
 * Linux: Chromium switches before the marker, so the command works without a display (over SSH):
 * the browser process would otherwise stop at display setup before the CLI runs.
 */
const LINUX_SWITCHES = ['--ozone-platform=headless', '--disable-gpu']

/** The CLI's arguments when the app was started by its launcher (after the marker), else null. */
export function cliArgs(argv: readonly string[]): string[] | null {
  const i = argv.indexOf(CLI_MARKER)
  return i === -1 ? null : argv.slice(i + 1)
}

export interface AppCommandInputs {
  packaged: boolean
  platform: string
  execPath: string
  /** app.getAppPath(): the folder Electron was asked to run in development. */
  appPath: string
  env: Readonly<Record<string, string | undefined>>
}

/**
 * How to start this app from a launcher: the packaged binary (an AppImage's own file: its
 * execPath lives in a mount that is gone once it exits), or Electron and the app's folder.
 */
export function appCommand(o: AppCommandInputs): string[] {
  if (!o.packaged) return [o.execPath, o.appPath]
  if (o.platform === 'linux' && o.env['APPIMAGE']) return [o.env['APPIMAGE']]
  return [o.execPath]
}

/** Why a command path cannot go in a launcher safely, or null. */
export function commandProblem(platform: string, command: readonly string[]): string | null {
  for (const part of command) {
    const abs = platform === 'win32' ? path.win32.isAbsolute(part) : path.posix.isAbsolute(part)
    if (!abs) return `${part} is not an absolute path.`
    if (hasControls(part)) return 'The app’s path contains a control character.'
    if (platform === 'win32' && part.includes('"')) return 'The app’s path contains a quote.'
  }
  return null
}

/** A word for sh, single-quoted ('it'\''s'). */
function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`
}

/** The launcher's text for `platform`, starting `command` (checked with commandProblem first). */
export function launcherText(platform: string, command: readonly string[]): string {
  if (platform === 'win32') {
    // %% is a literal % in a batch file; quoted, nothing else in a path is special.
    const words = command.map((c) => `"${c.replaceAll('%', '%%')}"`)
    return [
      '@echo off',
      `rem ${LAUNCHER_TAG}. Runs the tokendeck command line bundled with the app.`,
      'rem Remove it in TokenDeck (Settings > Command line), or delete this file.',
      'setlocal',
      'set ELECTRON_RUN_AS_NODE=',
      `${words.join(' ')} ${CLI_MARKER} %*`,
      '',
    ].join('\r\n')
  }
  const switches = platform === 'linux' ? LINUX_SWITCHES : []
  return [
    '#!/bin/sh',
    `# ${LAUNCHER_TAG}. Runs the tokendeck command line bundled with the app.`,
    '# Remove it in TokenDeck (Settings › Command line), or delete this file.',
    'unset ELECTRON_RUN_AS_NODE',
    `exec ${[...command.map(shQuote), ...switches, CLI_MARKER].join(' ')} "$@"`,
    '',
  ].join('\n')
}

/** Whether a file's text is a launcher TokenDeck wrote (its tag in the first lines). */
export function isOurLauncher(text: string): boolean {
  return text.slice(0, 400).includes(LAUNCHER_TAG)
}

export interface LauncherPlace {
  folder: string
  file: string
  /** macOS: /usr/local/bin is shared by every user of the Mac; ask before writing there. */
  needsConsent: boolean
}

/** Where the launcher goes: ~/.local/bin, /usr/local/bin (macOS), %LOCALAPPDATA%\TokenDeck\bin. */
export function launcherPlace(
  platform: string,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
  chosen?: string,
): LauncherPlace {
  if (chosen !== undefined) {
    const p = platform === 'win32' ? path.win32 : path.posix
    const name = platform === 'win32' ? 'tokendeck.cmd' : 'tokendeck'
    return { folder: chosen, file: p.join(chosen, name), needsConsent: platform === 'darwin' }
  }
  if (platform === 'win32') {
    const local = envValue(env, 'LOCALAPPDATA', true) || path.win32.join(home, 'AppData', 'Local')
    const folder = path.win32.join(local, 'TokenDeck', 'bin')
    return { folder, file: path.win32.join(folder, 'tokendeck.cmd'), needsConsent: false }
  }
  if (platform === 'darwin') {
    return { folder: '/usr/local/bin', file: '/usr/local/bin/tokendeck', needsConsent: true }
  }
  const folder = path.posix.join(home, '.local', 'bin')
  return { folder, file: path.posix.join(folder, 'tokendeck'), needsConsent: false }
}

/** An environment variable; on Windows names are case-insensitive (Path, PATH). */
function envValue(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  windows: boolean,
): string | undefined {
  if (!windows) return env[name]
  const key = Object.keys(env).find((k) => k.toUpperCase() === name)
  return key === undefined ? undefined : env[key]
}

/** The folders on PATH, in order. */
export function pathEntries(
  platform: string,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const win = platform === 'win32'
  const value = envValue(env, 'PATH', win) ?? ''
  return value
    .split(win ? ';' : ':')
    .map((e) => e.trim().replace(/^"(.*)"$/, '$1'))
    .filter((e) => e !== '')
}

/** Two spellings of one folder (trailing separators; case on Windows and macOS). */
export function sameFolder(platform: string, a: string, b: string): boolean {
  const p = platform === 'win32' ? path.win32 : path.posix
  const norm = (x: string) => {
    const n = p.resolve(x)
    return platform === 'win32' || platform === 'darwin' ? n.toLowerCase() : n
  }
  return norm(a) === norm(b)
}

export interface PathAdvice {
  /** Where the line goes (a shell profile), or null when it is a command to run once. */
  file: string | null
  line: string
}

/** What to add so that terminals find `folder`, for the user's shell ($SHELL). */
export function pathAdvice(
  platform: string,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
  folder: string,
): PathAdvice {
  if (platform === 'win32') {
    const add = folder.replaceAll("'", "''")
    return {
      file: null,
      line:
        `[Environment]::SetEnvironmentVariable('Path', [Environment]::GetEnvironmentVariable(` +
        `'Path', 'User') + ';${add}', 'User')`,
    }
  }
  const inHome = folder.startsWith(`${home}/`) ? `$HOME/${folder.slice(home.length + 1)}` : folder
  const shell = path.posix.basename(env['SHELL'] ?? '')
  if (shell === 'fish') return { file: null, line: `fish_add_path ${inHome}` }
  const line = `export PATH="${inHome}:$PATH"`
  if (shell === 'zsh') return { file: '~/.zshrc', line }
  if (shell === 'bash')
    return { file: platform === 'darwin' ? '~/.bash_profile' : '~/.bashrc', line }
  return { file: '~/.profile', line }
}

/** The names a `tokendeck` command can have in a PATH folder, in the order the shell tries them. */
export function commandNames(
  platform: string,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  if (platform !== 'win32') return ['tokendeck']
  const exts = (envValue(env, 'PATHEXT', true) || '.COM;.EXE;.BAT;.CMD')
    .split(';')
    .filter((e) => e.startsWith('.'))
  return exts.map((e) => `tokendeck${e.toLowerCase()}`)
}
