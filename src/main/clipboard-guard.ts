// ClipboardGuard owns what TokenDeck put on the clipboard: writes the header (marked as sensitive
// where the platform has a convention for it) and clears it after N seconds or on quit, but only
// if the clipboard still holds what TokenDeck put there. Pure: the clipboard is a ClipboardPort.
import type { HeaderCopier } from './app-core'
import { realTimers, type Timers } from './platform/timers'

/** The clipboard operations the guard needs. The Electron one is async; fakes may be sync. */
export interface ClipboardPort {
  writeText(text: string): Promise<void> | void
  readText(): Promise<string> | string
  clear(): Promise<void> | void
  /**
   * Optional: writes the text together with the platform's "sensitive" markers in ONE atomic
   * write. (Marking after a plain write would replace the text, or leave it unmarked for a moment
   * during which a clipboard manager can record it.)
   */
  writeSensitive?(text: string): Promise<void> | void
}

export const DEFAULT_CLEAR_SECONDS = 30

interface Pending {
  text: string
  handle: unknown
}

/** Owns what TokenDeck put on the clipboard and when it is cleared again. */
export class ClipboardGuard implements HeaderCopier {
  private pending: Pending | null = null
  private queue: Promise<void> = Promise.resolve()
  private sensitiveFailed = false
  private readonly timers: Timers
  private readonly log: (line: string) => void

  constructor(
    private readonly port: ClipboardPort,
    opts: { timers?: Timers; log?: (line: string) => void } = {},
  ) {
    this.timers = opts.timers ?? realTimers
    this.log = opts.log ?? (() => {})
  }

  /** Writes `text` and schedules its clearing; a newer copy cancels the older timer. */
  copy(text: string, clearAfterSeconds: number = DEFAULT_CLEAR_SECONDS): void {
    if (this.pending) this.timers.clearTimeout(this.pending.handle)
    const seconds =
      Number.isFinite(clearAfterSeconds) && clearAfterSeconds > 0 && clearAfterSeconds <= 3600
        ? clearAfterSeconds
        : DEFAULT_CLEAR_SECONDS
    const entry: Pending = { text, handle: undefined }
    this.pending = entry
    this.enqueue(() => this.write(text))
    entry.handle = this.timers.setTimeout(() => {
      this.enqueue(() => this.clearIfOurs(entry, 'timer'))
    }, seconds * 1000)
  }

  /** On quit: clears the clipboard if it still holds our last copy. Resolves when done. */
  async clearOnQuit(): Promise<void> {
    const entry = this.pending
    if (entry) {
      this.timers.clearTimeout(entry.handle)
      this.enqueue(() => this.clearIfOurs(entry, 'quit'))
    }
    await this.idle()
  }

  /** Resolves when every queued clipboard operation has finished. */
  idle(): Promise<void> {
    return this.queue
  }

  /** Whether a copy is waiting to be cleared (for status and tests). */
  get holding(): boolean {
    return this.pending !== null
  }

  private enqueue(op: () => Promise<void>): void {
    this.queue = this.queue.then(op).catch((e: unknown) => {
      this.log(`clipboard: operation failed (${(e as Error)?.name ?? 'error'})`)
    })
  }

  private async write(text: string): Promise<void> {
    if (this.port.writeSensitive && !this.sensitiveFailed) {
      try {
        await this.port.writeSensitive(text)
        return
      } catch {
        this.sensitiveFailed = true
        this.log('clipboard: sensitive marking refused by the platform; copying as plain text')
      }
    }
    await this.port.writeText(text)
  }

  private async clearIfOurs(entry: Pending, why: 'timer' | 'quit'): Promise<void> {
    if (this.pending !== entry) return
    this.pending = null
    const current = await this.port.readText()
    if (current === entry.text) {
      await this.port.clear()
      this.log(`clipboard: cleared (${why})`)
    } else {
      this.log(`clipboard: left alone (${why}); it holds something else now`)
    }
  }
}
