// A vault's link to its shared ledger: which organizations are shared (capped, per organization),
// the connection made from the vault's sealed settings (lazily: only a mint, a status or a watcher
// connects; reuse never does), what this machine's token records mean as slots, and keeping the
// documents in step with them (after each ledger write, and in full after being offline).
import { fail, ok, type Result } from '../../../../shared/result'
import type { Organization } from '../ledger'
import { organizationOf } from '../ledger'
import { registryFor } from '../../../providers/registry'
import { tokenState } from '../../../../shared/state'
import type { TokenRecord, VaultData } from '../../storage/schema'
import type { OrgLedgerStore } from '../ledger-store'
import { SharedLedger } from './shared-ledger'
import { settle, slotIdOf, type SlotChange, type SharedUsage } from './slots'

/** The vault's shared ledger settings (sealed in the vault: the URL may hold a password). */
export type SharedLedgerSettings = NonNullable<VaultData['sharedLedger']>

/** A capped organization whose cap the shared ledger counts. */
export interface SharedOrg {
  org: Organization
  max: number
  evicting: boolean
}

/** What the holder does when another machine asks (set by the token service). */
export interface SlotRequests {
  /** Another machine's reservation evicted this token (the server ended it). */
  evicted(tokenId: string, by: string): Promise<Result<unknown>>
  /** Another machine asked this one to revoke the token. */
  revoke(accountId: string, tokenId: string, by: string): Promise<Result<unknown>>
}

/** Opens the store for a URL (PostgreSQL; tests may pass another). */
export type StoreOpener = (url: string) => Promise<Result<OrgLedgerStore>>

/** Owns a vault's connection to the shared ledger and keeping its slots in step. */
export class SharedLink {
  private current: { key: string; ledger: SharedLedger } | null = null
  private needsSync = true
  private unwatch: (() => void) | null = null
  private watching = false
  requests: SlotRequests | null = null
  /** Told when shared counts or the connection's state change (the views refresh). */
  onChange: () => void = () => {}

  constructor(private readonly openStore: StoreOpener) {}

  /** The capped, per-organization organizations of the vault's accounts, by key. */
  sharedOrgs(data: VaultData): Map<string, SharedOrg> {
    const out = new Map<string, SharedOrg>()
    if (!data.sharedLedger) return out
    const registry = registryFor(data.customProfiles)
    for (const a of data.accounts) {
      const profile = registry.get(a.providerId)
      if (!profile?.cap || profile.cap.scope === 'account') continue
      const org = organizationOf(profile, a)
      if (org.organizationId === null) continue
      out.set(org.key, {
        org,
        max: profile.cap.max,
        evicting: profile.cap.onExceed === 'evictOldest',
      })
    }
    return out
  }

  slotId(data: VaultData, tokenId: string): string {
    return slotIdOf(Buffer.from(data.sharedLedger!.slotKey, 'base64'), tokenId)
  }

  /** The connected shared ledger for the vault's settings; null when the vault has none. */
  async ledgerFor(data: VaultData): Promise<Result<SharedLedger | null>> {
    // One at a time: a follower's check and a command's connect must not open two stores.
    const run = this.queue.then(() => this.ledgerForNow(data))
    this.queue = run.then(
      () => undefined,
      () => undefined,
    )
    return run
  }

  private queue: Promise<void> = Promise.resolve()

  private async ledgerForNow(data: VaultData): Promise<Result<SharedLedger | null>> {
    const s = data.sharedLedger
    if (!s) {
      await this.drop()
      return ok(null)
    }
    const key = keyOf(s)
    if (this.current?.key !== key) {
      await this.drop()
      const store = await this.openStore(s.url)
      if (!store.ok) return store
      this.current = {
        key,
        ledger: new SharedLedger(store.value, { id: s.machineId, name: s.machineName }),
      }
      this.needsSync = true
      if (this.watching) this.startWatch()
    }
    const ledger = this.current.ledger
    if (this.needsSync) {
      const r = await this.syncAll(ledger, data)
      if (!r.ok) return r
    }
    return ok(ledger)
  }

  /** The next use settles every slot of this machine again (a change could not be written). */
  resync(): void {
    this.needsSync = true
  }

