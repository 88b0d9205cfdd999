// Provider actions: the built-in and imported profiles as views, importing one (JSON text) and
// removing an import that no account uses.
import { fail, ok, type Result } from '../../shared/result'
import type { ProviderView } from '../../shared/ipc/schemas'
import type { ProviderProfile } from '../../shared/providers/profile'
import type { ActionDeps } from './context'
import { providerView } from './catalog'

export { providerView } from './catalog'

export function providerActions(deps: ActionDeps) {
  const s = deps.services

  /** Every profile; readable while locked (profiles hold no secret), unless `unlockedOnly`. */
  function list(o: { unlockedOnly?: boolean } = {}): Result<ProviderView[]> {
    const { vault } = s()
    if (o.unlockedOnly && !vault.unlocked) return fail('VAULT_LOCKED', 'The vault is locked.')
    const r = vault.providers()
    if (!r.ok) return r
    return ok(r.value.list().map((p) => providerView(p, r.value.isBuiltin(p.id))))
  }

  /** One profile by id, whole (the CLI builds its flags from it); readable while locked. */
  function profile(id: string): Result<ProviderProfile> {
    const r = s().vault.providers()
    if (!r.ok) return r
    const p = r.value.get(id)
    return p
      ? ok(p)
      : fail(
          'VALIDATION_FAILED',
          `Unknown provider "${id.slice(0, 40)}". See tokendeck providers list.`,
        )
  }

  async function importProfile(text: string): Promise<Result<ProviderView>> {
    const r = await s().vault.addProvider(text)
    return r.ok ? ok(providerView(r.value, false)) : r
  }

  function remove(id: string): Promise<Result<void>> {
    return s().vault.removeProvider(id)
  }

  return { list, profile, import: importProfile, remove }
}

export type ProviderActions = ReturnType<typeof providerActions>
