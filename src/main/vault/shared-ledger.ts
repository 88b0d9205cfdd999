// Connecting a vault to a shared ledger, its status and disconnecting: what `tokendeck ledger
// connect | status | disconnect` and the window's Settings do. The URL is checked and the
// database's schema created or migrated before anything is stored; the URL is stored only in
// the vault's sealed body and never shown with its password.
import { randomBytes, randomUUID } from 'node:crypto'
import os from 'node:os'
import { fail, ok, type Result } from '../../shared/result'
import type { Vault } from './vault'
import type { Ledger } from './ledger/ledger-handle'
import type { StoreOpener } from './ledger/shared/link'
import { parseLedgerUrl } from './ledger/shared/postgres-url'
import { requestRevoke, usageOf, type Holder } from './ledger/shared/slots'

/** One shared organization in `ledger status`. */
export interface SharedOrgStatus {
  orgKey: string
  providerId: string
  organizationId: string
  baseUrl: string
  max: number
  used: number
  uncertain: number
  here: number
  elsewhere: number
  holders: (Omit<Holder, 'machine'> & { thisMachine: boolean })[]
}

/** What `ledger status` answers (no password, no token, no slot key). */
export interface LedgerStatus {
  backend: 'local' | 'postgresql'
  /** postgres://user@host:port/db, without the password. */
  url: string | null
  machineName: string
  machineId: string | null
  state: 'connected' | 'offline' | 'local'
  /** Why it is offline, in words. */
  problem?: string
  organizations: SharedOrgStatus[]
}

/** A machine's display name: printable, at most 100 characters. */
export function checkMachineName(name: string): Result<string> {
  const n = name.trim()
  if (n.length < 1 || n.length > 100 || /[\p{Cc}\p{Cf}]/u.test(n))
    return fail('VALIDATION_FAILED', 'A machine name is 1 to 100 printable characters.', {
      fields: { machineName: ['1 to 100 printable characters.'] },
    })
  return ok(n)
}

/** Owns a vault's shared ledger settings: connect, status, disconnect. */
export class SharedLedgerService {
  constructor(
    private readonly vault: Vault,
    private readonly ledger: Ledger,
    private readonly openStore: StoreOpener,
  ) {}

  /**
   * Connects the vault: checks the URL, reaches the database and creates or migrates its schema,
   * then stores the URL sealed in the vault with this vault's machine id (kept across reconnects)
   * and publishes the tokens this vault already holds in its shared organizations.
   */
  async connect(url: string, o: { machineName?: string } = {}): Promise<Result<LedgerStatus>> {
    const address = parseLedgerUrl(url)
    if (!address.ok) return address
    const name = checkMachineName(o.machineName ?? (os.hostname() || 'this machine'))
    if (!name.ok) return name
    const store = await this.openStore(url)
    if (!store.ok) return store
    const ready = await store.value.ready()
    await store.value.close()
    if (!ready.ok) return ready
    const w = await this.vault.mutate(
      (d, now) => {
        const was = d.sharedLedger
        d.sharedLedger = {
          url: url.trim(),
          machineId: was?.machineId ?? randomUUID(),
          machineName: name.value,
          slotKey: was?.slotKey ?? randomBytes(32).toString('base64'),
          connectedAt: now,
        }
        return ok(undefined)
      },
      () => ({
        type: 'vault',
        message: `Connected to the shared ledger at ${address.value.display} as "${name.value}".`,
      }),
    )
    if (!w.ok) return w
    const d = this.vault.readUnlocked()
    if (!d.ok) return d
    const l = await this.ledger.shared.ledgerFor(d.value)
    if (!l.ok) return l
    return this.status()
  }

  /**
   * Reads every shared organization's count now (for a view built in a process that does not
   * follow the ledger: `tokendeck status` opened here). A failure leaves the views saying offline.
   */
  async refresh(): Promise<void> {
    const d = this.vault.readUnlocked()
    if (!d.ok || !d.value.sharedLedger) return
    const link = this.ledger.shared
    const l = await link.ledgerFor(d.value)
    if (!l.ok || !l.value) return
    for (const [key, o] of link.sharedOrgs(d.value)) {
      const r = await l.value.read(key, o.max)
      if (!r.ok) return
    }
  }

  /**
   * Follows the shared ledger while this process runs (the app, the agent): other machines'
   * changes show within a second, and their requests for this machine are carried out.
   */
  follow(): () => void {
    return this.ledger.shared.follow(
      () => this.vault.readUnlocked(),
      (listener) => this.vault.onChange(listener),
    )
  }