  /** The ledger as connected now, if any (no connecting: the views). */
  connected(): SharedLedger | null {
    return this.current?.ledger ?? null
  }

  /** Cached usage of a shared organization (views: no round trip). */
  cachedUsage(orgKey: string, max: number): SharedUsage | undefined {
    return this.current?.ledger.cached(orgKey, max)
  }

  /**
   * After a ledger write: the slots of this machine's records that changed (in shared
   * organizations) are settled in the documents. A failure is remembered and the next use syncs
   * everything; the local write stands either way (it is the truth of this machine).
   */
  async afterWrite(before: readonly TokenRecord[], after: VaultData, now: number): Promise<void> {
    if (!after.sharedLedger) return
    const shared = this.sharedOrgs(after)
    const was = new Map(before.map((t) => [t.id, t]))
    const byOrg = new Map<string, SlotChange[]>()
    const seen = new Set<string>()
    const note = (t: TokenRecord, state: SlotChange['state']) => {
      if (!shared.has(t.orgKey)) return
      const list = byOrg.get(t.orgKey) ?? []
      list.push({ slotId: this.slotId(after, t.id), state, expiresAt: t.expiresAt })
      byOrg.set(t.orgKey, list)
    }
    for (const t of after.tokens) {
      seen.add(t.id)
      const old = was.get(t.id)
      const state = slotState(t, now)
      if (old && slotState(old, now) === state && old.expiresAt === t.expiresAt) continue
      note(t, state)
    }
    // A record dropped by a write (a pending login its server refused cleanly) frees its slot.
    for (const t of before) if (!seen.has(t.id)) note(t, 'gone')
    if (byOrg.size === 0) return
    const l = await this.ledgerFor(after)
    if (!l.ok || !l.value) return void (this.needsSync = true)
    for (const [orgKey, changes] of byOrg) {
      const r = await this.settle(l.value, orgKey, shared.get(orgKey)!.max, changes)
      if (!r.ok) this.needsSync = true
    }
    this.onChange()
  }

  /** This machine's slots of one organization set to `changes` (compare-and-set). */
  settle(ledger: SharedLedger, orgKey: string, max: number, changes: SlotChange[]) {
    const { id: machine, name } = ledger.machine
    return ledger.change(orgKey, max, (doc, now) => ({
      doc: settle(doc, { machine, name, changes, now }),
      value: undefined,
    }))
  }

  /**
   * Every shared organization's document in step with this machine's records (after connecting,
   * and after a change could not be written). Requests other machines left for this one are
   * carried out by a process that follows the ledger (refresh), never under a mint's lock.
   */
  async syncAll(ledger: SharedLedger, data: VaultData): Promise<Result<void>> {
    const ready = await ledger.store.ready()
    if (!ready.ok) return ready
    this.needsSync = false
    const now = Date.now()
    for (const [orgKey, o] of this.sharedOrgs(data)) {
      const changes = data.tokens
        .filter((t) => t.orgKey === orgKey)
        .map((t) => ({
          slotId: this.slotId(data, t.id),
          state: slotState(t, now),
          expiresAt: t.expiresAt,
        }))
      const r = await this.settle(ledger, orgKey, o.max, changes)
      if (!r.ok) {
        this.needsSync = true
        return r
      }
    }
    this.onChange()
    return ok(undefined)
  }

  /** Evictions and revocation requests other machines left on this machine's slots. */
  private async carryOutRequests(ledger: SharedLedger, data: VaultData, orgKey: string) {
    const doc = ledger.cachedDoc(orgKey)?.doc
    if (!doc || !this.requests) return
    const bySlot = new Map(data.tokens.map((t) => [this.slotId(data, t.id), t]))
    const now = Date.now()
    for (const s of doc.slots) {
      if (s.machine !== ledger.machine.id) continue
      const t = bySlot.get(s.id)
      if (!t || tokenState(t, now) !== 'active') continue
      let done: Result<unknown> = ok(undefined)
      if (s.state === 'evicted') done = await this.requests.evicted(t.id, 'another machine')
      else if (s.revokeRequested)
        done = await this.requests.revoke(t.accountId, t.id, s.revokeRequested.by)
      // Not carried out (the server did not answer): asked again at the next sync.
      if (!done.ok) this.needsSync = true
    }
  }

