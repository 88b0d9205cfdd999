// Constant-time comparison of secrets (a state, a verifier, a one-time code) of any length.
import { createHash, timingSafeEqual } from 'node:crypto'

/** Whether two secrets are equal, in a time that does not depend on where they differ. */
export function secretEquals(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest()
  return timingSafeEqual(digest(a), digest(b))
}
