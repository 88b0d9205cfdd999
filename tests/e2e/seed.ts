// A large vault for the list tests and the renderer bench: 1,000 accounts in 50 organizations,
// seeded through the vault services (no UI). One account goes through AccountService.add (the
// same checks as the UI); the rest are written in one Vault.mutate, because 1,000 single
// adds rewrite the encrypted file 1,000 times (about 20 s). Every record is validated again by
// the vault's schema when it is read back.
import { randomUUID } from 'node:crypto'
import { organizationOf } from '../../src/main/vault/ledger/ledger'
import type { AccountRecord, TokenRecord } from '../../src/main/vault/storage/schema'
import type { TestApp } from '../helpers/app'

export const label = (i: number) => `account-${String(i).padStart(4, '0')}`
export const org = (i: number, orgs: number) => `org-${String(i % orgs).padStart(2, '0')}`

export async function seedLargeVault(
  app: TestApp,
  passphrase: string,
  count = 1000,
  orgs = 50,
  /** Give each account a live (fake) token expiring this far from now: for the tick bench. */
  tokenExpiresInMs?: number,
): Promise<void> {
  const { core } = app
  const created = await core.actions.protection.create({ protection: 'passphrase', passphrase })
  if (!created.ok) throw new Error(created.message)
  const profiles = core.current.vault.providers()
  const tpstreams = profiles.ok ? profiles.value.get('tpstreams') : undefined
  const fields = (i: number) => ({
    username: `user${i}@example.com`,
    organization_id: org(i, orgs),
  })
  const first = await core.current.accounts.add({
    label: label(0),
    providerId: 'tpstreams',
    baseUrl: 'https://app.tpstreams.com',
    fields: fields(0),
    remember: false,
  })
  if (!first.ok) throw new Error(first.message)
  const written = await core.current.vault.mutate((draft) => {
    const template = draft.accounts.find((a) => a.id === first.value.id)!
    for (let i = 1; i < count; i++) {
      const record: AccountRecord = {
        ...template,
        id: randomUUID(),
        label: label(i),
        fields: fields(i),
      }
      draft.accounts.push(record)
    }
    if (tokenExpiresInMs !== undefined) {
      const now = core.current.vault.clock.now()
      for (const a of draft.accounts) {
        const id = randomUUID()
        const sealed = core.current.vault.storage.sealSecret(
          `token/${id}`,
          a,
          `bench-fake-token-${id}`,
        )
        if (!sealed.ok) return sealed
        const token: TokenRecord = {
          id,
          accountId: a.id,
          providerId: a.providerId,
          orgKey: organizationOf(tpstreams, a).key,
          state: 'active',
          issuedAt: now,
          expiresAt: now + tokenExpiresInMs,
          headerName: 'Authorization',
          scheme: 'Token',
          metadata: {},
          surface: 'cli',
          secret: sealed.value,
          endedAt: null,
          note: null,
        }
        draft.tokens.push(token)
      }
    }
    return { ok: true, value: undefined }
  })
  if (!written.ok) throw new Error(written.message)
  const listed = core.current.accounts.list()
  if (!listed.ok || listed.value.length !== count) throw new Error('the large vault did not seed')
}
