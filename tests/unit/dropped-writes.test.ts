// A write that fails after the server acted is reported, never dropped: a revoke the server
// confirmed but the vault could not record is a failure (the caller does not believe the ledger,
// and this process never hands that token out again), and "log in again" says when the revoke
// of the token it replaced could not be recorded.
import { describe, expect, it } from 'vitest'
import { createActions } from '../../src/main/actions'
import { createHttpClient } from '../../src/main/providers/http-client'
import { DEMO_USERS } from '../../src/main/sandbox'
import { sandboxPerTest } from '../helpers/actions'
import { createVaultServices, passphraseProtector } from '../../src/main/vault'
import { CHEAP_SCRYPT, TEST_PASSPHRASE, tempDir } from '../helpers/vault'

// A sandbox per test: each starts with no live token in any organization.
const sandbox = sandboxPerTest()

const tp = DEMO_USERS.tpstreams[0]!

/** A vault whose writes give up after 150 ms, and a second "process" that can hold its lock. */
async function contended() {
  const dir = tempDir()
  const services = createVaultServices({
    dir,
    lockWaitMs: 150,
    http: createHttpClient({ defaultDeadlineMs: 1500 }),
  })
  const created = await services.vault.create(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT))
  if (!created.ok) throw new Error(created.message)
  const actions = createActions({ services: () => services, platform: 'linux', safeStorage: null })
  const added = await actions.accounts.add(
    {
      label: 'acme-prod',
      providerId: 'tpstreams',
      baseUrl: sandbox().tpstreams.baseUrl,
      fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
      remember: true,
      login: true,
    },
    'cli',
  )
  if (!added.ok) throw new Error(added.message)
  const other = createVaultServices({ dir })
  /** Holds the vault's write lock (as another process would) until the returned release runs. */
  const holdLock = async () => {
    let release!: () => void
    const released = new Promise<void>((r) => (release = r))
    let held!: () => void
    const isHeld = new Promise<void>((r) => (held = r))
    const done = other.vault.file.locked(async () => {
      held()
      await released
      return { ok: true as const, value: undefined }
    })
    await isHeld
    return async () => {
      release()
      await done
    }
  }
  return { actions, account: added.value.account, holdLock }
}

describe('writes after the server acted', () => {
  it('a revoke the server confirmed but the vault could not record is a failure', async () => {
    const { actions, account, holdLock } = await contended()
    const token = account.current!
    const release = await holdLock()
    const r = await actions.tokens.revoke(account.id, {}, 'ui')
    await release()
    expect(!r.ok && r.code).toBe('VAULT_BUSY')
    expect(!r.ok && r.message).toMatch(/ended on the server, but the vault could not record it/)
    expect(sandbox().tpstreams.liveTokenCount('acme')).toBe(0)
    // The ledger still lists it, and says nothing false: it was never marked revoked.
    const a = actions.views.account(account.id)
    expect(a.ok && a.value.tokens.find((t) => t.id === token.id)?.state).toBe('active')
    // This process never hands the revoked token out again: the next header mints a new one,
    // and that write records the revoke the earlier write could not.
    const h = await actions.tokens.header(account.id, 'cli')
    expect(h.ok && h.value.reused).toBe(false)
    expect(h.ok && h.value.tokenId).not.toBe(token.id)
    const after = actions.views.account(account.id)
    expect(after.ok && after.value.tokens.find((t) => t.id === token.id)?.state).toBe('revoked')
  })

  it('"log in again" that cannot record the revoke of the replaced token says so', async () => {
    const { actions, account, holdLock } = await contended()
    // The logout (revoke of the replaced token) takes a while; the new token is saved by then,
    // and another process holds the vault while the revoke's outcome waits to be written.
    sandbox().tpstreams.setFault({ kind: 'delay', ms: 1000 }, { route: 'logout', times: 1 })
    const logouts = sandbox().tpstreams.stats.logoutRequests
    const login = actions.tokens.login(account.id, { force: true }, 'cli')
    while (sandbox().tpstreams.stats.logoutRequests === logouts) await sleep(5)
    const release = await holdLock()
    const r = await login
    await release()
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.reused).toBe(false)
    expect(r.value.warning).toMatch(/ended on the server, but the vault could not record it/)
  })
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
