// The light part of the core: the built-in provider profiles, checking a profile as an import
// is checked, and the words and views made of them. Pure (no vault, no network), so a surface
// that talks to the agent can use it without loading the vault (the architecture rule lets
// surfaces import it beside actions/index.ts).
import type { ProviderView } from '../../shared/ipc/schemas'
import type { GatewayPolicy } from '../../shared/gateway-policy'
import { canRevoke, type ProviderProfile } from '../../shared/providers/profile'
import { plural } from '../../shared/words'
import { BUILTIN_PROFILES, parseUserProfile } from '../providers/registry'

export { BUILTIN_PROFILES, parseUserProfile }

/** A built-in provider's profile, as this build ships it. */
export function builtinProfile(providerId: string): ProviderProfile | undefined {
  return BUILTIN_PROFILES.find((p) => p.id === providerId)
}

/** What the window and the CLI see of a profile. */
export function providerView(p: ProviderProfile, builtin: boolean): ProviderView {
  return {
    id: p.id,
    name: p.name,
    ...(p.description ? { description: p.description } : {}),
    ...(p.docsUrl ? { docsUrl: p.docsUrl } : {}),
    builtin,
    defaultBaseUrl: p.baseUrl,
    fields: p.fields,
    signupFields: p.signup?.fields ?? null,
    canRevoke: canRevoke(p),
    probe: p.probe !== undefined,
    cap: p.cap ?? null,
    scheme: p.auth.scheme,
    expiry: p.expiry.source,
    signIn: p.login.kind,
  }
}

/** A gateway policy in words: its methods, paths and web origins. */
export function describePolicy(p: GatewayPolicy): string {
  const parts = [
    p.methods.length ? `methods ${p.methods.join(', ')}` : 'any method',
    p.paths.length ? `${plural(p.paths.length, 'path')} (${p.paths.join(', ')})` : 'any path',
    p.origins.length ? `web origins ${p.origins.join(', ')}` : 'no web origin',
  ]
  return parts.join('; ')
}
