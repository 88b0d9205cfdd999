// One vault's connection to a shared ledger: the organization documents it read last (for the
// views), and every change as read -> decide -> compare-and-set, retried with jitter when another
// machine wrote first (bounded). Decisions are the pure rules of slots.ts.
import { fail, ok, type Failure, type Result } from '../../../../shared/result'
import type { LedgerConnectionState, OrgLedgerStore } from '../ledger-store'
import { emptyDoc, orgDocSchema, usageOf, type OrgDoc, type SharedUsage } from './slots'

/** How many times a change is decided again after another machine wrote first. */
const MAX_ATTEMPTS = 40

/** This vault as the shared ledger knows it. */
export interface LedgerMachine {
  id: string
  name: string
}

/** An organization as last read: its document, the database's clock then, and when (local). */
export interface CachedOrg {
  doc: OrgDoc
  now: number
}

/** A decision over an organization's document: write `doc` (null: nothing to write), answer `value`. */
export type OrgDecision<T> = { doc: OrgDoc | null; value: T } | Failure

/** Owns one vault's use of a shared ledger store (reads, changes, the cache, the state). */
export class SharedLedger {
  state: LedgerConnectionState | 'unknown' = 'unknown'
  private readonly cache = new Map<string, CachedOrg>()

  constructor(
    readonly store: OrgLedgerStore,
    readonly machine: LedgerMachine,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** The organization's document now (a round trip), cached for the views. */
  async read(orgKey: string, cap: number): Promise<Result<CachedOrg & { version: string | null }>> {
    const r = await this.store.read(orgKey)
    if (!r.ok) return this.offline(r)
    this.state = 'connected'
    const doc = r.value.doc === null ? emptyDoc(cap) : orgDocSchema.safeParse(r.value.doc)
    if ('success' in doc && !doc.success)
      return fail(
        'LEDGER_UNAVAILABLE',
        `The shared ledger's record of this organization is not valid (written by something other than TokenDeck?); nothing is minted until it is fixed. See docs/team.md.`,
      )
    const value = 'success' in doc ? doc.data : doc
    const read = { doc: value, now: r.value.now }
    this.cache.set(orgKey, read)
    return ok({ ...read, version: r.value.version })
  }

  /** Usage across every machine, read now. */
  async usage(orgKey: string, cap: number): Promise<Result<SharedUsage>> {
    const r = await this.read(orgKey, cap)
    return r.ok ? ok(usageOf(r.value.doc, this.machine.id, r.value.now, cap)) : r
  }

  /** Usage as last read (the views; no round trip), or undefined if never read. */
  cached(orgKey: string, cap: number): SharedUsage | undefined {
    const c = this.cache.get(orgKey)
    return c ? usageOf(c.doc, this.machine.id, c.now, cap) : undefined
  }

  cachedDoc(orgKey: string): CachedOrg | undefined {
    return this.cache.get(orgKey)
  }

  /**
   * Changes one organization's document: reads it, lets `decide` choose on it (with the
   * database's clock), and writes with compare-and-set; another machine's write in between makes
   * it decide again on the fresh document, after a random pause (at most MAX_ATTEMPTS times).
   */
  async change<T>(
    orgKey: string,
    cap: number,
    decide: (doc: OrgDoc, now: number) => OrgDecision<T>,
  ): Promise<Result<T>> {
    for (let attempt = 1; ; attempt++) {
      const r = await this.read(orgKey, cap)
      if (!r.ok) return r
      const d = decide(structuredClone(r.value.doc), r.value.now)
      if ('ok' in d) return d
      if (d.doc === null) return ok(d.value)
      const w = await this.store.compareAndSet(orgKey, r.value.version, d.doc)
      if (w.ok) {
        this.cache.set(orgKey, { doc: d.doc, now: r.value.now })
        return ok(d.value)
      }
      if (w.code !== 'CONFLICT') return this.offline(w)
      if (attempt >= MAX_ATTEMPTS)
        return fail(
          'VAULT_BUSY',
          'The shared ledger kept changing under this change (many machines at once); try again.',
        )
      // Jitter: contenders that collided spread out instead of colliding again.
      await this.sleep(Math.random() * Math.min(5 * attempt, 50))
    }
  }

  /** Forgets an organization's cached document (after a notification: read it again). */
  forget(orgKey: string): void {
    if (orgKey === '*') this.cache.clear()
    else this.cache.delete(orgKey)
  }

  private offline<T extends Failure>(f: T): T {
    if (f.code === 'LEDGER_UNAVAILABLE') this.state = 'offline'
    return f
  }

  close(): Promise<void> {
    return this.store.close()
  }
}
