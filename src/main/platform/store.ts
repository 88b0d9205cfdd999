// The vault's store factory in the app: electron-store, minus the sync IPC listener it registers
// ('electron-store-get-data', for renderer use, which TokenDeck does not need and does not want).
import type { ConfLike, StoreFactory, StoreOptions } from '../vault/vault-file'

export const ELECTRON_STORE_CHANNEL = 'electron-store-get-data'

export function electronStoreFactory(
  // electron-store's own options type is generic over the schema; the vault passes StoreOptions.
  ElectronStore: new (options: never) => unknown,
  ipcMain: { removeAllListeners(channel: string): unknown },
): StoreFactory {
  return (options) => {
    const store = new ElectronStore(options as StoreOptions as never) as ConfLike
    ipcMain.removeAllListeners(ELECTRON_STORE_CHANNEL)
    return store
  }
}