  /** Disconnects: the local ledger alone counts again. Slots this machine holds stay counted. */
  async disconnect(): Promise<Result<{ url: string | null }>> {
    const d = this.vault.readUnlocked()
    if (!d.ok) return d
    const was = d.value.sharedLedger
    if (!was) return ok({ url: null })
    const display = parseLedgerUrl(was.url)
    const shown = display.ok ? display.value.display : 'a shared ledger'
    const w = await this.vault.mutate(
      (draft) => {
        delete draft.sharedLedger
        return ok(undefined)
      },
      () => ({
        type: 'vault',
        message: `Disconnected from the shared ledger at ${shown}; the tokens this machine holds there stay counted until they expire.`,
      }),
    )
    if (!w.ok) return w
    await this.ledger.shared.drop()
    return ok({ url: shown })
  }

  /**
   * Asks another machine to revoke its oldest live token in a shared organization (`orgId`;
   * optional when the vault shares one): the request is written on that slot, and the holder
   * revokes the token when it next follows the ledger (its app or agent, within a second).
   */
  async askRevoke(
    machineName: string,
    orgId?: string,
  ): Promise<Result<{ machineName: string; organizationId: string }>> {
    const d = this.vault.readUnlocked()
    if (!d.ok) return d
    const link = this.ledger.shared
    const shared = [...link.sharedOrgs(d.value).values()].filter(
      (o) => orgId === undefined || o.org.organizationId === orgId,
    )
    if (shared.length !== 1)
      return fail(
        'VALIDATION_FAILED',
        shared.length === 0
          ? `No shared organization${orgId ? ` "${orgId}"` : ''} in this vault.`
          : 'Several shared organizations: name one with --org.',
      )
    const o = shared[0]!
    const l = await link.ledgerFor(d.value)
    if (!l.ok) return l
    if (!l.value) return fail('NOT_FOUND', 'This vault has no shared ledger.')
    const me = l.value.machine
    const r = await l.value.change(o.org.key, o.max, (doc, now) => {
      const ids = Object.entries(doc.machines)
        .filter(([id, n]) => n === machineName && id !== me.id)
        .map(([id]) => id)
      const slot = doc.slots
        .filter((s) => ids.includes(s.machine) && s.state === 'live' && !s.revokeRequested)
        .sort((a, b) => a.at - b.at)[0]
      if (!slot)
        return fail(
          'NOT_FOUND',
          `No machine named "${machineName}" holds a live token in "${o.org.organizationId}" (another than this one).`,
        )
      return { doc: requestRevoke(doc, { slotId: slot.id, by: me.name, now }), value: undefined }
    })
    if (!r.ok) return r
    return ok({ machineName, organizationId: o.org.organizationId ?? '' })
  }

  /** The backend, this machine's name, and each shared organization's count read now. */
  async status(): Promise<Result<LedgerStatus>> {
    const d = this.vault.readUnlocked()
    if (!d.ok) return d
    const s = d.value.sharedLedger
    if (!s)
      return ok({
        backend: 'local',
        url: null,
        machineName: os.hostname() || 'this machine',
        machineId: null,
        state: 'local',
        organizations: [],
      })
    const address = parseLedgerUrl(s.url)
    const base = {
      backend: 'postgresql' as const,
      url: address.ok ? address.value.display : null,
      machineName: s.machineName,
      machineId: s.machineId,
    }
    const link = this.ledger.shared
    const l = await link.ledgerFor(d.value)
    if (!l.ok || !l.value)
      return ok({ ...base, state: 'offline', problem: l.ok ? '' : l.message, organizations: [] })
    const organizations: SharedOrgStatus[] = []
    for (const [orgKey, o] of link.sharedOrgs(d.value)) {
      const r = await l.value.read(orgKey, o.max)
      if (!r.ok) return ok({ ...base, state: 'offline', problem: r.message, organizations })
      const u = usageOf(r.value.doc, s.machineId, r.value.now, o.max)
      organizations.push({
        orgKey,
        providerId: o.org.providerId,
        organizationId: o.org.organizationId ?? '',
        baseUrl: o.org.baseUrl,
        max: o.max,
        used: u.used,
        uncertain: u.uncertain,
        here: u.here,
        elsewhere: u.elsewhere,
        holders: u.holders.map(({ machine, ...h }) => ({ ...h, thisMachine: machine === u.self })),
      })
    }
    return ok({ ...base, state: 'connected', organizations })
  }
}
