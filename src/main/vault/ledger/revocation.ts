// Revocation and the cap refusal: how tokens end, and what the user is told when an
// organization has no slot left. Used by the token service under its organization lock.
import { acrossMachines } from './shared/shared-cap'
import type { SharedUsage } from './shared/slots'
import { fail, ok, type Failure, type Result } from '../../../shared/result'
import type { ProviderProfile } from '../../../shared/providers/profile'
import type { Surface, TokenView } from '../../../shared/views'
import { formatAgo, formatRemaining } from '../../../shared/expiry'
import { plural } from '../../../shared/words'
import { REFUSED_NOTE_PREFIX } from '../../../shared/state'
import type { ProviderEngine } from '../../providers/engine'
import { countsUnder, derivedState, endToken, tokenView, type Organization } from './ledger'
import type { AccountRecord, TokenRecord, VaultData } from '../storage/schema'
import type { EventInput } from '../storage/vault-storage'
import type { Ledger } from './ledger-handle'
import { tokenSecretId } from '../storage/bindings'
import { requestFields } from './request-fields'

/** Why a revoked token ended, in words (a suspect one: whether its server had ended it). */
function revokedNote(t: TokenRecord, alreadyInvalid: boolean): string {
  const suspect = t.suspectAt !== undefined && t.suspectAt !== null
  if (suspect && alreadyInvalid) {
    // The revoke confirmed the refusal: the token had ended on the server.
    return `${REFUSED_NOTE_PREFIX}: its revoke answered that it was already invalid.`
  }
  if (suspect) {
    return 'Revoked on the server before its replacement: the server had refused it once, yet still accepted it (a permission or plan problem?).'
  }
  return alreadyInvalid
    ? 'The server said the token was already invalid.'
    : 'Revoked on the server.'
}

/**
 * Why a token was only forgotten (the provider has no revoke endpoint). Its time is relative to
 * the moment it was forgotten (the record's endedAt, the event's time, the toast's moment), so
 * the words stay true wherever they are read; the exact expiry is on the token for each surface.
 */
export function forgottenNote(providerName: string, expiresAt: number | null, now: number): string {
  const lasts =
    expiresAt === null
      ? 'until it is revoked elsewhere'
      : expiresAt > now
        ? `until it expires, ${formatRemaining(expiresAt - now)} after it was forgotten`
        : 'until it expires'
  return `${providerName} has no revoke endpoint: the token was forgotten here but stays valid on the server ${lasts}.`
}

/** What a revoke did, token by token. */
export interface RevokeReport {
  revoked: TokenView[]
  /** Forgotten locally only: the provider has no revoke endpoint. */
  forgotten: TokenView[]
  failures: { tokenId: string; code: string; message: string }[]
  message: string
}

interface Outcome {
  id: string
  state: 'revoked' | 'forgotten'
  note: string
}

/**
 * Revokes tokens of one account on the server (or forgets them where the provider has no revoke
 * endpoint) and records every outcome in one write. The caller holds the organization's lock.
 * A failure means the server's answers could not be recorded (the report would be a lie).
 */
