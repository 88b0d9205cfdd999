// Electron's safeStorage behind the vault's SafeStoragePort. Until the app is ready the OS keychain
// cannot be asked, so the port reports "not available" instead of guessing.
import type { SafeStorage } from 'electron'
import type { SafeStoragePort } from '../vault'

export function electronSafeStorage(
  safeStorage: Pick<
    SafeStorage,
    'isEncryptionAvailable' | 'getSelectedStorageBackend' | 'encryptString' | 'decryptString'
  >,
  platform: string,
  isReady: () => boolean,
): SafeStoragePort {
  const ready = () => {
    if (!isReady()) throw new Error('safeStorage used before app ready')
  }
  const port: SafeStoragePort = {
    isEncryptionAvailable: () => isReady() && safeStorage.isEncryptionAvailable(),
    encryptString: (plain) => {
      ready()
      return safeStorage.encryptString(plain)
    },
    decryptString: (encrypted) => {
      ready()
      return safeStorage.decryptString(encrypted)
    },
  }
  // The backend question only exists on Linux (basic_text, gnome_libsecret, kwallet*).
  if (platform === 'linux') {
    port.getSelectedStorageBackend = () =>
      isReady() ? safeStorage.getSelectedStorageBackend() : 'unknown'
  }
  return port
}
