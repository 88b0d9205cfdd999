// Dates and small words for people.
import type { Surface } from '../../../shared/event-types'

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})
const time = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})

export function formatDateTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : dateTime.format(new Date(ms))
}

/** Time only for today, date and time otherwise. */
export function formatWhen(ms: number, now = Date.now()): string {
  const d = new Date(ms)
  const today = new Date(now)
  return d.toDateString() === today.toDateString() ? time.format(d) : dateTime.format(d)
}

export { plural } from '../../../shared/words'

/** "app.tpstreams.com" from a base URL, the URL itself when it does not parse. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

/** Every surface in words: a new one (shared/event-types.ts SURFACES) does not compile until named. */
const SURFACE_WORDS: Record<Surface, string> = {
  ui: 'this window',
  tray: 'the tray',
  cli: 'the CLI',
  agent: 'the agent',
  gateway: 'the gateway',
  renewal: 'renewal (keep ready)',
  ledger: 'another machine (shared ledger)',
}

export function surfaceWords(surface: string): string {
  return (SURFACE_WORDS as Record<string, string>)[surface] ?? surface
}

/** An ISO 8601 instant (with its zone), or the "2026-12-07 10:00 UTC" form of older messages. */
const WRITTEN_TIME =
  /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})(?![\w:])|\b\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\b/g

/**
 * Text from main (a failure's message, a token's note, an event) with any written-out time in the
 * window's one format. Main's words carry no clock time any more, but notes and events written by
 * an earlier TokenDeck, and servers' own messages, may.
 */
export function localTimes(text: string): string {
  return text.replace(WRITTEN_TIME, (written) => {
    const ms = Date.parse(
      written.endsWith(' UTC') ? written.replace(' ', 'T').replace(' UTC', 'Z') : written,
    )
    return Number.isFinite(ms) ? formatDateTime(ms) : written
  })
}