export async function revokeTokens(
  ledger: Ledger,
  engine: ProviderEngine,
  acc: AccountRecord,
  profile: ProviderProfile,
  targets: TokenRecord[],
  surface: Surface,
): Promise<Result<RevokeReport>> {
  const outcomes: Outcome[] = []
  const failures: RevokeReport['failures'] = []
  for (const t of targets) {
    if (!profile.revoke) {
      outcomes.push({
        id: t.id,
        state: 'forgotten',
        note: forgottenNote(profile.name, t.expiresAt, ledger.storage.clock.now()),
      })
      continue
    }
    const secret = ledger.storage.openSecret(tokenSecretId(t.id), acc, t.secret!)
    if (!secret.ok) {
      failures.push({ tokenId: t.id, code: secret.code, message: secret.message })
      continue
    }
    // An RFC 7009 revoke may name the client's secret: opened for this request alone.
    const fields = requestFields(ledger, acc, profile, profile.revoke.body)
    if (!fields.ok) {
      failures.push({ tokenId: t.id, code: fields.code, message: fields.message })
      continue
    }
    const r = await engine.revoke({
      profile,
      baseUrl: acc.baseUrl,
      fields: fields.value,
      token: secret.value,
    })
    if (r.ok) {
      outcomes.push({
        id: t.id,
        state: 'revoked',
        note: revokedNote(t, r.value.alreadyInvalid === true),
      })
    } else {
      failures.push({ tokenId: t.id, code: r.code, message: r.message })
    }
  }
  const views: { revoked: TokenView[]; forgotten: TokenView[] } = { revoked: [], forgotten: [] }
  const events: EventInput[] = failures.map((f) => ({
    type: 'failure',
    accountId: acc.id,
    label: acc.label,
    tokenId: f.tokenId,
    surface,
    code: f.code,
    message: `Revoke for "${acc.label}" failed: ${f.message}`,
  }))
  if (outcomes.length > 0) {
    const written = await writeOutcomes(ledger, acc, outcomes, surface, views)
    if (!written.ok) {
      const at = ledger.storage.clock.now()
      for (const o of outcomes) ledger.ends.remember(o.id, { state: o.state, at, note: o.note })
      for (const e of events) ledger.storage.log(e)
      // The server refuses these tokens now, but the file still calls them live: this process
      // never hands them out again and records them with its next write; say what is out of step.
      return fail(
        written.code,
        `${plural(outcomes.length, 'token')} of "${acc.label}" ended on the server, but the vault could not record it: ${written.message}`,
      )
    }
  }
  for (const e of events) ledger.storage.log(e)
  const parts: string[] = []
  if (views.revoked.length) parts.push(`Revoked ${plural(views.revoked.length, 'token')}.`)
  if (views.forgotten.length) parts.push(outcomes.find((o) => o.state === 'forgotten')!.note)
  if (failures.length)
    parts.push(`${plural(failures.length, 'token')} could not be revoked: ${failures[0]!.message}`)
  return ok({ ...views, failures, message: parts.join(' ') })
}

/** Records revoke outcomes in one write, with one event each; retried once if the write fails. */
async function writeOutcomes(
  ledger: Ledger,
  acc: AccountRecord,
  outcomes: readonly Outcome[],
  surface: Surface,
  views: { revoked: TokenView[]; forgotten: TokenView[] },
): Promise<Result<void>> {
  const attempt = () =>
    ledger.update(
      (draft, now) => {
        views.revoked = []
        views.forgotten = []
        for (const o of outcomes) {
          const t = draft.tokens.find((x) => x.id === o.id)
          if (!t) continue
          endToken(t, o.state, now, o.note)
          views[o.state].push(tokenView(t, now))
        }
        return ok(undefined)
      },
      () =>
        outcomes.map((o) => ({
          type: o.state === 'revoked' ? ('revoke' as const) : ('forget' as const),
          accountId: acc.id,
          label: acc.label,
          tokenId: o.id,
          surface,
          message: `"${acc.label}": ${o.note}`,
        })),
    )
  const first = await attempt()
  return first.ok ? first : attempt()
}

/** TOKEN_CAP_REACHED, naming the organization's live tokens, oldest first, that could be revoked. */
export function capReached(
  data: VaultData,
  org: Organization,
  profile: ProviderProfile,
  usage: { max: number; used: number; uncertain: number },
  now: number,
  /** A shared organization: the count is across machines; say how many are elsewhere. */
  shared?: { across: SharedUsage },
): Failure {
  const labels = new Map(data.accounts.map((a) => [a.id, a.label]))
  const keyOfToken = countsUnder(data, profile)
  const revocable = data.tokens
    .filter((t) => keyOfToken(t) === org.key && derivedState(t, now) === 'active' && t.secret)
    .sort((a, b) => a.issuedAt - b.issuedAt)
  const names = revocable
    .slice(0, 5)
    .map((t) => `${labels.get(t.accountId) ?? '?'} (issued ${formatAgo(now - t.issuedAt)})`)
  return fail(
    'TOKEN_CAP_REACHED',
    `${org.organizationId ? `Organization "${org.organizationId}"` : 'This account'} has ${usage.used} of ${usage.max} tokens in use` +
      (usage.uncertain ? ` (${usage.uncertain} uncertain)` : '') +
      (shared ? ` across machines, ${acrossMachines(shared.across)}` : '') +
      `. Revoke one to mint another` +
      (names.length
        ? `; the oldest: ${names.join(', ')}${revocable.length > 5 ? ', …' : ''}.`
        : '.'),
    {
      details: {
        used: usage.used,
        max: usage.max,
        revocable: revocable.map((t) => t.id),
        revocableAccounts: revocable.map((t) => labels.get(t.accountId) ?? '?'),
        ...(shared ? { elsewhere: shared.across.elsewhere, shared: true } : {}),
      },
    },
  )
}
