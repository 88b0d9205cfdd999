// What a sealed record is bound to, as AEAD associated data: the vault, the record (its id), and
// the account, provider and base URL it was entered or minted for (the whole base URL as the
// account stores it, not only its origin: two APIs under one host are two servers). A record
// moved to another account, or an account whose base URL was changed by hand, no longer opens:
// nothing sealed for one server can be sent to another (see docs/security.md).

/** The account a secret or token belongs to (an AccountRecord fits). */
export interface Binding {
  id: string
  providerId: string
  baseUrl: string
}

/** The origin (scheme, host, port) of a base URL. */
export function originOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin
  } catch {
    return baseUrl
  }
}

/** The binding version records are sealed with now (the vault's `bindings`). */
export const BINDINGS = 3

/** The associated data of a record sealed in vault `vaultId`, bound to `b` and its base URL. */
export function boundAad(vaultId: string, recordId: string, b: Binding): string {
  return `tokendeck/${vaultId}/${recordId}|account=${b.id}|provider=${b.providerId}|base=${b.baseUrl}`
}

/** Bindings 2: bound to the origin of the base URL only (re-bound to the base URL at unlock). */
export function originBoundAad(vaultId: string, recordId: string, b: Binding): string {
  return `tokendeck/${vaultId}/${recordId}|account=${b.id}|provider=${b.providerId}|origin=${originOf(b.baseUrl)}`
}

/** The associated data records had before they were bound (vault format without `bindings`). */
export function legacyAad(vaultId: string, recordId: string): string {
  return `tokendeck/${vaultId}/${recordId}`
}

/** The record ids of the kinds of sealed record. */
export const accountSecretId = (accountId: string, field: string) =>
  `account/${accountId}/secret/${field}`
export const tokenSecretId = (tokenId: string) => `token/${tokenId}`
export const tokenMetadataId = (tokenId: string) => `token/${tokenId}/metadata`
export const tokenRefreshId = (tokenId: string) => `token/${tokenId}/refresh`
