// Reusing a valid token in a shared organization makes no database round trip: the fast path
// reads the local vault only (the ledger is asked only when a token must be minted). Counted on
// the store every call goes through, with real PostgreSQL behind it.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { startSandbox, type SandboxSet } from '../../src/main/sandbox'
import type { OrgLedgerStore } from '../../src/main/vault/ledger/ledger-store'
import { PostgresLedgerStore } from '../../src/main/vault/ledger/shared/postgres-store'
import { parseLedgerUrl } from '../../src/main/vault/ledger/shared/postgres-url'
import { ok } from '../../src/shared/result'
import { freshDatabase } from '../helpers/postgres'
import { idOf, machineVault } from '../helpers/shared-ledger'

let sb: SandboxSet
beforeEach(async () => {
  sb = await startSandbox()
})
afterEach(async () => {
  await sb.close()
})

it('1,000 reuses of a valid token make no call to the shared ledger; a mint makes some', async () => {
  let calls = 0
  const v = await machineVault(sb, await freshDatabase(), {
    machine: 'laptop',
    accounts: 2,
    openSharedStore: async (u) => {
      const a = parseLedgerUrl(u)
      if (!a.ok) return a
      const real = new PostgresLedgerStore(a.value)
      const counted: OrgLedgerStore = {
        read: (k) => (calls++, real.read(k)),
        compareAndSet: (k, ver, d) => (calls++, real.compareAndSet(k, ver, d)),
        watch: (c, s) => real.watch(c, s),
        organizations: () => (calls++, real.organizations()),
        ready: () => (calls++, real.ready()),
        close: () => real.close(),
      }
      return ok(counted)
    },
  })
  const [a, b] = v.labels as [string, string]
  const minted = await v.tokens.header(idOf(v, a), { surface: 'cli' })
  expect(minted.ok && minted.value.reused).toBe(false)
  const before = calls
  for (let i = 0; i < 1000; i++) {
    const h = await v.tokens.header(idOf(v, a), { surface: 'cli' })
    expect(h.ok && h.value.reused).toBe(true)
  }
  expect(calls - before).toBe(0)
  // The counter counts: a mint reads and writes the ledger.
  expect((await v.tokens.header(idOf(v, b), { surface: 'cli' })).ok).toBe(true)
  expect(calls - before).toBeGreaterThanOrEqual(3)
}, 60_000)
