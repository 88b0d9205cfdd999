// What every action needs: the open vault's services (the app swaps them for the demo vault),
// and the ports only some surfaces have. Built once per surface by its composition root.
import type { SafeStoragePort, VaultServices } from '../vault'

/** Puts a header on the clipboard and clears it later if unchanged (see clipboard-guard.ts). */
export interface HeaderCopier {
  copy(text: string, clearAfterSeconds: number): void
}

export interface ActionDeps {
  /** The open vault's services: the user's vault, or the demo vault while demo mode runs. */
  services: () => VaultServices
  platform: string
  /** null where Electron's safeStorage is not available (CLI, tests). */
  safeStorage: SafeStoragePort | null
  /** Absent where there is no clipboard to own (CLI, agent). */
  clipboard?: HeaderCopier
  /** True while the demo vault is open. */
  isDemo?: () => boolean
}
