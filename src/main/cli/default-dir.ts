// Where the vault lives when neither --vault nor TOKENDECK_VAULT says: the `vault` folder inside
// the folder Electron's app.getPath('userData') gives the app ("TokenDeck"), which is where the
// app keeps it too (src/main/index.ts), so the CLI and the app share one vault.
import path from 'node:path'

export const APP_NAME = 'TokenDeck'
export const VAULT_FOLDER = 'vault'

/** What the default folder depends on; the CLI passes process.platform, process.env, homedir(). */
export interface DirInputs {
  platform: string
  env: Readonly<Record<string, string | undefined>>
  home: string
}

/**
 * Electron's userData for "TokenDeck": Linux `$XDG_CONFIG_HOME/TokenDeck` (else
 * `~/.config/TokenDeck`), macOS `~/Library/Application Support/TokenDeck`, Windows
 * `%APPDATA%\TokenDeck` (else `~\AppData\Roaming\TokenDeck`). Pure: no file system access.
 */
export function appDataDir({ platform, env, home }: DirInputs): string {
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

/** The vault folder for this run: --vault, then TOKENDECK_VAULT, then the app's folder. */
export function resolveVaultDir(flag: string | undefined, inputs: DirInputs): string {
  const chosen = flag || inputs.env.TOKENDECK_VAULT
  return chosen ? path.resolve(chosen) : defaultVaultDir(inputs)
}
