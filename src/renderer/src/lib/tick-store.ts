// One shared clock for every countdown on screen: a single timer, aligned to whole seconds, that
// rows subscribe to through useSyncExternalStore. Rows select a string from the time (the text
// they show), so a tick re-renders only the rows whose text actually changed.
//
// Each tick leaves a performance measure (TICK_MEASURE): from the tick's start until React has
// committed the re-render. React flushes store updates made outside an event in a microtask that
// it queues while the listeners run, so a microtask queued after the listeners runs after that
// commit. bench/renderer.ts reads these measures.
import { useSyncExternalStore } from 'react'
import { expiryStatus, formatRemaining, type ExpiryStatus } from '../../../shared/expiry'

export const TICK_MEASURE = 'tokendeck:tick'

type Listener = () => void

const listeners = new Set<Listener>()
let now = Date.now()
let timer: ReturnType<typeof setTimeout> | null = null
let measured = 0

function schedule(): void {
  timer = setTimeout(tick, 1000 - (Date.now() % 1000) || 1000)
}

function tick(): void {
  const start = performance.now()
  now = Date.now()
  for (const l of listeners) l()
  queueMicrotask(() => {
    // The buffer of user timings is unbounded: keep it small in a long-running window.
    if (++measured % 600 === 0) performance.clearMeasures(TICK_MEASURE)
    performance.measure(TICK_MEASURE, { start, end: performance.now() })
  })
  if (listeners.size > 0) schedule()
  else timer = null
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener)
  if (timer === null) {
    now = Date.now()
    schedule()
  }
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0 && timer !== null) {
      clearTimeout(timer)
      timer = null
    }
  }
}

/** A string derived from the shared clock; re-renders only when that string changes. */
export function useClockText(select: (now: number) => string): string {
  return useSyncExternalStore(subscribe, () => select(now))
}

export interface Countdown {
  status: ExpiryStatus
  /** "2 h 14 m", "45 s", "expired", "no expiry" */
  text: string
}

function countdownKey(expiresAt: number | null, at: number): string {
  const status = expiryStatus(expiresAt, at)
  if (status === 'no-expiry') return 'no-expiry|no expiry'
  return `${status}|${formatRemaining((expiresAt ?? 0) - at)}`
}

/** A live countdown to `expiresAt`; re-renders only when its text or status changes. */
export function useCountdown(expiresAt: number | null): Countdown {
  const key = useSyncExternalStore(subscribe, () => countdownKey(expiresAt, now))
  const bar = key.indexOf('|')
  return { status: key.slice(0, bar) as ExpiryStatus, text: key.slice(bar + 1) }
}
