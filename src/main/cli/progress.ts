// A wait the person should see: after a second, one line on stderr that counts the seconds
// ("Logging in to acme-prod (TPStreams)… 3 s"), rewritten in place and erased when the wait ends.
// Only when stderr is a terminal and the output is not --json: never in a pipe or a log file.
// The line holds what `words` says (a label, a provider name), never a token.
import { terminalSafe } from './format'

/** Where the line goes: stderr, or a stand-in in tests. */
export interface ProgressStream {
  isTTY?: boolean
  write(text: string): unknown
}

export interface ProgressOptions {
  json: boolean
  /** Milliseconds before the line appears (default 1000). */
  after?: number
  stream?: ProgressStream
  now?: () => number
}

/** Carriage return and "erase to the end of the line" (ECMA-48 EL). */
const ERASE = '\r\x1b[K'

/** Runs `work`; if it takes longer than `after`, shows `words… N s` until it settles. */
export async function withProgress<T>(
  /** The words, or what gives them when the line first shows (once the wait is known). */
  words: string | (() => string),
  o: ProgressOptions,
  work: () => Promise<T>,
): Promise<T> {
  const stream = o.stream ?? process.stderr
  if (o.json || stream.isTTY !== true) return work()
  const now = o.now ?? Date.now
  const start = now()
  let text: string | undefined
  let shown = false
  let ticker: NodeJS.Timeout | undefined
  const show = () => {
    shown = true
    text ??= terminalSafe(typeof words === 'string' ? words : words(), false)
    const seconds = Math.max(1, Math.floor((now() - start) / 1000))
    stream.write(`${ERASE}${text}… ${seconds} s`)
  }
  const first = setTimeout(() => {
    show()
    ticker = setInterval(show, 1000)
  }, o.after ?? 1000)
  try {
    return await work()
  } finally {
    clearTimeout(first)
    clearInterval(ticker)
    if (shown) stream.write(ERASE)
  }
}

/** "Logging in to acme-prod (TPStreams)": the words of a login's progress line. */
export function loggingIn(label: string, providerName?: string): string {
  return `Logging in to ${label}${providerName ? ` (${providerName})` : ''}`
}
