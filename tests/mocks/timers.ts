// A manual clock with timers: advance(ms) runs whatever falls due, in order. Implements the
// Clock, Timers and IntervalTimers ports, so no test sleeps.
import type { Clock } from '../../src/shared/clock'
import type { IntervalTimers, Timers } from '../../src/main/platform/timers'

interface Entry {
  id: number
  at: number
  fn: () => void
  every: number | null
}

export class FakeTimers implements Clock, Timers, IntervalTimers {
  private t: number
  private seq = 0
  private readonly entries = new Map<number, Entry>()

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.t = start
  }

  now(): number {
    return this.t
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq
    this.entries.set(id, { id, at: this.t + ms, fn, every: null })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.entries.delete(handle as number)
  }

  setInterval(fn: () => void, ms: number): unknown {
    const id = ++this.seq
    this.entries.set(id, { id, at: this.t + ms, fn, every: ms })
    return id
  }

  clearInterval(handle: unknown): void {
    this.entries.delete(handle as number)
  }

  get pending(): number {
    return this.entries.size
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.t + ms
    for (;;) {
      const next = [...this.entries.values()]
        .filter((e) => e.at <= end)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (!next) break
      this.t = next.at
      if (next.every === null) this.entries.delete(next.id)
      else next.at += next.every
      next.fn()
    }
    this.t = end
  }
}
