// The ledger writes around a login. Before the request leaves, a pending record is written: an
// uncertain token (no secret) that counts toward the cap. The answer then turns that same record
// into the token (sealed, with its sealed secret metadata), drops it (a clean refusal), or leaves
// it uncertain with the reason (the answer was lost); a process that dies mid-login leaves it
// uncertain too. Each write goes through Vault.mutate with its event; a failed write is reported
// in the Result, never dropped.
import { randomUUID } from 'node:crypto'
import { fail, ok, type Failure, type Result } from '../../../shared/result'
import type { ProviderProfile } from '../../../shared/providers/profile'
import type { Surface } from '../../../shared/views'
import type { MintedToken } from '../../providers/engine'
import { tidy } from './ledger'
import type { AccountRecord, TokenRecord, VaultData } from '../storage/schema'
import type { Ledger } from './ledger-handle'
import { tokenMetadataId, tokenRefreshId, tokenSecretId } from '../storage/bindings'

/**
 * The note of a pending mint: true while its login runs, and still true after a crash. It names
 * no time: the record's issuedAt is when the login started, and each surface shows it its own way.
 */
export const PENDING_NOTE =
  'Login in flight. If this stays, its answer was never recorded (the process stopped or the vault locked first): the server may have created a token, so it counts toward the cap until dismissed.'

function lostAnswerNote(code: string): string {
  return `The login's answer was lost (${code}); the server may have created a token. It counts toward the cap until dismissed.`
}

function uncertainRecord(
  id: string,
  acc: AccountRecord,
  orgKey: string,
  surface: Surface,
  now: number,
  note: string,
): TokenRecord {
  return {
    id,
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
    note,
  }
}

/**
 * Writes the pending record of a login about to be sent (the caller holds the organization's
 * lock and sends nothing if this fails). Returns its id, which becomes the token's id if the
 * login mints. No event: the login's outcome is logged.
 */
export async function recordPendingMint(
  ledger: Ledger,
  o: {
    acc: AccountRecord
    orgKey: string
    surface: Surface
    /** The id to give it (the shared ledger's slot was reserved under it); default: a new one. */
    tokenId?: string
    /** Checked in the same write (login-limits.ts): a failure refuses the login, nothing sent. */
    admit?: (draft: VaultData, now: number) => Result<void>
  },
): Promise<Result<string>> {
  const tokenId = o.tokenId ?? randomUUID()
  const r = await ledger.update((draft, now) => {
    const admitted = o.admit?.(draft, now)
    if (admitted && !admitted.ok) return admitted
    draft.tokens.push(uncertainRecord(tokenId, o.acc, o.orgKey, o.surface, now, PENDING_NOTE))
    return ok(tokenId)
  })
  if (r.ok || r.code === 'RATE_LIMITED') return r
  return fail(
    r.code,
    `The login for "${o.acc.label}" was not sent: its pending record could not be written (${r.message}).`,
  )
}

/**
 * Stores a freshly minted token in the ledger (encrypted, secret metadata too), logging
 * `message`. With `pendingId`, the login's pending record becomes the token in the same write;
 * if that write fails, the pending record stays uncertain (the server holds the token).
 */
/**
 * A new ledger record for a token just received (a login, a signup, a refresh): the token, its
 * secret metadata and the refresh token that came with it, each sealed under the record's id and
 * bound to the account.
 */
export function sealTokenRecord(
  ledger: Ledger,
  acc: AccountRecord,
  o: {
    id: string
    providerId: string
    orgKey: string
    minted: MintedToken
    surface: Surface
    refresh?: { token: string; expiresAt: number | null } | undefined
    /** The suspect token this one replaces (its server refused it once). */
    replaces?: string
  },
): Result<TokenRecord> {
  const { id, minted } = o
  const sealed = ledger.storage.sealSecret(tokenSecretId(id), acc, minted.token)
  if (!sealed.ok) return sealed
  // `?? {}`: a test double of the engine may leave secret metadata out.
  const secretMeta = minted.secretMetadata ?? {}
  let sealedMeta: TokenRecord['secretMetadata']
  if (Object.keys(secretMeta).length > 0) {
    const s = ledger.storage.sealSecret(tokenMetadataId(id), acc, JSON.stringify(secretMeta))
    if (!s.ok) return s
    sealedMeta = s.value
  }
  let sealedRefresh: TokenRecord['refresh']
  if (o.refresh) {
    const s = ledger.storage.sealSecret(tokenRefreshId(id), acc, o.refresh.token)
    if (!s.ok) return s
    sealedRefresh = { secret: s.value, expiresAt: o.refresh.expiresAt }
  }
  return ok({
    id,
    accountId: acc.id,
    providerId: o.providerId,
    orgKey: o.orgKey,
    state: 'active',
    issuedAt: minted.issuedAt,
    expiresAt: minted.expiresAt,
    headerName: minted.headerName,
    scheme: minted.scheme,
    metadata: minted.metadata,
    surface: o.surface,
    secret: sealed.value,
    ...(sealedMeta ? { secretMetadata: sealedMeta } : {}),
    ...(sealedRefresh ? { refresh: sealedRefresh } : {}),
    endedAt: null,
    note: null,
    ...(o.replaces ? { replaces: o.replaces } : {}),
  })
}

