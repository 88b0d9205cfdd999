// Which vault the CLI opens: --vault, then TOKENDECK_VAULT, then the app's own vault folder
// (app-identity.ts), so that by default the CLI and the app share one vault.
import path from 'node:path'
import { defaultVaultDir, type DirInputs } from '../app-identity'

/** The vault folder for this run: --vault, then TOKENDECK_VAULT, then the app's folder. */
export function resolveVaultDir(flag: string | undefined, inputs: DirInputs): string {
  const chosen = flag || inputs.env.TOKENDECK_VAULT
  return chosen ? path.resolve(chosen) : defaultVaultDir(inputs)
}
