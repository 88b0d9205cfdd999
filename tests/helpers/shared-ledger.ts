// Test fixture: vaults on "machines" that share one PostgreSQL ledger, each holding TPStreams
// accounts of one organization (the sandbox's), as a team's laptops and CI would.
import { DEMO_USERS, type SandboxSet } from '../../src/main/sandbox'
import type { VaultServices } from '../../src/main/vault'
import type { OrgLedgerStore } from '../../src/main/vault/ledger/ledger-store'
import type { StoreOpener } from '../../src/main/vault/ledger/shared/link'
import { PostgresLedgerStore } from '../../src/main/vault/ledger/shared/postgres-store'
import { parseLedgerUrl } from '../../src/main/vault/ledger/shared/postgres-url'
import { ok } from '../../src/shared/result'
import { newVault } from './vault'

export type MachineVault = VaultServices & { dir: string; labels: string[] }

/**
 * A new vault (cheap scrypt) with `accounts` TPStreams accounts `<prefix>1..n` in organization
 * acme (the demo user's password remembered, no login yet), connected to the shared ledger at
 * `url` as `machine`.
 */
export async function machineVault(
  sb: SandboxSet,
  url: string,
  o: { machine: string; accounts: number; prefix?: string; openSharedStore?: StoreOpener },
): Promise<MachineVault> {
  const v = await newVault(o.openSharedStore ? { openSharedStore: o.openSharedStore } : {})
  const tp = DEMO_USERS.tpstreams[0]!
  const labels: string[] = []
  for (let i = 1; i <= o.accounts; i++) {
    const label = `${o.prefix ?? o.machine}-${i}`
    const r = await v.accounts.add({
      label,
      providerId: 'tpstreams',
      baseUrl: sb.tpstreams.baseUrl,
      fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
      remember: true,
    })
    if (!r.ok) throw new Error(r.message)
    labels.push(label)
  }
  const c = await v.sharedLedger.connect(url, { machineName: o.machine })
  if (!c.ok) throw new Error(`connect: ${c.code}: ${c.message}`)
  return { ...v, labels }
}

/** The account id of `label` in `v`. */
export function idOf(v: MachineVault, label: string): string {
  const a = v.accounts.get(label)
  if (!a.ok) throw new Error(a.message)
  return a.value.id
}

/**
 * Opens the real PostgreSQL store, with the calls `change` returns put in place of its own (a
 * test's slower, blind, counting or LISTEN-less variant); every other call goes to the store.
 */
export function postgresWith(
  change: (real: OrgLedgerStore) => Partial<OrgLedgerStore>,
): StoreOpener {
  return async (url) => {
    const address = parseLedgerUrl(url)
    if (!address.ok) return address
    const real = new PostgresLedgerStore(address.value)
    const store: OrgLedgerStore = {
      read: (k) => real.read(k),
      compareAndSet: (k, v, d) => real.compareAndSet(k, v, d),
      watch: (c, s) => real.watch(c, s),
      organizations: () => real.organizations(),
      ready: () => real.ready(),
      close: () => real.close(),
      ...change(real),
    }
    return ok(store)
  }
}
