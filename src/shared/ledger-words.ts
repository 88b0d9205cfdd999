// The shared ledger in words, one definition for the window and the command line: how many tokens
// other machines hold, what one machine holds, and what being offline means.
import { plural } from './words'

/** "5 on other machines" (the tokens of a shared organization held elsewhere). */
export function elsewhereText(n: number): string {
  return `${n} on other machines`
}

/** "2 live tokens, 1 uncertain": what one machine holds in a shared organization. */
export function holderTokens(h: { live: number; uncertain: number }): string {
  return (
    [h.live ? plural(h.live, 'live token') : '', h.uncertain ? `${h.uncertain} uncertain` : '']
      .filter(Boolean)
      .join(', ') || 'no token'
  )
}

/** What an offline shared ledger means for this machine. */
export const LEDGER_OFFLINE_WORDS =
  'Counts may be stale, and no new token can be minted in a shared organization until the ledger is back; valid tokens are still used.'
