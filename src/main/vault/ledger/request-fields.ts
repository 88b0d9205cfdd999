// The account's field values a revoke or probe request sends: its plain fields, and the secret
// fields its body names (a confidential client's secret), opened for that request alone.
import { ownValue } from '../../../shared/json-path'
import { ok, type Result } from '../../../shared/result'
import {
  isSecretField,
  type BodyValue,
  type ProviderProfile,
} from '../../../shared/providers/profile'
import { accountSecretId } from '../storage/bindings'
import type { AccountRecord } from '../storage/schema'
import type { Ledger } from './ledger-handle'

export function requestFields(
  ledger: Ledger,
  acc: AccountRecord,
  profile: Pick<ProviderProfile, 'fields'>,
  body: Record<string, BodyValue>,
): Result<Record<string, string>> {
  const fields: Record<string, string> = { ...acc.fields }
  for (const v of Object.values(body)) {
    if (v === null || typeof v !== 'object' || !('$field' in v)) continue
    const f = profile.fields.find((x) => x.name === v.$field)
    const stored = f && isSecretField(f) ? ownValue(acc.secrets, f.name) : undefined
    if (!f || !stored) continue
    const secret = ledger.storage.openSecret(accountSecretId(acc.id, f.name), acc, stored)
    if (!secret.ok) return secret
    fields[f.name] = secret.value
  }
  return ok(fields)
}
