// A token minted mid-flight is never lost: a login is written to the ledger as a pending
// (uncertain) token, counted toward the cap, before its request leaves. It becomes the token on
// success, is dropped on a clean refusal, and stays uncertain if the process dies (a real CLI
// process SIGKILLed while its login is on the server) or the answer is cut off. Locking waits for
// a login in flight (bounded) so its token is recorded, and starts no new one meanwhile.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEMO_USERS, type SandboxSet } from '../../src/main/sandbox'
import { createHttpClient } from '../../src/main/providers/http-client'
import { createVaultServices, passphraseProtector, type VaultServices } from '../../src/main/vault'
import { actionFixture, sandboxPerTest } from '../helpers/actions'
import { CHEAP_SCRYPT, TEST_PASSPHRASE, manualClock, newVault, tempDir } from '../helpers/vault'

const CLI = path.resolve('out/main/cli.js')
const tp = DEMO_USERS.tpstreams[0]!
const sandbox = sandboxPerTest()

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Resolves once the sandbox has received `n` more login requests than `from`. */
async function loginReached(sb: SandboxSet, from: number, n = 1, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs
  while (sb.tpstreams.stats.loginRequests < from + n) {
    if (Date.now() > until) throw new Error('the login request never reached the sandbox')
    await sleep(5)
  }
}

const tpFields = (password = tp.secret) => ({
  username: tp.username,
  password,
  organization_id: 'acme',
})

/** The ledger's token records, read from the file. */
function tokensIn(services: VaultServices) {
  const d = services.vault.readUnlocked()
  if (!d.ok) throw new Error(d.message)
  return d.value.tokens
}

/** The acme organization's cap usage as every surface shows it. */
function acmeCap(services: VaultServices) {
  const orgs = services.accounts.organizations()
  if (!orgs.ok) throw new Error(orgs.message)
  return orgs.value.find((o) => o.organizationId === 'acme')?.cap
}

