// A client's request body in the gateway: streamed upstream as it arrives, and held (up to
// REPLAY_LIMIT) so the request can be sent again with a new token after an upstream 401.
import type http from 'node:http'
import { PassThrough, type Readable } from 'node:stream'
import type { StreamMemory } from './stream-memory'

/** A request body up to this size is held so the request can be sent again after a 401. */
export const REPLAY_LIMIT = 1024 * 1024

/** A request's body as the gateway handles it: what goes upstream first, and again after a 401. */
export interface RequestBody {
  /** What the first upstream request reads; null when the request has no body. */
  readonly stream: Readable | null
  /** Stops feeding upstream; the rest is still read (and held while it fits). */
  detach(): void
  /** The whole body, when it arrived and fits; null when it cannot be sent again. */
  replay(): Promise<Buffer | null>
}

/**
 * The body of a request that has one, as it arrives: streamed upstream, and held while it fits
 * REPLAY_LIMIT.
 */
export class ClientBody implements RequestBody {
  private held: Buffer[] | null = []
  private heldBytes = 0
  private done = false
  readonly ended: Promise<void>
  readonly stream: PassThrough

  constructor(
    private readonly req: http.IncomingMessage,
    memory: StreamMemory,
  ) {
    this.ended = new Promise((resolve) => {
      req.on('end', () => {
        this.done = true
        resolve()
      })
      req.on('close', () => resolve())
    })
    req.on('data', (chunk: Buffer) => {
      memory.forwarded(chunk.length)
      if (!this.held) return
      this.heldBytes += chunk.length
      if (this.heldBytes > REPLAY_LIMIT) this.held = null
      else this.held.push(chunk)
    })
    this.stream = req.pipe(new PassThrough())
  }

  detach(): void {
    this.req.unpipe(this.stream)
    this.req.resume()
  }

  async replay(): Promise<Buffer | null> {
    await this.ended
    return this.done && this.held ? Buffer.concat(this.held) : null
  }
}

/** A request without a body: nothing to stream or hold; sent again, it is sent empty. */
export function noBody(req: http.IncomingMessage): RequestBody {
  req.resume()
  return { stream: null, detach: () => {}, replay: () => Promise.resolve(Buffer.alloc(0)) }
}
