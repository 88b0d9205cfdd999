// The LedgerStore seam's guarantee: two processes' worth of services over one vault folder write
// the token ledger optimistically; a compareAndSet from a stale read is refused as CONFLICT and
// loses nothing, the fresh one lands, and each side's watch reports the other's change.
import { afterEach, describe, expect, it } from 'vitest'
import { createVaultServices, passphraseProtector, type VaultServices } from '../../src/main/vault'
import type { LedgerSnapshot, LedgerState } from '../../src/main/vault/ledger/ledger-store'
import type { LoginLimitRecord } from '../../src/main/vault/storage/schema'
import type { Result } from '../../src/shared/result'
import { CHEAP_SCRYPT, newVault, TEST_PASSPHRASE } from '../helpers/vault'

function unwrapOk<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`)
  return r.value
}

const limit = (endpoint: string): LoginLimitRecord => ({
  endpoint,
  cooldownUntil: null,
  attempts: [1_700_000_000_000],
})

const withLimit = (s: LedgerState, endpoint: string): LedgerState => ({
  ...s,
  loginLimits: [...s.loginLimits, limit(endpoint)],
})

/** The next snapshot `watch` reports (no timer: resolves when the listener is called). */
function nextChange(services: VaultServices): { seen: Promise<LedgerSnapshot>; stop: () => void } {
  let stop = () => {}
  const seen = new Promise<LedgerSnapshot>((resolve) => {
    stop = services.tokens.ledger.store.watch(resolve)
  })
  return { seen, stop: () => stop() }
}

const stops: (() => void)[] = []
afterEach(() => {
  for (const s of stops.splice(0)) s()
})

describe('LedgerStore compareAndSet over one vault folder, two service instances', () => {
  it('refuses a stale version as CONFLICT losing nothing, lands the fresh one, and watch reports the other side', async () => {
    const a = await newVault()
    const b = createVaultServices({ dir: a.dir })
    unwrapOk(await b.vault.unlock(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT)))
    const storeA = a.tokens.ledger.store
    const storeB = b.tokens.ledger.store

    const readA = unwrapOk(await storeA.read())
    const readB = unwrapOk(await storeB.read())
    expect(readB.version).toBe(readA.version)

    // A writes first; B, which read the same version, watches for it.
    const bSees = nextChange(b)
    stops.push(bSees.stop)
    const wroteA = unwrapOk(
      await storeA.compareAndSet(readA.version, withLimit(readA.state, 'https://a.test/login')),
    )
    expect(wroteA.version).not.toBe(readA.version)
    const seenByB = await bSees.seen
    expect(seenByB.version).toBe(wroteA.version)
    expect(seenByB.state.loginLimits.map((l) => l.endpoint)).toEqual(['https://a.test/login'])

    // B's write from its stale read is refused, and A's change is still there.
    const stale = await storeB.compareAndSet(
      readB.version,
      withLimit(readB.state, 'https://b.test/login'),
    )
    expect(stale.ok).toBe(false)
    if (!stale.ok) expect(stale.code).toBe('CONFLICT')
    const afterStale = unwrapOk(await storeA.read())
    expect(afterStale.version).toBe(wroteA.version)
    expect(afterStale.state.loginLimits.map((l) => l.endpoint)).toEqual(['https://a.test/login'])

    // B reads again and retries: it lands, on top of A's, and A's watch reports it.
    const aSees = nextChange(a)
    stops.push(aSees.stop)
    const fresh = unwrapOk(await storeB.read())
    expect(fresh.version).toBe(wroteA.version)
    const wroteB = unwrapOk(
      await storeB.compareAndSet(fresh.version, withLimit(fresh.state, 'https://b.test/login')),
    )
    const seenByA = await aSees.seen
    expect(seenByA.version).toBe(wroteB.version)
    const both = unwrapOk(await storeA.read())
    expect(both.state.loginLimits.map((l) => l.endpoint)).toEqual([
      'https://a.test/login',
      'https://b.test/login',
    ])
  })

  it('a rule that writes through the ledger after another instance changed it retries on the fresh state', async () => {
    const a = await newVault()
    const b = createVaultServices({ dir: a.dir })
    unwrapOk(await b.vault.unlock(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT)))
    const before = unwrapOk(await a.tokens.ledger.store.read())
    unwrapOk(
      await b.tokens.ledger.store.compareAndSet(
        before.version,
        withLimit(before.state, 'https://b.test/login'),
      ),
    )
    // A's update reads the ledger itself: it builds on B's change instead of overwriting it.
    unwrapOk(
      await a.tokens.ledger.update((draft) => {
        draft.loginLimits = [...(draft.loginLimits ?? []), limit('https://a.test/login')]
        return { ok: true, value: undefined }
      }),
    )
    const after = unwrapOk(await b.tokens.ledger.store.read())
    expect(after.state.loginLimits.map((l) => l.endpoint)).toEqual([
      'https://b.test/login',
      'https://a.test/login',
    ])
  })
})