describe('a login is in the ledger before its request leaves', () => {
  it('a CLI killed (SIGKILL) while its login is on the server leaves one uncertain token counted toward the cap', async () => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npx electron-vite build`)
    const sb = sandbox()
    const v = await newVault()
    const added = await v.accounts.add({
      label: 'acme-prod',
      providerId: 'tpstreams',
      baseUrl: sb.tpstreams.baseUrl,
      fields: tpFields(),
      remember: true,
    })
    if (!added.ok) throw new Error(added.message)
    sb.tpstreams.setFault({ kind: 'hang' }, { route: 'login' })
    const before = sb.tpstreams.stats.loginRequests
    const home = tempDir('tokendeck-pending-home-')
    const child = spawn(process.execPath, [CLI, 'header', 'acme-prod'], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        XDG_CONFIG_HOME: home,
        TOKENDECK_VAULT: v.dir,
        TOKENDECK_PASSPHRASE: TEST_PASSPHRASE,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('close', (_c, s) => r(s)))
    try {
      await loginReached(sb, before)
    } catch (e) {
      child.kill('SIGKILL')
      throw new Error(`${(e as Error).message}; CLI said: ${output}`, { cause: e })
    }
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    expect(output).toBe('') // it never got an answer

    // A fresh process (this test) opens the vault: the login is there, uncertain, counted.
    const after = createVaultServices({ dir: v.dir })
    expect(await after.vault.unlock(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT))).toEqual({
      ok: true,
      value: undefined,
    })
    const tokens = tokensIn(after)
    expect(tokens).toHaveLength(1)
    expect(tokens[0]).toMatchObject({
      accountId: added.value.id,
      state: 'uncertain',
      surface: 'cli',
      secret: null,
      // No time in the words: the record's issuedAt says when (each surface formats it).
      note: expect.stringMatching(/^Login in flight\. If this stays.*counts toward the cap/),
    })
    expect(acmeCap(after)).toMatchObject({ used: 1, uncertain: 1, active: 0 })
  })

  it('a clean refusal (wrong password) leaves no record, and the pending one existed meanwhile', async () => {
    const sb = sandbox()
    const { services } = await actionFixture()
    const added = await services.accounts.add({
      label: 'acme-wrong',
      providerId: 'tpstreams',
      baseUrl: sb.tpstreams.baseUrl,
      fields: tpFields('not-the-password'),
      remember: true,
    })
    if (!added.ok) throw new Error(added.message)
    sb.tpstreams.setFault({ kind: 'delay', ms: 300 }, { route: 'login', times: 1 })
    const before = sb.tpstreams.stats.loginRequests
    const login = services.tokens.header(added.value.id, { surface: 'ui' })
    await loginReached(sb, before)
    expect(tokensIn(services).map((t) => t.state)).toEqual(['uncertain'])
    expect(acmeCap(services)).toMatchObject({ used: 1, uncertain: 1 })
    const r = await login
    expect(!r.ok && r.code).toBe('PROVIDER_REJECTED')
    expect(tokensIn(services)).toEqual([])
    expect(acmeCap(services)).toMatchObject({ used: 0, uncertain: 0, active: 0 })
  })

  it('success turns the pending record into the one active token (same id), no uncertain left', async () => {
    const sb = sandbox()
    const { services } = await actionFixture()
    const added = await services.accounts.add({
      label: 'acme-prod',
      providerId: 'tpstreams',
      baseUrl: sb.tpstreams.baseUrl,
      fields: tpFields(),
      remember: true,
    })
    if (!added.ok) throw new Error(added.message)
    sb.tpstreams.setFault({ kind: 'delay', ms: 300 }, { route: 'login', times: 1 })
    const before = sb.tpstreams.stats.loginRequests
    const login = services.tokens.header(added.value.id, { surface: 'cli' })
    await loginReached(sb, before)
    const pending = tokensIn(services)
    expect(pending).toHaveLength(1)
    expect(pending[0]).toMatchObject({ state: 'uncertain', secret: null })
    const r = await login
    expect(r.ok).toBe(true)
    if (!r.ok) return
    const tokens = tokensIn(services)
    expect(tokens).toHaveLength(1)
    expect(tokens[0]).toMatchObject({
      id: pending[0]!.id,
      state: 'active',
      headerName: 'Authorization',
      note: null,
    })
    expect(tokens[0]!.secret).not.toBeNull()
    expect(r.value.tokenId).toBe(pending[0]!.id)
    expect(acmeCap(services)).toMatchObject({ used: 1, active: 1, uncertain: 0 })
    expect(sb.tpstreams.liveTokenCount('acme')).toBe(1)
  })

  it('an answer lost after the server minted keeps the pending record (not a second one) uncertain', async () => {
    const sb = sandbox()
    const { services } = await actionFixture({ deadlineMs: 500 })
    const added = await services.accounts.add({
      label: 'acme-prod',
      providerId: 'tpstreams',
      baseUrl: sb.tpstreams.baseUrl,
      fields: tpFields(),
      remember: true,
    })
    if (!added.ok) throw new Error(added.message)
    sb.tpstreams.setFault({ kind: 'mint-then-hang' }, { route: 'login', times: 1 })
    const r = await services.tokens.header(added.value.id, { surface: 'ui' })
    expect(!r.ok && r.code).toBe('OUTCOME_UNKNOWN')
    const tokens = tokensIn(services)
    expect(tokens).toHaveLength(1)
    expect(tokens[0]).toMatchObject({
      state: 'uncertain',
      note: expect.stringMatching(/answer was lost \(OUTCOME_UNKNOWN\)/),
    })
    expect(!r.ok && r.details?.uncertainTokenId).toBe(tokens[0]!.id)
  })

  it('when the pending record cannot be written, the login is not sent', async () => {
    const sb = sandbox()
    const dir = tempDir()
    const services = createVaultServices({
      dir,
      lockWaitMs: 150,
      http: createHttpClient({ defaultDeadlineMs: 1500 }),
    })
    const created = await services.vault.create(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT))
    expect(created.ok).toBe(true)
    const added = await services.accounts.add({
      label: 'acme-prod',
      providerId: 'tpstreams',
      baseUrl: sb.tpstreams.baseUrl,
      fields: tpFields(),
      remember: true,
    })
    if (!added.ok) throw new Error(added.message)
    // Another process holds the vault's write lock for longer than this one waits.
    const other = createVaultServices({ dir })
    let release!: () => void
    let held!: () => void
    const isHeld = new Promise<void>((r) => (held = r))
    const holding = other.vault.file.locked(async () => {
      held()
      await new Promise<void>((r) => (release = r))
      return { ok: true as const, value: undefined }
    })
    await isHeld
    const before = sb.tpstreams.stats.loginRequests
    const r = await services.tokens.header(added.value.id, { surface: 'cli' })
    release()
    expect((await holding).ok).toBe(true)
    expect(!r.ok && r.code).toBe('VAULT_BUSY')
    expect(!r.ok && r.message).toMatch(/was not sent: its pending record could not be written/)
    expect(sb.tpstreams.stats.loginRequests).toBe(before)
    expect(tokensIn(services)).toEqual([])
  })
})

describe('locking waits for a login in flight', () => {
  it('protection.lock waits for the login, records its token, and starts no new login meanwhile', async () => {
    const sb = sandbox()
    const { actions, services } = await actionFixture()
    const add = async (label: string, org: string) => {
      const r = await actions.accounts.add(
        {
          label,
          providerId: 'tpstreams',
          baseUrl: sb.tpstreams.baseUrl,
          fields: { ...tpFields(), organization_id: org },
          remember: true,
          login: false,
        },
        'ui',
      )
      if (!r.ok) throw new Error(r.message)
      return r.value.account.id
    }
    const acme = await add('acme-prod', 'acme')
    const globex = await add('globex-ops', 'globex')
    sb.tpstreams.setFault({ kind: 'delay', ms: 400 }, { route: 'login', times: 1 })
    const before = sb.tpstreams.stats.loginRequests
    const order: string[] = []
    const login = actions.tokens.login(acme, {}, 'ui').then((r) => {
      order.push('login')
      return r
    })
    await loginReached(sb, before)
    const lock = actions.protection.lock().then((s) => {
      order.push('lock')
      return s
    })
    // Locking has begun: a new login is refused and nothing is sent.
    const refused = await actions.tokens.header(globex, 'cli')
    expect(!refused.ok && refused.code).toBe('VAULT_LOCKED')
    expect(services.vault.unlocked).toBe(true)
    const status = await lock
    expect(order).toEqual(['login', 'lock'])
    expect(status.vault.unlocked).toBe(false)
    const r = await login
    expect(r.ok).toBe(true)
    expect(sb.tpstreams.stats.loginRequests - before).toBe(1)

    const unlocked = await actions.protection.unlock({
      method: 'passphrase',
      passphrase: TEST_PASSPHRASE,
    })
    expect(unlocked.ok).toBe(true)
    const account = actions.views.account(acme)
    expect(account.ok).toBe(true)
    if (!account.ok || !r.ok) return
    expect(account.value.tokens.map((t) => [t.id, t.state])).toEqual([[r.value.token.id, 'active']])
    // The recorded token is the one the server holds, and it is handed out again.
    const h = await actions.tokens.header(acme, 'cli')
    expect(h.ok && h.value.reused && h.value.tokenId).toBe(r.value.token.id)
  })

  it('the wait is bounded: a login that does not answer in time stays uncertain after the lock', async () => {
    const sb = sandbox()
    const { services } = await actionFixture({ deadlineMs: 1500 })
    const added = await services.accounts.add({
      label: 'acme-prod',
      providerId: 'tpstreams',
      baseUrl: sb.tpstreams.baseUrl,
      fields: tpFields(),
      remember: true,
    })
    if (!added.ok) throw new Error(added.message)
    sb.tpstreams.setFault({ kind: 'hang' }, { route: 'login', times: 1 })
    const before = sb.tpstreams.stats.loginRequests
    const login = services.tokens.header(added.value.id, { surface: 'ui' })
    await loginReached(sb, before)
    const started = Date.now()
    await services.vault.lockWhenIdle(200)
    expect(Date.now() - started).toBeLessThan(1200)
    expect(services.vault.unlocked).toBe(false)
    const r = await login
    expect(!r.ok && r.code).toBe('OUTCOME_UNKNOWN')
    const reopened = await services.vault.unlock(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT))
    expect(reopened.ok).toBe(true)
    const tokens = tokensIn(services)
    expect(tokens).toHaveLength(1)
    expect(tokens[0]).toMatchObject({ state: 'uncertain', note: expect.stringMatching(/^Login/) })
    expect(acmeCap(services)).toMatchObject({ used: 1, uncertain: 1 })
  })

  it('the idle auto-lock does not lock under a login in flight', async () => {
    const sb = sandbox()
    const clock = manualClock(Date.now())
    const { services } = await actionFixture({ clock })
    const added = await services.accounts.add({
      label: 'acme-prod',
      providerId: 'tpstreams',
      baseUrl: sb.tpstreams.baseUrl,
      fields: tpFields(),
      remember: true,
    })
    if (!added.ok) throw new Error(added.message)
    expect((await services.vault.updateSettings({ autoLockMinutes: 1 })).ok).toBe(true)
    sb.tpstreams.setFault({ kind: 'delay', ms: 300 }, { route: 'login', times: 1 })
    const before = sb.tpstreams.stats.loginRequests
    const login = services.tokens.header(added.value.id, { surface: 'ui' })
    await loginReached(sb, before)
    clock.advance(10 * 60_000) // idle far beyond the setting, but a login is in flight
    expect(services.vault.checkAutoLock()).toBe(false)
    expect(services.vault.unlocked).toBe(true)
    expect((await login).ok).toBe(true)
    expect(tokensIn(services)).toHaveLength(1)
    expect(services.vault.checkAutoLock()).toBe(true)
  })
})
