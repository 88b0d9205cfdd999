// Dates and small words for people.
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

const SURFACES: Record<string, string> = {
  ui: 'this window',
  tray: 'the tray',
  cli: 'the CLI',
  agent: 'the agent',
  gateway: 'the gateway',
  renewal: 'renewal (keep ready)',
}

export function surfaceWords(surface: string): string {
  return SURFACES[surface] ?? surface
}
