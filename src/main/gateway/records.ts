// The gateway's request records, written to the event log in batches (every 250 ms or every 100
// requests) so a busy gateway costs one core call per batch, not one per request.
import type { GatewayRecord, GatewaySource } from './types'

const FLUSH_MS = 250
const FLUSH_AT = 100

export class RecordBatcher {
  private pending: GatewayRecord[] = []
  private timer: NodeJS.Timeout | null = null
  private writing: Promise<void> = Promise.resolve()

  constructor(
    private readonly source: GatewaySource,
    private readonly log?: (line: string) => void,
  ) {}

  add(r: GatewayRecord): void {
    this.pending.push(r)
    if (this.pending.length >= FLUSH_AT) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref()
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.pending.length === 0) return
    const batch = this.pending
    this.pending = []
    this.writing = this.writing.then(async () => {
      const r = await this.source.record(batch)
      if (!r.ok) this.log?.(`gateway: ${batch.length} request records not logged (${r.code})`)
    })
  }

  /** Writes what is left; resolves when every batch has been handed to the core. */
  async close(): Promise<void> {
    this.flush()
    await this.writing
  }
}
