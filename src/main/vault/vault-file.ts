// The old import path of the vault file (storage/vault-file.ts), kept for the surfaces that use it.
export type { ConfLike, StoreFactory, StoreOptions } from './storage/vault-file'
