// Token health: what a probe of an account's token found, as every surface shows it (the window's
// "Check now", `tokendeck status --probe`, the agent's `check`). Plain data, never a secret; no
// zod here (the CLI's light agent path prints these), the IPC contract holds the schema.

/**
 * good: the probe succeeded; refused: 401 or 403, the token was marked rejected; inconclusive:
 * no verdict (network, 5xx, an unexpected answer), nothing marked; no-token: no live token to
 * check (nothing is minted for a check); unsupported: the provider's profile declares no probe.
 */
export const CHECK_OUTCOMES = [
  'good',
  'refused',
  'inconclusive',
  'no-token',
  'unsupported',
] as const
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number]

export interface CheckReport {
  accountId: string
  label: string
  outcome: CheckOutcome
  /** The token that was checked, if any. */
  tokenId: string | null
  /** The probe's HTTP status, when it got an answer. */
  status: number | null
  /** The error code of an inconclusive probe (NETWORK_TIMEOUT, SERVER_ERROR, ...). */
  code: string | null
  /** One line for a person: what was found and what was done. */
  message: string
}

export const CHECK_OUTCOME_WORDS: Record<CheckOutcome, string> = {
  good: 'token good',
  refused: 'refused: marked rejected',
  inconclusive: 'inconclusive',
  'no-token': 'no live token',
  unsupported: 'no probe declared',
}
