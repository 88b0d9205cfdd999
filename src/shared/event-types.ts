// The event log's vocabulary as plain lists (no zod): the kinds of event and the surfaces an
// event can come from. views.ts builds its schemas from them; the CLI's agent path, which loads
// no schema library but zod's mini build, checks `tokendeck log --type/--surface` against them.

/**
 * Where an event came from. `renewal`: the app renewing a keep-ready token on its own; `ledger`:
 * another machine asked through the shared ledger (an eviction, a revocation request).
 */
export const SURFACES = ['ui', 'tray', 'cli', 'agent', 'gateway', 'renewal', 'ledger'] as const
export type Surface = (typeof SURFACES)[number]

export const EVENT_TYPES = [
  'mint',
  'reuse',
  'copy',
  'revoke',
  'forget',
  'failure',
  'account',
  'vault',
  /** A request to the agent that no other entry records: who asked and for what. */
  'agent',
  /** A request through the gateway: label, method, path without query, status, duration. */
  'gateway',
  /** A refresh token exchanged for a new access token (no login sent). */
  'refresh',
  /** A server refused a token (now suspect), or was seen to accept a suspect one again. */
  'refusal',
] as const
export type EventType = (typeof EVENT_TYPES)[number]
