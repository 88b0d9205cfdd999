// What a profile field's role means, without the profile schema: the window asks which fields
// are secret (its dialogs), and importing profile.ts would load zod into the page.
import type { ProfileField } from './profile'

/** A field whose value is a secret: typed hidden, sealed, never shown or logged. */
export function isSecretField(f: Pick<ProfileField, 'role'>): boolean {
  return f.role === 'secret'
}

/** A code typed at each login and never stored (an authenticator's): a secret too. */
export function isOneTimeField(f: Pick<ProfileField, 'role' | 'oneTime'>): boolean {
  return f.role === 'secret' && f.oneTime === true
}
