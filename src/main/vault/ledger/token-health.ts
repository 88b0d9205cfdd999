// Token health: probes an account's live token with its profile's `probe` request and says what
// the server thinks of it. Recording the verdict is not done here: the token actions that run it
// confirm a refusal or an acceptance (refusals.ts), as every surface does through them.
import { fail, ok, type Result } from '../../../shared/result'
import { isLive } from '../../../shared/state'
import type { ProviderEngine, ProbeVerdict } from '../../providers/engine'
import { tokenSecretId } from '../storage/bindings'
import { requestFields } from './request-fields'
import { tokensOf } from './ledger'
import { registryFor } from '../../providers/registry'
import type { Ledger } from './ledger-handle'

/** What a probe of one account found. */
export type ProbeOutcome =
  | { label: string; tokenId: null; verdict: 'no-token' | 'unsupported' }
  | ({ label: string; tokenId: string } & ProbeVerdict)

/** Probes the account's newest live token, or `tokenId` (nothing is minted to be checked). */
export async function probeAccount(
  ledger: Ledger,
  engine: ProviderEngine,
  accountId: string,
  tokenId?: string,
): Promise<Result<ProbeOutcome>> {
  const d = ledger.read()
  if (!d.ok) return d
  const acc = d.value.accounts.find((a) => a.id === accountId)
  if (!acc) return fail('NOT_FOUND', 'No such account.')
  const registry = registryFor(d.value.customProfiles)
  const profile = registry.get(acc.providerId)
  if (!profile) return registry.missing(acc.providerId)
  const label = acc.label
  if (!profile.probe) return ok({ label, tokenId: null, verdict: 'unsupported' })
  const now = ledger.storage.clock.now()
  const t = tokensOf(d.value, acc.id).find(
    (x) =>
      x.secret !== null &&
      isLive({ state: x.state, expiresAt: x.expiresAt }, now) &&
      !ledger.ends.has(x.id) &&
      (tokenId === undefined || x.id === tokenId),
  )
  if (!t?.secret) return ok({ label, tokenId: null, verdict: 'no-token' })
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/.test(t.headerName)) {
    return fail('VAULT_TAMPERED', `The header stored for "${label}" is not a valid header name.`)
  }
  const token = ledger.storage.openSecret(tokenSecretId(t.id), acc, t.secret)
  if (!token.ok) return token
  // An introspection probe may name a secret field (the client's secret): opened for it alone.
  const fields = requestFields(ledger, acc, profile, profile.probe.body)
  if (!fields.ok) return fields
  const verdict = await engine.probe({
    profile,
    baseUrl: acc.baseUrl,
    header: { name: t.headerName, value: `${t.scheme} ${token.value}`.trim() },
    token: token.value,
    fields: fields.value,
  })
  return verdict.ok ? ok({ label, tokenId: t.id, ...verdict.value }) : verdict
}
