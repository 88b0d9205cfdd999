// Which links may leave the app for the user's browser: https only, to an exact host on a short
// allow-list (the project's docs and the built-in providers' documentation).
// The pages of logins waiting in the browser have their own rule (isLoginPageUrl).
import type { ProviderProfile } from '../../shared/providers/profile'
import { checkUrl } from '../../shared/url-policy'

/** The project's own documentation. */
export const PROJECT_DOCS_HOSTS: readonly string[] = ['github.com']

/** The allow-list: the project's docs plus the docsUrl hosts of the built-in providers. */
export function externalAllowList(builtins: readonly Pick<ProviderProfile, 'docsUrl'>[]): string[] {
  const hosts = new Set(PROJECT_DOCS_HOSTS)
  for (const p of builtins) {
    if (!p.docsUrl) continue
    try {
      const u = new URL(p.docsUrl)
      if (u.protocol === 'https:') hosts.add(u.hostname.toLowerCase())
    } catch {
      // A malformed docsUrl widens nothing.
    }
  }
  return [...hosts].sort()
}

/**
 * True only for an `https:` URL without credentials whose host is exactly one on the list (no
 * prefix or suffix matching: `https://x.com.attacker.example` is not `x.com`).
 */
export function isAllowedExternal(url: unknown, allowList: readonly string[]): boolean {
  if (typeof url !== 'string' || url.length > 2048) return false
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (u.protocol !== 'https:') return false
  if (u.username !== '' || u.password !== '') return false
  if (u.port !== '') return false
  const host = u.hostname.toLowerCase()
  return allowList.some((allowed) => allowed.toLowerCase() === host)
}

/**
 * True for the page of a login waiting in the browser (an OAuth verification or authorization
 * page): https, or plain http to this machine; no credentials in it, no fragment. Anything else
 * (file:, javascript:, a custom scheme that starts a program, http to another host) stays closed.
 */
export function isLoginPageUrl(url: unknown): boolean {
  if (typeof url !== 'string' || url.length > 8192) return false
  const r = checkUrl(url)
  return r.ok
}
