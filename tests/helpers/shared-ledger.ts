// Test fixture: vaults on "machines" that share one PostgreSQL ledger, each holding TPStreams
// accounts of one organization (the sandbox's), as a team's laptops and CI would.
import { DEMO_USERS, type SandboxSet } from '../../src/main/sandbox'
import type { VaultServices } from '../../src/main/vault'
import type { StoreOpener } from '../../src/main/vault/ledger/shared/link'
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
