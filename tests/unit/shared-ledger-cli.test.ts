// The shared ledger with real CLI processes and real PostgreSQL: thirty `tokendeck header`
// processes over three vault folders share one organization's cap; a process killed after its
// reservation leaves a slot every vault counts as uncertain; a revoke on one machine frees the
// slot for another at once (and its agent sees it within a second); with the database down a
// valid token is still handed out and a mint fails closed with nothing sent to the provider.
import fs from 'node:fs'
import { spawn } from 'node:child_process'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, runCli } from '../helpers/cli'
import { freshDatabase, query, startCluster, type Cluster } from '../helpers/postgres'
import { idOf, machineVault, type MachineVault } from '../helpers/shared-ledger'
import { TEST_PASSPHRASE, tempDir } from '../helpers/vault'

let sb: SandboxSet
let url: string
beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
})
beforeEach(async () => {
  sb = await startSandbox()
  url = await freshDatabase()
})
afterEach(async () => {
  await sb.close()
})

/** `tokendeck header L` in vault `v`, as a separate process (no agent). */
const header = (v: MachineVault, label: string) =>
  runCli(['header', label], v.dir, { env: { TOKENDECK_AGENT: 'off' } })

async function fill(holder: MachineVault, n = holder.labels.length): Promise<void> {
  for (const label of holder.labels.slice(0, n)) {
    const h = await holder.tokens.header(idOf(holder, label), { surface: 'cli' })
    if (!h.ok) throw new Error(h.message)
  }
}

async function slots(state?: string): Promise<{ machine: string; state: string }[]> {
  const rows = await query<{ machine: string; state: string }>(
    url,
    `SELECT s->>'machine' AS machine, s->>'state' AS state
       FROM tokendeck_orgs, jsonb_array_elements(doc->'slots') s`,
  )
  return state ? rows.filter((r) => r.state === state) : rows
}

