// The ledger writes around a login: the token it minted (sealed), or, when its answer was lost,
// an uncertain token that counts toward the cap. Both go through Vault.mutate with their event;
// a failed write is reported in the Result, never dropped.
import { randomUUID } from 'node:crypto'
import { fail, ok, type Failure, type Result } from '../../shared/result'
import type { ProviderProfile } from '../../shared/providers/profile'
import type { Surface } from '../../shared/views'
import type { MintedToken } from '../providers/engine'
import { tidy } from './ledger'
import { tokenRecordId } from './revocation'
import type { AccountRecord, TokenRecord } from './schema'
import type { Vault } from './vault'

/** Stores a freshly minted token in the ledger (encrypted), logging `message`. */
export async function recordMinted(
  vault: Vault,
  o: {
    acc: AccountRecord
    orgKey: string
    profile: ProviderProfile
    minted: MintedToken
    surface: Surface
    message: string
  },
): Promise<Result<TokenRecord>> {
  const { acc, orgKey, profile, minted, surface, message } = o
  const tokenId = randomUUID()
  const sealed = vault.sealSecret(tokenRecordId(tokenId), minted.token)
  if (!sealed.ok) return sealed
  const record: TokenRecord = {
    id: tokenId,
    accountId: acc.id,
    providerId: profile.id,
    orgKey,
    state: 'active',
    issuedAt: minted.issuedAt,
    expiresAt: minted.expiresAt,
    headerName: minted.headerName,
    scheme: minted.scheme,
    metadata: minted.metadata,
    surface,
    secret: sealed.value,
    endedAt: null,
    note: null,
  }
  const saved = await vault.mutate(
    (draft, now) => {
      draft.tokens.push(record)
      tidy(draft, now)
      return ok(record)
    },
    () => ({ type: 'mint', accountId: acc.id, label: acc.label, tokenId, surface, message }),
  )
  if (saved.ok) return saved
  // The server holds a token the ledger could not record: say so, it may count toward a cap.
  return fail(
    saved.code,
    `A token was minted for "${acc.label}" but could not be saved: ${saved.message}`,
  )
}

/**
 * Logs a failed login; one that may have minted (a timeout after sending, a garbled success) is
 * recorded as an uncertain token that counts toward the cap until dismissed.
 */
export async function recordFailedLogin(
  vault: Vault,
  acc: AccountRecord,
  orgKey: string,
  failure: Failure,
  surface: Surface,
): Promise<Failure> {
  const event = {
    type: 'failure' as const,
    accountId: acc.id,
    label: acc.label,
    surface,
    code: failure.code,
  }
  if (!mayHaveMinted(failure)) {
    vault.log({ ...event, message: `Login for "${acc.label}" failed: ${failure.message}` })
    return failure
  }
  const tokenId = randomUUID()
  const saved = await vault.mutate(
    (draft, now) => {
      draft.tokens.push({
        id: tokenId,
        accountId: acc.id,
        providerId: acc.providerId,
        orgKey,
        state: 'uncertain',
        issuedAt: now,
        expiresAt: null,
        headerName: '',
        scheme: '',
        metadata: {},
        surface,
        secret: null,
        endedAt: null,
        note: `The login's answer was lost (${failure.code}); the server may have created a token. It counts toward the cap until dismissed.`,
      })
      return ok(undefined)
    },
    () => ({
      ...event,
      tokenId,
      message: `Login for "${acc.label}" failed: ${failure.message} (counted as an uncertain token)`,
    }),
  )
  if (saved.ok) return { ...failure, details: { ...failure.details, uncertainTokenId: tokenId } }
  return {
    ...failure,
    message: `${failure.message} The server may have created a token, and it could not be recorded as uncertain (${saved.message}): check the server before logging in again.`,
  }
}

/** A failed login that may still have created a token on the server. */
export function mayHaveMinted(f: Failure): boolean {
  return f.code === 'OUTCOME_UNKNOWN' || f.details?.mayHaveMinted === true
}
