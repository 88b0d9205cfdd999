// What one machine asks of another through the shared ledger, carried out by the holder: a
// revocation request (`tokendeck ledger ask-revoke`), and an eviction decided in a reservation's
// compare-and-set at an evict-oldest cap (the server ends another machine's oldest token, and
// that machine marks it evicted). The holders follow the ledger as their app or agent does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createActions } from '../../src/main/actions'
import {
  startSandbox,
  startTpstreamsSandbox,
  type SandboxSet,
  type TpstreamsSandbox,
} from '../../src/main/sandbox'
import { EVICT_CAP, EVICT_USER, EVICTING_PROFILE } from '../helpers/evicting'
import { freshDatabase } from '../helpers/postgres'
import { idOf, machineVault, postgresWith, type MachineVault } from '../helpers/shared-ledger'
import { newVault } from '../helpers/vault'

let url: string
beforeEach(async () => {
  url = await freshDatabase()
})

/** Waits (polling, bounded) until `check` holds; fails with `what` if it never does. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`never: ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function stateOf(v: { vault: MachineVault['vault'] }, tokenId: string): string | undefined {
  const d = v.vault.readUnlocked()
  return d.ok ? d.value.tokens.find((t) => t.id === tokenId)?.state : undefined
}

describe('a revocation asked by another machine', () => {
  let sb: SandboxSet
  beforeEach(async () => {
    sb = await startSandbox()
  })
  afterEach(async () => {
    await sb.close()
  })

  it('is carried out by the holder: revoked on the server, its slot freed', async () => {
    const a = await machineVault(sb, url, { machine: 'laptop', accounts: 1 })
    const b = await machineVault(sb, url, { machine: 'desktop', accounts: 1 })
    const h = await a.tokens.header(idOf(a, a.labels[0]!), { surface: 'cli' })
    if (!h.ok) throw new Error(h.message)
    expect(sb.tpstreams.isTokenValid(h.value.token)).toBe(true)
    const stop = a.sharedLedger.follow()
    try {
      const asked = await b.sharedLedger.askRevoke('laptop')
      expect(asked.ok).toBe(true)
      await until(
        'the holder revoked it on the server',
        () => !sb.tpstreams.isTokenValid(h.value.token),
      )
      await until('its slot is gone', async () => {
        const s = await b.sharedLedger.status()
        return s.ok && s.value.organizations[0]!.used === 0
      })
      expect(stateOf(a, h.value.tokenId)).toBe('revoked')
    } finally {
      stop()
    }
    // Nothing left to ask for.
    const again = await b.sharedLedger.askRevoke('laptop')
    expect(!again.ok && again.code).toBe('NOT_FOUND')
  }, 60_000)
})

describe('following without LISTEN (a connection pooler that does not pass it on)', () => {
  let sb: SandboxSet
  beforeEach(async () => {
    sb = await startSandbox()
  })
  afterEach(async () => {
    await sb.close()
  })

  it("polling shows another machine's mint within two seconds", async () => {
    // The pooler refuses LISTEN: the watcher never connects.
    const noListen = postgresWith(() => ({
      watch: (_c, onState) => {
        onState('offline')
        return () => {}
      },
    }))
    const a = await machineVault(sb, url, { machine: 'laptop', accounts: 1 })
    const b = await machineVault(sb, url, {
      machine: 'desktop',
      accounts: 1,
      openSharedStore: noListen,
    })
    const stop = b.sharedLedger.follow()
    try {
      const usedInB = () => {
        const o = b.accounts.organizations()
        return o.ok ? o.value[0]?.cap?.used : undefined
      }
      await until('B read the ledger', () => usedInB() === 0)
      expect((await a.tokens.header(idOf(a, a.labels[0]!), { surface: 'cli' })).ok).toBe(true)
      const t0 = Date.now()
      await until('B saw the mint', () => usedInB() === 1, 5000)
      expect(Date.now() - t0).toBeLessThan(2000)
    } finally {
      stop()
    }
  }, 60_000)
})

describe('an evict-oldest cap shared across machines', () => {
  const CAP = EVICT_CAP
  const USER = EVICT_USER
  const PROFILE = EVICTING_PROFILE
  let sb: TpstreamsSandbox
  beforeEach(async () => {
    sb = await startTpstreamsSandbox({ cap: CAP, onExceed: 'evict', users: [USER] })
  })
  afterEach(() => sb.close())

  it('the reservation evicts the oldest slot, on another machine; that machine marks its token evicted', async () => {
    const make = async (name: string, n: number) => {
      const v = await newVault()
      const actions = createActions({ services: () => v, platform: 'linux', safeStorage: null })
      const imp = await actions.providers.import(JSON.stringify(PROFILE))
      if (!imp.ok) throw new Error(imp.message)
      const ids: string[] = []
      for (let i = 1; i <= n; i++) {
        const r = await v.accounts.add({
          label: `${name}-${i}`,
          providerId: PROFILE.id,
          baseUrl: sb.baseUrl,
          fields: { username: USER.username, password: USER.secret, organization_id: 'evict-org' },
          remember: true,
        })
        if (!r.ok) throw new Error(r.message)
        ids.push(r.value.id)
      }
      const c = await v.sharedLedger.connect(url, { machineName: name })
      if (!c.ok) throw new Error(c.message)
      return { v, ids }
    }
    const a = await make('laptop', 2)
    const b = await make('desktop', 2)
    const oldest = await a.v.tokens.header(a.ids[0]!, { surface: 'cli' })
    if (!oldest.ok) throw new Error(oldest.message)
    await new Promise((r) => setTimeout(r, 5))
    expect((await a.v.tokens.header(a.ids[1]!, { surface: 'cli' })).ok).toBe(true)
    expect((await b.v.tokens.header(b.ids[0]!, { surface: 'cli' })).ok).toBe(true)
    const stop = a.v.sharedLedger.follow()
    try {
      const logins = sb.stats.loginRequests
      const unconfirmed = await b.v.tokens.header(b.ids[1]!, { surface: 'cli' })
      expect(!unconfirmed.ok && unconfirmed.code).toBe('EVICTION_NEEDS_CONFIRMATION')
      expect(sb.stats.loginRequests).toBe(logins)
      const confirmed = await b.v.tokens.header(b.ids[1]!, {
        surface: 'cli',
        confirmEviction: true,
      })
      expect(confirmed.ok).toBe(true)
      expect(sb.stats.loginRequests).toBe(logins + 1)
      // The server ended laptop's oldest token; laptop marks it evicted on its own.
      expect(sb.isTokenValid(oldest.value.token)).toBe(false)
      await until(
        'laptop marked its token evicted',
        () => stateOf(a.v, oldest.value.tokenId) === 'evicted',
      )
      const s = await b.v.sharedLedger.status()
      expect(s.ok && s.value.organizations[0]!.used).toBe(CAP)
    } finally {
      stop()
    }
  }, 60_000)
})