describe('tokendeck header in many processes over vaults that share a ledger', () => {
  it('3 vault folders x 10 processes at 18/20: exactly 2 mints, 28 TOKEN_CAP_REACHED, none refused by the server', async () => {
    const holder = await machineVault(sb, url, { machine: 'holder', accounts: 18 })
    await fill(holder)
    const vaults = await Promise.all(
      ['laptop', 'desktop', 'ci'].map((machine) =>
        machineVault(sb, url, { machine, accounts: 10 }),
      ),
    )
    const before = sb.tpstreams.stats.loginRequests
    const runs = await Promise.all(vaults.flatMap((v) => v.labels.map((l) => header(v, l))))
    const codes = runs.map((r) => r.code)
    expect(codes.filter((c) => c === 0)).toHaveLength(2)
    expect(codes.filter((c) => c === 4)).toHaveLength(28)
    expect(
      runs.filter((r) => r.code === 4).every((r) => /TOKEN_CAP_REACHED|20 of 20/.test(r.stderr)),
    ).toBe(true)
    expect(sb.tpstreams.stats.loginRequests - before).toBe(2)
    expect(sb.tpstreams.liveTokenCount('acme')).toBe(20)
    expect(await slots('live')).toHaveLength(20)
    // `tokendeck status` counts across machines too.
    const idle = vaults[0]!
    const st = await runCli(['status'], idle.dir, { env: { TOKENDECK_AGENT: 'off' } })
    expect(st.code).toBe(0)
    expect(st.stdout).toMatch(/20\/20.*· (18|19|20) on other machines/)
  }, 120_000)

  it('SIGKILL after the reservation: the slot stays, and every vault counts it as uncertain', async () => {
    const holder = await machineVault(sb, url, { machine: 'holder', accounts: 5 })
    await fill(holder)
    const a = await machineVault(sb, url, { machine: 'laptop', accounts: 1 })
    const b = await machineVault(sb, url, { machine: 'desktop', accounts: 1 })
    sb.tpstreams.setFault({ kind: 'hang' })
    const child = spawn(process.execPath, [CLI, 'header', a.labels[0]!], {
      env: {
        PATH: process.env.PATH,
        HOME: tempDir('tokendeck-cli-home-'),
        TOKENDECK_VAULT: a.dir,
        TOKENDECK_PASSPHRASE: TEST_PASSPHRASE,
        TOKENDECK_AGENT: 'off',
      },
      stdio: 'ignore',
    })
    const exited = new Promise((r) => child.on('exit', r))
    // The login hangs at the server: the reservation is in the database before it was sent.
    const deadline = Date.now() + 20_000
    while ((await slots('uncertain')).length === 0) {
      if (Date.now() > deadline) throw new Error('no reservation appeared')
      await new Promise((r) => setTimeout(r, 25))
    }
    child.kill('SIGKILL')
    await exited
    sb.tpstreams.setFault(null)
    expect(await slots('uncertain')).toHaveLength(1)
    for (const v of [holder, a, b]) {
      const s = await v.sharedLedger.status()
      expect(s.ok).toBe(true)
      if (!s.ok) continue
      const org = s.value.organizations[0]!
      expect(org.used).toBe(6)
      expect(org.uncertain).toBe(1)
    }
    // The same from a real CLI process in another vault.
    const st = await runCli(['ledger', 'status', '--json'], b.dir, {
      env: { TOKENDECK_AGENT: 'off' },
    })
    expect(st.code).toBe(0)
    const org = JSON.parse(st.stdout).organizations[0]
    expect({ used: org.used, uncertain: org.uncertain }).toEqual({ used: 6, uncertain: 1 })
    expect(org.holders.find((h: { name: string }) => h.name === 'laptop')).toMatchObject({
      uncertain: 1,
    })
  }, 60_000)

  it('a revoke in vault A lets vault B mint at once; B following the ledger sees the slot free within a second', async () => {
    const holder = await machineVault(sb, url, { machine: 'holder', accounts: 19 })
    await fill(holder)
    const a = await machineVault(sb, url, { machine: 'laptop', accounts: 1 })
    const b = await machineVault(sb, url, { machine: 'desktop', accounts: 1 })
    expect((await header(a, a.labels[0]!)).code).toBe(0)
    expect((await header(b, b.labels[0]!)).code).toBe(4)
    // B keeps following the ledger, as its app or agent does (LISTEN/NOTIFY).
    const stop = b.sharedLedger.follow()
    try {
      const usedInB = () => {
        const o = b.accounts.organizations()
        return o.ok ? o.value[0]?.cap?.used : undefined
      }
      const seenFull = Date.now() + 5000
      while (usedInB() !== 20 && Date.now() < seenFull) await new Promise((r) => setTimeout(r, 20))
      expect(usedInB()).toBe(20)
      const revoke = await runCli(['revoke', a.labels[0]!], a.dir, {
        env: { TOKENDECK_AGENT: 'off' },
      })
      expect(revoke.code).toBe(0)
      const revokedAt = Date.now()
      while (usedInB() !== 19 && Date.now() - revokedAt < 3000)
        await new Promise((r) => setTimeout(r, 10))
      expect(usedInB()).toBe(19)
      expect(Date.now() - revokedAt).toBeLessThan(1000)
    } finally {
      stop()
    }
    const minted = await header(b, b.labels[0]!)
    expect(minted.code).toBe(0)
    expect(sb.tpstreams.liveTokenCount('acme')).toBe(20)
  }, 60_000)
})

describe('the database stopped', () => {
  let cluster: Cluster
  beforeAll(() => {
    cluster = startCluster()
  })
  afterAll(() => cluster.stop())

  it('a valid token is still handed out; a mint fails closed (exit 5) and the provider receives nothing', async () => {
    const dbUrl = await freshDatabase(cluster.url)
    const v = await machineVault(sb, dbUrl, { machine: 'laptop', accounts: 2 })
    const [withToken, without] = v.labels as [string, string]
    expect((await header(v, withToken)).code).toBe(0)
    cluster.halt()
    try {
      const before = sb.tpstreams.stats.loginRequests
      const reused = await header(v, withToken)
      expect(reused.code).toBe(0)
      expect(reused.stdout).toMatch(/^Authorization: Token /)
      const refused = await header(v, without)
      expect(refused.code).toBe(5)
      expect(refused.stderr).toMatch(/shared ledger/i)
      expect(refused.stderr).not.toContain(new URL(dbUrl).password)
      expect(sb.tpstreams.stats.loginRequests).toBe(before)
    } finally {
      cluster.restart()
    }
    // Back up: the mint goes through.
    expect((await header(v, without)).code).toBe(0)
  }, 60_000)
})