export async function recordMinted(
  ledger: Ledger,
  o: {
    acc: AccountRecord
    orgKey: string
    profile: ProviderProfile
    minted: MintedToken
    surface: Surface
    message: string
    pendingId?: string
    replaces?: string
  },
): Promise<Result<TokenRecord>> {
  const { acc, orgKey, profile, minted, surface, message, pendingId } = o
  const tokenId = pendingId ?? randomUUID()
  const built = sealTokenRecord(ledger, acc, {
    id: tokenId,
    providerId: profile.id,
    orgKey,
    minted,
    surface,
    refresh: minted.refresh,
    ...(o.replaces ? { replaces: o.replaces } : {}),
  })
  if (!built.ok) return mintedNotSaved(acc, built, pendingId)
  const record = built.value
  const saved = await ledger.update(
    (draft, now) => {
      // The pending record, in place (even if dismissed meanwhile: the token does exist).
      const i = draft.tokens.findIndex((t) => t.id === tokenId)
      if (i >= 0) draft.tokens[i] = record
      else draft.tokens.push(record)
      tidy(draft, now)
      return ok(record)
    },
    () => ({ type: 'mint', accountId: acc.id, label: acc.label, tokenId, surface, message }),
  )
  return saved.ok ? saved : mintedNotSaved(acc, saved, pendingId)
}

/** The server holds a token the ledger could not record: say so, it may count toward a cap. */
function mintedNotSaved(acc: AccountRecord, f: Failure, pendingId: string | undefined): Failure {
  const message = `A token was minted for "${acc.label}" but could not be saved: ${f.message}`
  if (!pendingId) return fail(f.code, message)
  return fail(f.code, `${message} It stays counted as an uncertain token until dismissed.`, {
    details: { mayHaveMinted: true, uncertainTokenId: pendingId },
  })
}

/** Opens a token's sealed secret metadata ({} when it has none or it was dropped). */
export function openSecretMetadata(
  ledger: Ledger,
  t: TokenRecord,
  acc: AccountRecord,
): Result<Record<string, string>> {
  if (!t.secretMetadata) return ok({})
  const s = ledger.storage.openSecret(tokenMetadataId(t.id), acc, t.secretMetadata)
  return s.ok ? ok(JSON.parse(s.value) as Record<string, string>) : s
}

/**
 * Records a failed login on its pending record (`pendingId`). A clean refusal (it cannot have
 * minted) drops the record; one that may have minted (a timeout after sending, a garbled
 * success) keeps it uncertain, counted toward the cap until dismissed, with the reason.
 */
export async function recordFailedLogin(
  ledger: Ledger,
  acc: AccountRecord,
  orgKey: string,
  failure: Failure,
  surface: Surface,
  pendingId: string,
): Promise<Failure> {
  const event = {
    type: 'failure' as const,
    accountId: acc.id,
    label: acc.label,
    surface,
    code: failure.code,
  }
  if (!mayHaveMinted(failure)) {
    const message = `Login for "${acc.label}" failed: ${failure.message}`
    const dropped = await ledger.update(
      (draft) => {
        draft.tokens = draft.tokens.filter((t) => t.id !== pendingId)
        return ok(undefined)
      },
      () => ({ ...event, message }),
    )
    if (dropped.ok) return failure
    ledger.storage.log({ ...event, message })
    // Nothing was minted, but the ledger still shows the pending record: say why.
    return {
      ...failure,
      message: `${failure.message} (Its pending record could not be removed, ${dropped.message}: it shows as uncertain until dismissed.)`,
    }
  }
  const note = lostAnswerNote(failure.code)
  const message = `Login for "${acc.label}" failed: ${failure.message} (counted as an uncertain token)`
  const saved = await ledger.update(
    (draft, now) => {
      const t = draft.tokens.find((x) => x.id === pendingId)
      if (!t) draft.tokens.push(uncertainRecord(pendingId, acc, orgKey, surface, now, note))
      else if (t.state === 'uncertain') t.note = note
      return ok(undefined)
    },
    () => ({ ...event, tokenId: pendingId, message }),
  )
  // If the note could not be updated, the pending record still stands, uncertain.
  if (!saved.ok) ledger.storage.log({ ...event, tokenId: pendingId, message })
  return { ...failure, details: { ...failure.details, uncertainTokenId: pendingId } }
}

/** A failed login that may still have created a token on the server. */
export function mayHaveMinted(f: Failure): boolean {
  return f.code === 'OUTCOME_UNKNOWN' || f.details?.mayHaveMinted === true
}