  /**
   * Keeps following the shared ledger (the app and the agent): every change another machine
   * makes is read within a second and shown, and requests for this machine are carried out.
   * `read` gives the vault's data when it is unlocked; `subscribe` tells of every vault change
   * (an unlock, a connect or disconnect, a lock: the connection follows them).
   */
  follow(read: () => Result<VaultData>, subscribe: (l: () => void) => () => void): () => void {
    this.watching = true
    this.readData = read
    const check = () => {
      const d = read()
      const s = d.ok ? d.value.sharedLedger : undefined
      if (!d.ok || !s) {
        if (this.current) void this.drop()
        return
      }
      if (this.current?.key === keyOf(s)) {
        if (!this.unwatch) this.startWatch()
        return
      }
      void this.ledgerFor(d.value).then((r) => {
        if (!r.ok) this.needsSync = true
      })
    }
    const unsubscribe = subscribe(check)
    check()
    return () => {
      unsubscribe()
      this.watching = false
      this.unwatch?.()
      this.unwatch = null
    }
  }

  private readData: () => Result<VaultData> = () => fail('VAULT_LOCKED', 'Locked.')

  private startWatch(): void {
    this.unwatch?.()
    const ledger = this.current!.ledger
    let listening = false
    // Polling as the fallback: every second while no LISTEN connection stands (a server that
    // went away, a pooler that does not pass LISTEN on), and every 15 s regardless, in case a
    // notification was lost on the way.
    let ticks = 0
    const poll = setInterval(() => {
      ticks++
      if (this.refreshing) return
      if (!listening || ticks % POLL_EVERY_TICKS === 0) void this.refresh(ledger, '')
    }, 1000)
    poll.unref()
    let stopListening = () => {}
    // Set before watching: a state the store reports at once must not start another watch.
    this.unwatch = () => {
      clearInterval(poll)
      stopListening()
    }
    stopListening = ledger.store.watch(
      (orgKey) => void this.refresh(ledger, orgKey),
      (state) => {
        listening = state === 'connected'
        if (state === 'offline') this.needsSync = true
        ledger.state = state
        this.onChange()
      },
    )
  }

  /** A poll waits for the refresh before it (a database that hangs must not pile them up). */
  private refreshing = false

  private async refresh(ledger: SharedLedger, orgKey: string): Promise<void> {
    this.refreshing = true
    try {
      await this.refreshNow(ledger, orgKey)
    } finally {
      this.refreshing = false
    }
  }

  private async refreshNow(ledger: SharedLedger, orgKey: string): Promise<void> {
    const d = this.readData()
    if (!d.ok || this.current?.ledger !== ledger) return
    const shared = this.sharedOrgs(d.value)
    if (this.needsSync || orgKey === '*') {
      const r = await this.syncAll(ledger, d.value)
      if (!r.ok) return
      for (const key of shared.keys()) await this.carryOutRequests(ledger, d.value, key)
      return
    }
    // '': every shared organization (a poll); else the one a notification named.
    for (const [key, o] of shared) {
      if (orgKey !== '' && key !== orgKey) continue
      const r = await ledger.read(key, o.max)
      if (!r.ok) break
      await this.carryOutRequests(ledger, d.value, key)
    }
    this.onChange()
  }

  /** Closes the connection (disconnect, lock). */
  async drop(): Promise<void> {
    this.unwatch?.()
    this.unwatch = null
    const c = this.current
    this.current = null
    if (c) await c.ledger.close()
  }
}

/** The slow poll beside LISTEN, in 1 s ticks. */
const POLL_EVERY_TICKS = 15

/** Which connection the settings make (a change of any of these reconnects). */
const keyOf = (s: SharedLedgerSettings) => `${s.url}\n${s.machineId}\n${s.machineName}`

/** What a local token record means for its slot: counted (live, uncertain) or gone. */
export function slotState(t: TokenRecord, now: number): SlotChange['state'] {
  const s = tokenState(t, now)
  return s === 'active' ? 'live' : s === 'uncertain' ? 'uncertain' : 'gone'
}
