// Shared ledger benchmarks (issue 21): the latency of a mint with the organization's cap counted
// in PostgreSQL vs in the local vault alone (loopback, pairs alternated in one run), and the
// database round trips a reuse of a valid token makes (zero: reuse never asks the ledger).
// PostgreSQL: TOKENDECK_TEST_POSTGRES (what .ci/run starts), else a throwaway cluster started here.
import { performance } from 'node:perf_hooks'
import { startSandbox } from '../src/main/sandbox'
import { createVaultServices, passphraseProtector } from '../src/main/vault'
import { freshDatabase, POSTGRES_INSTALLED, startCluster } from '../tests/helpers/postgres'
import { postgresWith } from '../tests/helpers/shared-ledger'
import type { Result } from '../src/shared/result'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const CHEAP = { N: 2 ** 15, r: 8, p: 1 }
const ROUNDS = 60
const REUSES = 1000

function must<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.message)
  return r.value
}

const p = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
const round = (n: number) => Number(n.toFixed(2))

export async function ledgerBench(): Promise<Record<string, unknown>> {
  const given = process.env.TOKENDECK_TEST_POSTGRES
  if (!given && !POSTGRES_INSTALLED) throw new Error('needs PostgreSQL (Debian: postgresql)')
  const own = given ? null : startCluster()
  const sandbox = await startSandbox()
  const url = await freshDatabase(given ?? own!.url)
  let calls = 0
  const counting = postgresWith((real) => ({
    read: (k) => (calls++, real.read(k)),
    compareAndSet: (k, v, d) => (calls++, real.compareAndSet(k, v, d)),
    organizations: () => (calls++, real.organizations()),
  }))
  try {
    const make = async (shared: boolean) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-bench-ledger-'))
      const s = createVaultServices({ dir, openSharedStore: counting })
      must(await s.vault.create(passphraseProtector('bench passphrase', CHEAP)))
      const acc = must(
        await s.accounts.add({
          label: shared ? 'shared' : 'local',
          providerId: 'tpstreams',
          baseUrl: sandbox.tpstreams.baseUrl,
          fields: {
            username: 'dev@acme.test',
            password: 'acme-demo-password',
            organization_id: 'acme',
          },
          remember: true,
        }),
      )
      if (shared) must(await s.sharedLedger.connect(url, { machineName: 'bench' }))
      return { s, id: acc.id }
    }
    const local = await make(false)
    const shared = await make(true)
    const times = { local: [] as number[], shared: [] as number[] }
    // Warm both (connections, JIT), then alternate: local, shared, shared, local, ...
    for (const v of [local, shared]) {
      must(await v.s.tokens.header(v.id, { surface: 'cli' }))
      must(await v.s.tokens.revoke(v.id, { surface: 'cli' }))
    }
    for (let i = 0; i < ROUNDS; i++) {
      const order = i % 2 === 0 ? (['local', 'shared'] as const) : (['shared', 'local'] as const)
      for (const k of order) {
        const v = k === 'local' ? local : shared
        const t0 = performance.now()
        must(await v.s.tokens.header(v.id, { surface: 'cli' }))
        times[k].push(performance.now() - t0)
        must(await v.s.tokens.revoke(v.id, { surface: 'cli' }))
      }
    }
    // Reuse: a valid token, asked for REUSES times.
    must(await shared.s.tokens.header(shared.id, { surface: 'cli' }))
    const before = calls
    const r0 = performance.now()
    for (let i = 0; i < REUSES; i++) {
      const h = must(await shared.s.tokens.header(shared.id, { surface: 'cli' }))
      if (!h.reused) throw new Error('expected a reuse')
    }
    const reuseMs = (performance.now() - r0) / REUSES
    const reuseRoundTrips = calls - before
    const l = [...times.local].sort((a, b) => a - b)
    const sh = [...times.shared].sort((a, b) => a - b)
    must(await shared.s.sharedLedger.disconnect())
    return {
      rounds: ROUNDS,
      mintLocalP50Ms: round(p(l, 0.5)),
      mintSharedP50Ms: round(p(sh, 0.5)),
      mintExtraP50Ms: round(p(sh, 0.5) - p(l, 0.5)),
      mintLocalP95Ms: round(p(l, 0.95)),
      mintSharedP95Ms: round(p(sh, 0.95)),
      mintSharedOverLocalP50: round(p(sh, 0.5) / p(l, 0.5)),
      goalExtraP50Ms: 15,
      reuses: REUSES,
      reuseDatabaseRoundTrips: reuseRoundTrips,
      reuseSharedMeanMs: round(reuseMs),
    }
  } finally {
    await sandbox.close()
    own?.stop()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ledgerBench()
    .then((r) => {
      console.log(JSON.stringify(r, null, 2))
      process.exit(0)
    })
    .catch((e) => {
      console.error(e)
      process.exit(1)
    })
}
