// The app's identity: its name and where it keeps its data (Electron's userData for "TokenDeck",
// with the vault in its `vault` folder), and the machine's own state outside any vault folder.
// The composition root and the CLI's default both use it, so the app and the CLI open one vault
// and share one state. Pure: no file system access, no electron.
import path from 'node:path'

export const APP_NAME = 'TokenDeck'
export const VAULT_FOLDER = 'vault'

/** What the data folder depends on; the CLI passes process.platform, process.env, homedir(). */
export interface DirInputs {
  platform: string
  env: Readonly<Record<string, string | undefined>>
  home: string
}

/**
 * Electron's userData for "TokenDeck": Linux `$XDG_CONFIG_HOME/TokenDeck` (else
 * `~/.config/TokenDeck`), macOS `~/Library/Application Support/TokenDeck`, Windows
 * `%APPDATA%\TokenDeck` (else `~\AppData\Roaming\TokenDeck`).
 */
function appDataDir({ platform, env, home }: DirInputs): string {
  if (platform === 'win32') {
    const appData = env.APPDATA || path.win32.join(home, 'AppData', 'Roaming')
    return path.win32.join(appData, APP_NAME)
  }
  if (platform === 'darwin') {
    return path.posix.join(home, 'Library', 'Application Support', APP_NAME)
  }
  // Chromium (and so Electron) takes XDG_CONFIG_HOME as is when it is set and not empty.
  const config = env.XDG_CONFIG_HOME || path.posix.join(home, '.config')
  return path.posix.join(config, APP_NAME)
}

/** The app's vault: `<userData>/vault`. */
export function defaultVaultDir(inputs: DirInputs): string {
  const join = inputs.platform === 'win32' ? path.win32.join : path.posix.join
  return join(appDataDir(inputs), VAULT_FOLDER)
}

/**
 * What this machine remembers about vaults and files, kept outside every vault folder (a synced
 * or shared vault folder must not be able to rewrite it): the highest format and generation seen
 * per vault id, and the `.tokendeck.json` files the user trusted. Linux `$XDG_STATE_HOME/tokendeck`
 * (else `~/.local/state/tokendeck`), macOS `~/Library/Application Support/TokenDeck/state`,
 * Windows `%LOCALAPPDATA%\TokenDeck\state` (local, never roaming). TOKENDECK_STATE_DIR overrides.
 */
export function localStateDir({ platform, env, home }: DirInputs): string {
  if (env.TOKENDECK_STATE_DIR) return env.TOKENDECK_STATE_DIR
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local')
    return path.win32.join(local, APP_NAME, 'state')
  }
  if (platform === 'darwin') {
    return path.posix.join(home, 'Library', 'Application Support', APP_NAME, 'state')
  }
  const state = env.XDG_STATE_HOME || path.posix.join(home, '.local', 'state')
  return path.posix.join(state, 'tokendeck')
}
