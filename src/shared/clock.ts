// Time comes from an injected clock so expiry, auto-lock and clipboard clearing are testable.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }
