// Token ends the server confirmed but no write could record yet: this process never hands such a
// token out again, and the next successful write of the vault (any write) records them.
import { endToken } from './ledger'
import type { VaultData } from '../storage/schema'

/** How a token ended on the server (see PendingEnds.remember). */
export interface PendingEnd {
  state: 'revoked' | 'forgotten'
  at: number
  note: string
}

/** The ends of one process, applied to every write through storage's rider (see ledger-handle). */
export class PendingEnds {
  private readonly ends = new Map<string, PendingEnd>()

  /** Remembers that the server ended a token whose new state could not be written. */
  remember(tokenId: string, end: PendingEnd): void {
    this.ends.set(tokenId, end)
  }

  /** The server ended this token, whether or not the file says so yet. */
  has(tokenId: string): boolean {
    return this.ends.has(tokenId)
  }

  /**
   * Applies the ends to a draft about to be written; returns what to call once it is on disk
   * (those ends are recorded then), or undefined when there is none.
   */
  applyTo(draft: Pick<VaultData, 'tokens'>): (() => void) | undefined {
    if (this.ends.size === 0) return undefined
    const applied = [...this.ends]
    for (const [id, end] of applied) {
      const t = draft.tokens.find((x) => x.id === id)
      if (t && (t.state === 'active' || t.state === 'uncertain'))
        endToken(t, end.state, end.at, end.note)
    }
    return () => {
      for (const [id] of applied) this.ends.delete(id)
    }
  }
}
