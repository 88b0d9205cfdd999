// Error codes in words: one short sentence per stable code. The server's own message is shown
// beside it as plain text (never as HTML).
import type { ErrorCode, Failure } from '../../../shared/result'
import { localTimes } from './format'

const WORDS: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'Some details need attention.',
  NOT_FOUND: 'That no longer exists.',
  CONFLICT: 'That clashes with something already there.',
  UNSUPPORTED: 'This is not supported here.',
  CANCELLED: 'Cancelled.',
  URL_REFUSED: 'That address is not allowed.',
  NETWORK_ERROR: 'The server could not be reached.',
  NETWORK_TIMEOUT: 'The server took too long to answer.',
  TLS_ERROR: 'The secure connection failed.',
  OUTCOME_UNKNOWN: 'The answer was lost: the server may have created a token.',
  REDIRECT_REFUSED: 'The server tried to redirect; TokenDeck does not follow redirects.',
  RESPONSE_TOO_LARGE: 'The server sent far too much data.',
  BAD_RESPONSE: 'The server sent an answer TokenDeck does not understand.',
  RATE_LIMITED: 'The server asks to slow down.',
  SERVER_ERROR: 'The server had a problem.',
  PROVIDER_REJECTED: 'The provider refused.',
  TOKEN_CAP_REACHED: 'The token limit is reached.',
  EVICTION_NEEDS_CONFIRMATION: 'A new token would make the server end the oldest one.',
  NO_SECRET: 'The password or key is needed to log in.',
  LOGIN_EXPIRED: 'The sign-in was not completed in time.',
  VAULT_LOCKED: 'The vault is locked.',
  VAULT_BAD_PASSPHRASE: 'That passphrase does not open the vault.',
  VAULT_CORRUPT: 'The vault file is damaged; it was left untouched.',
  VAULT_TAMPERED: 'The vault file was changed outside TokenDeck; nothing was sent.',
  VAULT_NOT_FOUND: 'There is no vault yet.',
  VAULT_EXISTS: 'A vault already exists.',
  VAULT_BUSY: 'Another TokenDeck process is using the vault; try again.',
  LEDGER_UNAVAILABLE:
    'The shared ledger cannot be reached: no new token is minted in a shared organization until it is back.',
  VAULT_ROLLED_BACK: 'This vault file is older than the one this computer last saw.',
  VAULT_UPGRADE_NEEDED: 'This vault is in an old format and must be upgraded first.',
  PROTECTION_UNAVAILABLE: 'The OS keychain is not available.',
  PROTECTION_CHANGED: 'The OS keychain changed since the vault was protected with it.',
  AGENT_UNSAFE: 'The agent refused a folder others could tamper with.',
  AGENT_UNAVAILABLE: 'No TokenDeck agent answers for this vault.',
  AGENT_DENIED: 'The request to the agent was not allowed.',
  AGENT_BUSY: 'The agent is busy with this client; try again.',
  AGENT_PROTOCOL: 'The agent answered outside the protocol; update TokenDeck on both sides.',
  NOT_TRUSTED: 'That file is not trusted yet.',
  UNSAFE_PATH: 'Another user could change that path, so TokenDeck does not use it.',
  INTERNAL: 'Something went wrong inside TokenDeck.',
}

export function errorWords(code: ErrorCode): string {
  return WORDS[code] ?? WORDS.INTERNAL
}

/** Why the gateway is not running, where the general words would be vague. */
const GATEWAY_WORDS: Partial<Record<ErrorCode, string>> = {
  CONFLICT: 'Another program is using that port.',
  VALIDATION_FAILED: 'The gateway settings are not valid.',
  VAULT_LOCKED: 'The vault is locked.',
  INTERNAL: 'The gateway could not listen on that port.',
}

export function gatewayFailureWords(code: ErrorCode): string {
  return GATEWAY_WORDS[code] ?? errorWords(code)
}

/**
 * Title and detail for a failure: the words for its code and the message it carries (a time in it
 * written the old way, as an ISO timestamp, is shown in the window's own format).
 */
export function describeFailure(f: Pick<Failure, 'code' | 'message' | 'details'>): {
  title: string
  detail: string
} {
  const title = isLoginPause(f) ? 'Logins to this server are paused.' : errorWords(f.code)
  return { title, detail: f.message && f.message !== title ? localTimes(f.message) : '' }
}

/** A login refused for a while: the server's 429 cooldown or the profile's login rate limit. */
function isLoginPause(f: Pick<Failure, 'code' | 'details'>): boolean {
  const reason = f.details?.reason
  return f.code === 'RATE_LIMITED' && (reason === 'cooldown' || reason === 'limit')
}

/**
 * What a failure is about, when several failures can be about the same thing: every refusal
 * during one login cooldown (the 429 that started it, then each login refused here until it ends)
 * names the same end (`details.retryAt`), so they share one toast. Null: a toast of its own.
 */
export function failureKey(f: Pick<Failure, 'code' | 'details'>): string | null {
  const until = f.details?.retryAt
  return isLoginPause(f) && typeof until === 'number' ? `login-pause:${until}` : null
}
