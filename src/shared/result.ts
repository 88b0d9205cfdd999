// Expected failures are values: every service returns a Result, and thrown errors are bugs.

/** Stable error codes. The UI and the CLI map them to words; never rename one. */
export const ERROR_CODES = [
  // input and state
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'CONFLICT',
  'UNSUPPORTED',
  /** The person cancelled at a prompt (Ctrl-C at the CLI's passphrase or secret prompt). */
  'CANCELLED',
  // network and HTTP
  'URL_REFUSED',
  'NETWORK_ERROR',
  'NETWORK_TIMEOUT',
  'TLS_ERROR',
  'OUTCOME_UNKNOWN',
  'REDIRECT_REFUSED',
  'RESPONSE_TOO_LARGE',
  'BAD_RESPONSE',
  'RATE_LIMITED',
  'SERVER_ERROR',
  // provider answers
  'PROVIDER_REJECTED',
  'TOKEN_CAP_REACHED',
  /** At an evict-oldest cap: minting would make the server end another token; confirm first. */
  'EVICTION_NEEDS_CONFIRMATION',
  'NO_SECRET',
  /** A login that waits for a person (a device code, a browser sign-in) was not completed in time. */
  'LOGIN_EXPIRED',
  // vault
  'VAULT_LOCKED',
  'VAULT_BAD_PASSPHRASE',
  'VAULT_CORRUPT',
  'VAULT_TAMPERED',
  'VAULT_NOT_FOUND',
  'VAULT_EXISTS',
  'VAULT_BUSY',
  /** The file is older than the one this machine last saw (a restored copy?); confirm to use it. */
  'VAULT_ROLLED_BACK',
  /** A format 1 vault: nothing but its secrets was authenticated; upgrading needs confirmation. */
  'VAULT_UPGRADE_NEEDED',
  /**
   * The shared ledger (PostgreSQL) cannot be reached or used: a new token in a shared
   * organization is refused (nothing sent to the provider); a valid local token is still used.
   */
  'LEDGER_UNAVAILABLE',
  'PROTECTION_UNAVAILABLE',
  'PROTECTION_CHANGED',
  'AGENT_UNSAFE',
  'AGENT_UNAVAILABLE',
  'AGENT_DENIED',
  /** The agent has too much work in flight for this client; try again. */
  'AGENT_BUSY',
  /** The agent answered outside the protocol: a value that is not what the op answers. */
  'AGENT_PROTOCOL',
  /** A file from a folder (a .tokendeck.json) that the user has not trusted with `tokendeck trust`. */
  'NOT_TRUSTED',
  /** A path TokenDeck will not write to or read from (another user could change it). */
  'UNSAFE_PATH',
  'INTERNAL',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** Extra context that is safe to show (never a secret): support references, counts, ids. */
export type ErrorDetails = Record<string, string | number | boolean | null | string[]>

export interface Failure {
  ok: false
  code: ErrorCode
  /** Words for a person. Plain text: shown as text, never as HTML. Never contains a secret. */
  message: string
  /** Per-field messages (server-side form errors), keyed by the provider profile's field name. */
  fields?: Record<string, string[]>
  details?: ErrorDetails
}

export interface Success<T> {
  ok: true
  value: T
}

export type Result<T> = Success<T> | Failure

export function ok<T>(value: T): Success<T> {
  return { ok: true, value }
}

export function fail(
  code: ErrorCode,
  message: string,
  extra: { fields?: Record<string, string[]>; details?: ErrorDetails } = {},
): Failure {
  const f: Failure = { ok: false, code, message }
  if (extra.fields && Object.keys(extra.fields).length > 0) f.fields = extra.fields
  if (extra.details && Object.keys(extra.details).length > 0) f.details = extra.details
  return f
}
