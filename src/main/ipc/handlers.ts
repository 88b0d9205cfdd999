// The IPC handler table: one plain async function per invoke channel. Each parses its payload
// against the contract (a malformed payload is VALIDATION_FAILED, never a crash), calls the
// core, and returns a Result holding views only. register.ts wires it to ipcMain; the e2e
// harness calls the very same table.
import type { z } from 'zod'
import { INVOKE, type InvokeChannel } from '../../shared/ipc/channels'
import { CONTRACT, type RequestOf, type ResponseOf } from '../../shared/ipc/schemas'
import { formatIssues } from '../../shared/providers/profile'
import { fail, ok, type Result } from '../../shared/result'
import type { AppCore } from '../app-core'
import { providerView } from '../app-core'
import type { RevokeReport } from '../vault'

export type Handler = (payload: unknown) => Promise<Result<unknown>>
export type HandlerTable = Record<InvokeChannel, Handler>

type Impl<C extends InvokeChannel> = (
  req: RequestOf<C> & z.infer<(typeof CONTRACT)[C]['request']>,
) => Promise<Result<ResponseOf<C>>> | Result<ResponseOf<C>>

/** Builds the table over the app core. `log` receives one-line tags, never values. */
export function createHandlers(
  core: AppCore,
  log: (line: string) => void = () => {},
): HandlerTable {
  const s = () => core.current

  const impls: { [C in InvokeChannel]: Impl<C> } = {
    [INVOKE.appStatus]: () => ok(core.status()),
    [INVOKE.vaultCreate]: (req) => core.createVault(req),
    [INVOKE.vaultUnlock]: (req) => core.unlock(req),
    [INVOKE.vaultLock]: () => ok(core.lock()),
    [INVOKE.vaultAddPassphrase]: (req) => core.addPassphrase(req.passphrase),
    [INVOKE.vaultAddOsProtection]: () => core.addOsProtection(),
    [INVOKE.vaultRemoveSlot]: (req) => core.removeSlot(req.slotId),
    [INVOKE.demoStart]: () => core.startDemo(),

    [INVOKE.snapshot]: () => {
      const accounts = s().accounts.list()
      if (!accounts.ok) return accounts
      const organizations = s().accounts.organizations()
      if (!organizations.ok) return organizations
      return ok({
        accounts: accounts.value,
        organizations: organizations.value,
        now: s().vault.clock.now(),
      })
    },
    [INVOKE.providersList]: () =>
      s().vault.unlocked ? ok(core.providers()) : fail('VAULT_LOCKED', 'The vault is locked.'),
    [INVOKE.providersImport]: async (req) => {
      const r = await s().vault.addProvider(req.text)
      return r.ok ? ok(providerView(r.value, false)) : r
    },
    [INVOKE.providersRemove]: async (req) => {
      const r = await s().vault.removeProvider(req.id)
      return r.ok ? ok(null) : r
    },

    [INVOKE.accountsAdd]: async (req) => {
      const { accounts, tokens } = s()
      if (!req.remember && !req.login) {
        return fail(
          'VALIDATION_FAILED',
          'An account that does not remember its secret must log in now.',
        )
      }
      const added = await accounts.add({
        label: req.label,
        providerId: req.providerId,
        ...(req.baseUrl ? { baseUrl: req.baseUrl } : {}),
        fields: req.fields,
        remember: req.remember,
      })
      if (!added.ok || !req.login) return added
      const profile = s().vault.registry.get(req.providerId)
      const secrets: Record<string, string> = {}
      for (const f of profile?.fields ?? []) {
        const v = req.fields[f.name]
        if (f.role === 'secret' && v) secrets[f.name] = v
      }
      const login = await tokens.login(added.value.id, { surface: 'ui', secrets })
      if (!login.ok) {
        // A wrong password must not leave a useless account behind.
        await accounts.remove(added.value.id, { force: true })
        return login
      }
      return accounts.get(added.value.id)
    },
    [INVOKE.accountsUpdate]: (req) => s().accounts.update(req.accountId, req.patch),
    [INVOKE.accountsRemove]: async (req) => {
      if (req.revokeFirst) {
        const r = await s().tokens.revoke(req.accountId, { surface: 'ui', all: true })
        if (!r.ok && r.code !== 'NOT_FOUND') return r
        if (r.ok && r.value.failures.length > 0) {
          return fail('PROVIDER_REJECTED', `Not removed: ${r.value.message}`)
        }
      }
      return s().accounts.remove(req.accountId, { force: req.force === true })
    },
    [INVOKE.accountsSignup]: async (req) => {
      const { vault, accounts, tokens, engine } = s()
      if (!vault.unlocked) return fail('VAULT_LOCKED', 'The vault is locked.')
      const profile = vault.registry.get(req.providerId)
      if (!profile?.signup) return fail('UNSUPPORTED', 'This provider has no signup.')
      const signed = await engine.signup({
        profile,
        ...(req.baseUrl ? { baseUrl: req.baseUrl } : {}),
        fields: req.fields,
      })
      if (!signed.ok) return signed
      const added = await accounts.add({
        label: req.label,
        providerId: profile.id,
        ...(req.baseUrl ? { baseUrl: req.baseUrl } : {}),
        fields: signed.value.accountFields,
        remember: req.remember,
      })
      if (!added.ok) return added
      if (signed.value.minted) {
        const adopted = await tokens.adopt(added.value.id, signed.value.minted, 'ui')
        if (!adopted.ok) return adopted
      }
      return accounts.get(added.value.id)
    },

    [INVOKE.tokensLogin]: (req) =>
      s().tokens.login(req.accountId, {
        surface: 'ui',
        force: req.force === true,
        ...(req.secrets ? { secrets: req.secrets } : {}),
      }),
    [INVOKE.tokensRevoke]: (req) =>
      s().tokens.revoke(req.accountId, {
        surface: 'ui',
        ...(req.tokenId ? { tokenId: req.tokenId } : {}),
        all: req.all === true,
      }),
    [INVOKE.tokensRevokeOldest]: async (req) => {
      const list = s().accounts.list()
      if (!list.ok) return list
      const oldest = list.value
        .filter((a) => a.orgKey === req.orgKey)
        .flatMap((a) => a.tokens.filter((t) => t.state === 'active' && t.held))
        .sort((a, b) => a.issuedAt - b.issuedAt)[0]
      if (!oldest) return fail('NOT_FOUND', 'This organization has no live token to revoke.')
      return s().tokens.revoke(oldest.accountId, { surface: 'ui', tokenId: oldest.id })
    },
    [INVOKE.tokensRevokeOrganization]: async (req) => {
      const list = s().accounts.list()
      if (!list.ok) return list
      const merged: RevokeReport = { revoked: [], forgotten: [], failures: [], message: '' }
      const messages: string[] = []
      for (const a of list.value.filter((x) => x.orgKey === req.orgKey)) {
        if (!a.tokens.some((t) => t.state === 'active' && t.held)) continue
        const r = await s().tokens.revoke(a.id, { surface: 'ui', all: true })
        if (!r.ok) {
          merged.failures.push({ tokenId: '', code: r.code, message: `${a.label}: ${r.message}` })
          continue
        }
        merged.revoked.push(...r.value.revoked)
        merged.forgotten.push(...r.value.forgotten)
        merged.failures.push(...r.value.failures)
        messages.push(`${a.label}: ${r.value.message}`)
      }
      if (messages.length === 0 && merged.failures.length === 0) {
        return fail('NOT_FOUND', 'This organization has no live token to revoke.')
      }
      merged.message = [...messages, ...merged.failures.map((f) => f.message)].join(' ')
      return ok(merged)
    },
    [INVOKE.tokensDismissUncertain]: (req) => s().tokens.dismissUncertain(req.tokenId),
    [INVOKE.copyHeader]: (req) => core.copyHeader(req.accountId, 'ui', req.secrets),

    [INVOKE.settingsGet]: () => s().vault.settings(),
    [INVOKE.settingsUpdate]: (req) => s().vault.updateSettings(req),
    [INVOKE.eventsList]: (req) => {
      if (!s().vault.unlocked) return fail('VAULT_LOCKED', 'The vault is locked.')
      return ok(
        s().vault.events.list({
          ...(req?.limit ? { limit: req.limit } : { limit: 500 }),
          ...(req?.accountId ? { accountId: req.accountId } : {}),
          ...(req?.types ? { types: req.types } : {}),
        }),
      )
    },
  }

  const table = {} as HandlerTable
  for (const channel of Object.keys(impls) as InvokeChannel[]) {
    const schema = CONTRACT[channel].request
    const impl = impls[channel] as (req: unknown) => Promise<Result<unknown>> | Result<unknown>
    table[channel] = async (payload) => {
      const parsed = schema.safeParse(payload)
      if (!parsed.success) {
        log(`ipc: rejected malformed payload on ${channel}`)
        return fail('VALIDATION_FAILED', 'The request was malformed and was ignored.', {
          details: { problems: formatIssues(parsed.error.issues, 5) },
        })
      }
      try {
        if (core.current.vault.unlocked) core.current.vault.touch()
        return await impl(parsed.data)
      } catch (e) {
        // A bug: say so without echoing anything (the error could quote a payload).
        log(`ipc: handler for ${channel} threw ${(e as Error)?.name ?? 'an error'}`)
        return fail('INTERNAL', 'Something went wrong inside TokenDeck; nothing was changed.')
      }
    }
  }
  return table
}
