// The shared ledger keeps an organization's cap across vaults (machines): at 18/20, thirty
// concurrent header requests from three vaults mint exactly two tokens and the server refuses
// none; the same run with a ledger that writes blindly (no compare-and-set) overruns the cap.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startSandbox, type SandboxSet } from '../../src/main/sandbox'
import type { StoreOpener } from '../../src/main/vault/ledger/shared/link'
import { freshDatabase, query } from '../helpers/postgres'
import { idOf, machineVault, postgresWith, type MachineVault } from '../helpers/shared-ledger'

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
async function contend(store: RacingStore) {
  const vaults = await Promise.all(
    ['laptop', 'desktop', 'ci'].map((machine) =>
      machineVault(sb, url, { machine, accounts: 10, openSharedStore: store.open }),
    ),
  )
  store.firstWritesTogether(vaults.length)
  const before = sb.tpstreams.stats.loginRequests
  const results = await Promise.all(
    vaults.flatMap((v) => v.labels.map((l) => v.tokens.header(idOf(v, l), { surface: 'cli' }))),
  )
  return { results, logins: sb.tpstreams.stats.loginRequests - before }
}

interface RacingStore {
  open: StoreOpener
  /** From now on, the first `n` writes wait for each other: each was decided before any landed. */
  firstWritesTogether(n: number): void
}

/**
 * The PostgreSQL store, with the race the test is about made certain: once armed, the first
 * writes of the three vaults (their reservations) are held until all three were decided, as
 * when they decide at the same moment on machines across a network (on loopback the window is
 * well under a millisecond, and whether it is hit is chance). With `blind`, a test-only store
 * that writes blindly: it overwrites whatever the row holds, whatever its decision was made on
 * (read-modify-write without compare-and-set).
 */
function racingStore(o: { blind: boolean }): RacingStore {
  let gate: (() => Promise<void>) | null = null
  const open = postgresWith((real) => ({
    compareAndSet: async (k, version, doc) => {
      if (gate) await gate()
      if (!o.blind) return real.compareAndSet(k, version, doc)
      // Overwrites whatever is there: against the version read right before, until it lands.
      for (;;) {
        const now = await real.read(k)
        if (!now.ok) return now
        const w = await real.compareAndSet(k, now.value.version, doc)
        if (w.ok || w.code !== 'CONFLICT') return w
      }
    },
  }))
  return {
    open,
    firstWritesTogether(n) {
      let arrived = 0
      let release!: () => void
      const together = new Promise<void>((r) => (release = r))
      // Never a hang: should fewer writes come, they go on after 5 s (and the test says why).
      const timer = setTimeout(release, 5000)
      gate = () => {
        if (++arrived >= n) {
          clearTimeout(timer)
          release()
        }
        return together
      }
    },
  }
}

describe('an organization cap shared across vaults on PostgreSQL', () => {
  it('at 18/20, 30 concurrent requests from 3 vaults mint exactly 2 tokens; the server refuses none', async () => {
    await fillTo18()
    const { results, logins } = await contend(racingStore({ blind: false }))
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
    const { results, logins } = await contend(racingStore({ blind: true }))
    const minted = results.filter((r) => r.ok).length
    const serverRefused = results.filter((r) => !r.ok && r.code === 'PROVIDER_REJECTED').length
    // More than two logins were sent: the server refused the ones past its cap, or minted past
    // what the ledger allows.
    expect(logins).toBeGreaterThan(2)
    expect(minted + serverRefused).toBeGreaterThan(2)
    expect(sb.tpstreams.liveTokenCount('acme')).toBe(20)
  }, 60_000)
})
