// Keeps the gateway's memory flat while large bodies stream through: every socket read is a new
// 64 KiB buffer that V8 frees only at its next collection, and nothing else in a streaming proxy
// makes one happen before ~64 MiB of them pile up. After every 16 MiB forwarded this asks V8 for
// a minor collection (a scavenge: well under a millisecond), which frees the buffers already
// written. Without the gc hook (flags refused), it does nothing and memory is only bounded.
import { runInNewContext } from 'node:vm'
import v8 from 'node:v8'

const EVERY_BYTES = 16 * 1024 * 1024

type Gc = (o?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void

function gcHook(): Gc | null {
  try {
    v8.setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as unknown
    return typeof gc === 'function' ? (gc as Gc) : null
  } catch {
    return null
  }
}

export class StreamMemory {
  private since = 0
  private gc: Gc | null | undefined

  /** Counts bytes forwarded; now and then lets V8 free the buffers already written. */
  forwarded(bytes: number): void {
    this.since += bytes
    if (this.since < EVERY_BYTES) return
    this.since = 0
    this.gc ??= gcHook()
    this.gc?.({ type: 'minor' })
  }
}
