// The account list as flat rows for the virtualizer: provider -> organization -> account,
// filtered by the search text. Organizations without an organization id (one per account for
// providers without one) get no header of their own.
import type { Snapshot } from '../../../shared/ipc/schemas'
import type { AccountView, OrganizationView } from '../../../shared/views'

export type Row =
  | { kind: 'provider'; key: string; providerId: string; name: string; count: number }
  | { kind: 'org'; key: string; org: OrganizationView; count: number }
  | { kind: 'account'; key: string; account: AccountView; index: number; first: boolean }

export const ROW_HEIGHT: Record<Row['kind'], number> = { provider: 40, org: 46, account: 60 }

export function matches(a: AccountView, q: string): boolean {
  if (q === '') return true
  const hay = `${a.label}\n${a.username}\n${a.providerName}\n${a.organizationId ?? ''}`
  return hay.toLowerCase().includes(q)
}

export function buildRows(snapshot: Snapshot, query: string): Row[] {
  const q = query.trim().toLowerCase()
  const byId = new Map(snapshot.accounts.map((a) => [a.id, a]))
  const providers = new Map<string, { name: string; orgs: OrganizationView[] }>()
  for (const org of snapshot.organizations) {
    let p = providers.get(org.providerId)
    if (!p) {
      p = { name: org.providerName, orgs: [] }
      providers.set(org.providerId, p)
    }
    p.orgs.push(org)
  }
  const rows: Row[] = []
  let index = 0
  const sortedProviders = [...providers.entries()].sort((a, b) =>
    a[1].name.localeCompare(b[1].name),
  )
  for (const [providerId, p] of sortedProviders) {
    const groups: { org: OrganizationView; accounts: AccountView[] }[] = []
    const loose: AccountView[] = []
    for (const org of p.orgs) {
      const accounts = org.accountIds
        .map((id) => byId.get(id))
        .filter((a): a is AccountView => a !== undefined && matches(a, q))
      if (accounts.length === 0) continue
      if (org.organizationId === null) loose.push(...accounts)
      else groups.push({ org, accounts })
    }
    const count = loose.length + groups.reduce((n, g) => n + g.accounts.length, 0)
    if (count === 0) continue
    rows.push({ kind: 'provider', key: `p:${providerId}`, providerId, name: p.name, count })
    loose.sort(byLabel)
    loose.forEach((a, i) =>
      rows.push({ kind: 'account', key: `a:${a.id}`, account: a, index: index++, first: i === 0 }),
    )
    groups.sort((a, b) => (a.org.organizationId ?? '').localeCompare(b.org.organizationId ?? ''))
    for (const g of groups) {
      rows.push({ kind: 'org', key: `o:${g.org.key}`, org: g.org, count: g.accounts.length })
      g.accounts.sort(byLabel)
      for (const a of g.accounts) {
        rows.push({ kind: 'account', key: `a:${a.id}`, account: a, index: index++, first: false })
      }
    }
  }
  return rows
}

function byLabel(a: AccountView, b: AccountView): number {
  return a.label.localeCompare(b.label, undefined, { numeric: true })
}
