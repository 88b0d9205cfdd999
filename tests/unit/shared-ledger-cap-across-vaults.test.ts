// The shared ledger keeps an organization's cap across vaults (machines): at 18/20, thirty
// concurrent header requests from three vaults mint exactly two tokens and the server refuses
// none; the same run with a ledger that writes blindly (no compare-and-set) overruns the cap.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { PostgresLedgerStore } from '../../src/main/vault/ledger/shared/postgres-store'
import { parseLedgerUrl } from '../../src/main/vault/ledger/shared/postgres-url'
import type { OrgLedgerStore } from '../../src/main/vault/ledger/ledger-store'
import type { StoreOpener } from '../../src/main/vault/ledger/shared/link'
import { ok } from '../../src/shared/result'
import { freshDatabase, query } from '../helpers/postgres'
import { idOf, machineVault, type MachineVault } from '../helpers/shared-ledger'

let sb: SandboxSet
let url: string
beforeEach(async () => {
  sb = await startSandbox()
  url = await freshDatabase()
})
afterEach(async () => {
  await sb.close()
})

/** 18 of acme's 20 slots held by a fourth machine, through the shared ledger. */
async function fillTo18(): Promise<MachineVault> {
  const holder = await machineVault(sb, url, { machine: 'holder', accounts: 18 })
  for (const label of holder.labels) {
    const h = await holder.tokens.header(idOf(holder, label), { surface: 'cli' })
    if (!h.ok) throw new Error(h.message)
  }
  return holder
}

/** Three vaults of ten accounts each, every account asking for a header at once. */
async function contend(open?: StoreOpener) {
  const vaults = await Promise.all(
    ['laptop', 'desktop', 'ci'].map((machine) =>
      machineVault(sb, url, { machine, accounts: 10, ...(open ? { openSharedStore: open } : {}) }),
    ),
  )
  const before = sb.tpstreams.stats.loginRequests
  const results = await Promise.all(
    vaults.flatMap((v) => v.labels.map((l) => v.tokens.header(idOf(v, l), { surface: 'cli' }))),
  )
  return { results, logins: sb.tpstreams.stats.loginRequests - before }
}

/**
 * The PostgreSQL store with a database across a network: each write leaves 150 ms after its
 * decision (loopback answers in well under a millisecond, which hides races). With `blind`, a
 * test-only store that writes blindly: it compares against the version it reads right before
 * writing, not the one its decision was made on (read-modify-write without compare-and-set).
 */
function remoteOpener(o: { blind: boolean }): StoreOpener {
  return async (u) => {
    const a = parseLedgerUrl(u)
    if (!a.ok) return a
    const real = new PostgresLedgerStore(a.value)
    const store: OrgLedgerStore = {
      read: (k) => real.read(k),
      compareAndSet: async (k, version, doc) => {
        await new Promise((r) => setTimeout(r, 150))
        if (!o.blind) return real.compareAndSet(k, version, doc)
        const now = await real.read(k)
        if (!now.ok) return now
        return real.compareAndSet(k, now.value.version, doc)
      },
      watch: (c, s) => real.watch(c, s),
      organizations: () => real.organizations(),
      ready: () => real.ready(),
      close: () => real.close(),
    }
    return ok(store)
  }
}

describe('an organization cap shared across vaults on PostgreSQL', () => {
  it('at 18/20, 30 concurrent requests from 3 vaults mint exactly 2 tokens; the server refuses none', async () => {
    await fillTo18()
    const { results, logins } = await contend(remoteOpener({ blind: false }))
    const minted = results.filter((r) => r.ok)
    const capped = results.filter((r) => !r.ok && r.code === 'TOKEN_CAP_REACHED')
    expect(minted).toHaveLength(2)
    expect(capped).toHaveLength(28)
    // Exactly two logins reached the server, and both were accepted.
    expect(logins).toBe(2)
    const live = await query<{ n: string }>(
      url,
      `SELECT count(*)::text AS n FROM tokendeck_orgs, jsonb_array_elements(doc->'slots') s WHERE s->>'state' = 'live'`,
    )
    expect(live[0]!.n).toBe('20')
    expect(sb.tpstreams.liveTokenCount('acme')).toBe(20)
    // The refusal says how many are on other machines.
    const refusal = capped[0]!
    expect(!refusal.ok && refusal.message).toMatch(/20 of 20 .*other machines/)
  }, 60_000)

  it('the same run with a ledger that writes blindly overruns the cap (so the test above can fail)', async () => {
    await fillTo18()
    const { results, logins } = await contend(remoteOpener({ blind: true }))
    const minted = results.filter((r) => r.ok).length
    const serverRefused = results.filter((r) => !r.ok && r.code === 'PROVIDER_REJECTED').length
    // More than two logins were sent: the server refused the ones past its cap, or minted past
    // what the ledger allows.
    expect(logins).toBeGreaterThan(2)
    expect(minted + serverRefused).toBeGreaterThan(2)
    expect(sb.tpstreams.liveTokenCount('acme')).toBe(20)
  }, 60_000)
})
