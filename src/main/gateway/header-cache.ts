// The gateway's hold on headers: each account's header is asked of the core at most once a
// second (and never past its expiry), so a busy client does not turn every request into a vault
// read and a "reused" log line; concurrent requests share one ask. A refused token is reported
// once, however many requests saw the 401, and dropped at once; what the core hands out after
// the report (a new token, or the same one when no replacement may be minted yet) is held again.
import { labelKey } from '../../shared/labels'
import type { Result, Success } from '../../shared/result'
import type { GatewayHeader, GatewaySource } from './types'

/** How long a header is handed out without asking the core again. */
export const HEADER_HOLD_MS = 1000

export class HeaderCache {
  private readonly heldByKey = new Map<string, { result: Success<GatewayHeader>; at: number }>()
  private readonly asking = new Map<string, Promise<Result<GatewayHeader>>>()
  private readonly rejecting = new Map<string, Promise<void>>()

  constructor(
    private readonly source: GatewaySource,
    private readonly now: () => number,
  ) {}

  /** The header held for `label` while it may still be handed out; null when the core is asked. */
  held(label: string): Result<GatewayHeader> | null {
    const t = this.now()
    const h = this.heldByKey.get(labelKey(label))
    if (!h || t - h.at >= HEADER_HOLD_MS) return null
    const { expiresAt } = h.result.value
    return expiresAt === null || expiresAt > t + HEADER_HOLD_MS ? h.result : null
  }

  header(label: string): Promise<Result<GatewayHeader>> {
    const held = this.held(label)
    if (held) return Promise.resolve(held)
    const key = labelKey(label)
    let asking = this.asking.get(key)
    if (!asking) {
      asking = this.source.header(label).then((r) => {
        this.asking.delete(key)
        if (r.ok) this.heldByKey.set(key, { result: r, at: this.now() })
        return r
      })
      this.asking.set(key, asking)
    }
    return asking
  }

  /**
   * The server answered 401 to `tokenId`: report it to the core once (it becomes suspect); the
   * next ask gets what the core hands out after that.
   */
  refused(label: string, tokenId: string): Promise<void> {
    const key = labelKey(label)
    const drop = () => {
      if (this.heldByKey.get(key)?.result.value.tokenId === tokenId) this.heldByKey.delete(key)
    }
    drop()
    let r = this.rejecting.get(tokenId)
    if (!r) {
      // NOT_FOUND: another surface already ended it; the next ask gets the new token either way.
      // Held meanwhile by a concurrent ask: dropped again once the core knows.
      r = this.source.reject(label, tokenId).then(drop)
      this.rejecting.set(tokenId, r)
      // Remembered for a while so late 401s for the same token do not ask again.
      setTimeout(() => this.rejecting.delete(tokenId), 60_000).unref()
    }
    return r
  }
}
