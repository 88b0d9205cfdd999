// Revocation and the cap refusal: how tokens end, and what the user is told when an
// organization has no slot left. Used by the token service under its organization lock.
import { fail, ok, type Failure } from '../../shared/result'
import type { ProviderProfile } from '../../shared/providers/profile'
import type { Surface, TokenView } from '../../shared/views'
import type { ProviderEngine } from '../providers/engine'
import { derivedState, endToken, tokenView } from './ledger'
import type { AccountRecord, TokenRecord, VaultData } from './schema'
import type { Vault } from './vault'

/** What a revoke did, token by token. */
export interface RevokeReport {
  revoked: TokenView[]
  /** Forgotten locally only: the provider has no revoke endpoint. */
  forgotten: TokenView[]
  failures: { tokenId: string; code: string; message: string }[]
  message: string
}

/** The AAD-bearing record id of a token's secret. */
export const tokenRecordId = (tokenId: string) => `token/${tokenId}`

/**
 * Revokes tokens of one account on the server (or forgets them where the provider has no revoke
 * endpoint) and records every outcome in one write. The caller holds the organization's lock.
 */
export async function revokeTokens(
  vault: Vault,
  engine: ProviderEngine,
  acc: AccountRecord,
  profile: ProviderProfile,
  targets: TokenRecord[],
  surface: Surface,
): Promise<RevokeReport> {
  const outcomes: { id: string; state: 'revoked' | 'forgotten'; note: string }[] = []
  const failures: RevokeReport['failures'] = []
  for (const t of targets) {
    if (!profile.revoke) {
      const until = t.expiresAt ? new Date(t.expiresAt).toISOString() : 'it is revoked elsewhere'
      outcomes.push({
        id: t.id,
        state: 'forgotten',
        note: `${profile.name} has no revoke endpoint: the token was forgotten here but stays valid on the server until ${until}.`,
      })
      continue
    }
    const secret = vault.openSecret(tokenRecordId(t.id), t.secret!)
    if (!secret.ok) {
      failures.push({ tokenId: t.id, code: secret.code, message: secret.message })
      continue
    }
    const r = await engine.revoke({
      profile,
      baseUrl: acc.baseUrl,
      fields: acc.fields,
      token: secret.value,
    })
    if (r.ok) {
      outcomes.push({
        id: t.id,
        state: 'revoked',
        note: r.value.alreadyInvalid
          ? 'The server said the token was already invalid.'
          : 'Revoked on the server.',
      })
    } else {
      failures.push({ tokenId: t.id, code: r.code, message: r.message })
    }
  }
  const now = vault.clock.now()
  const views: { revoked: TokenView[]; forgotten: TokenView[] } = { revoked: [], forgotten: [] }
  if (outcomes.length > 0) {
    await vault.file.update((draft) => {
      for (const o of outcomes) {
        const t = draft.tokens.find((x) => x.id === o.id)
        if (!t) continue
        endToken(t, o.state, now, o.note)
        views[o.state].push(tokenView(t, now))
      }
      return ok(undefined)
    })
  }
  for (const o of outcomes) {
    vault.log({
      type: o.state === 'revoked' ? 'revoke' : 'forget',
      accountId: acc.id,
      label: acc.label,
      tokenId: o.id,
      surface,
      message: `"${acc.label}": ${o.note}`,
    })
  }
  for (const f of failures) {
    vault.log({
      type: 'failure',
      accountId: acc.id,
      label: acc.label,
      tokenId: f.tokenId,
      surface,
      code: f.code,
      message: `Revoke for "${acc.label}" failed: ${f.message}`,
    })
  }
  if (outcomes.length > 0) vault.emit()
  const parts: string[] = []
  if (views.revoked.length) parts.push(`Revoked ${plural(views.revoked.length, 'token')}.`)
  if (views.forgotten.length) parts.push(outcomes.find((o) => o.state === 'forgotten')!.note)
  if (failures.length)
    parts.push(`${plural(failures.length, 'token')} could not be revoked: ${failures[0]!.message}`)
  return { ...views, failures, message: parts.join(' ') }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** TOKEN_CAP_REACHED, naming the organization's live tokens, oldest first, that could be revoked. */
export function capReached(
  data: VaultData,
  orgKey: string,
  usage: { max: number; used: number; uncertain: number },
  now: number,
): Failure {
  const labels = new Map(data.accounts.map((a) => [a.id, a.label]))
  const revocable = data.tokens
    .filter((t) => t.orgKey === orgKey && derivedState(t, now) === 'active' && t.secret)
    .sort((a, b) => a.issuedAt - b.issuedAt)
  const names = revocable
    .slice(0, 5)
    .map((t) => `${labels.get(t.accountId) ?? '?'} (issued ${new Date(t.issuedAt).toISOString()})`)
  const org = orgKey.split('|')[2] ?? orgKey
  return fail(
    'TOKEN_CAP_REACHED',
    `Organization "${org}" has ${usage.used} of ${usage.max} tokens in use` +
      (usage.uncertain ? ` (${usage.uncertain} uncertain)` : '') +
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
      },
    },
  )
}
