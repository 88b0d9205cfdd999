// What an account's row says about its token: the state chip, its notes and the token the countdown
// follows. The words and their meaning come from src/shared/state.ts, as in the tray and the CLI.
import { accountSummary, isLive, shownToken, type AccountState } from '../../../shared/state'
import type { AccountView, TokenView } from '../../../shared/views'

/** The newest token the vault still holds and has not ended (may have expired since). */
export const liveToken = shownToken

/** Tokens that count as live now (active and unexpired, held or not). */
export function liveTokens(a: AccountView, now: number): TokenView[] {
  return a.tokens.filter((t) => isLive(t, now))
}

/** What a row's status shows: the chip's state and word, and the notes beside it. */
export interface RowStatus {
  state: AccountState
  chip: string
  note: string
}

export function rowStatus(a: AccountView, now: number): RowStatus {
  const s = accountSummary(a, now)
  return { state: s.state, chip: s.word, note: s.notes.join(', ') }
}
