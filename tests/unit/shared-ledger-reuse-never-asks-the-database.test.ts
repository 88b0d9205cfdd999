// Reusing a valid token in a shared organization makes no database round trip: the fast path
// reads the local vault only (the ledger is asked only when a token must be minted). Counted on
// the store every call goes through, with real PostgreSQL behind it.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { freshDatabase } from '../helpers/postgres'
import { idOf, machineVault, postgresWith } from '../helpers/shared-ledger'

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
    openSharedStore: postgresWith((real) => ({
      read: (k) => (calls++, real.read(k)),
      compareAndSet: (k, ver, d) => (calls++, real.compareAndSet(k, ver, d)),
      organizations: () => (calls++, real.organizations()),
      ready: () => (calls++, real.ready()),
    })),
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
