import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { startSandbox, type SandboxSet, DEMO_USERS } from '../../src/main/sandbox'
import { createHttpClient } from '../../src/main/providers/http-client'
import { manualClock, newVault } from '../helpers/vault'

let sb: SandboxSet
const clock = manualClock(Date.now())

beforeAll(async () => {
  sb = await startSandbox({ clock })
})
afterAll(async () => {
  await sb.close()
})

const tp = DEMO_USERS.tpstreams[0]!
const xp = DEMO_USERS.xpay[0]!
const cl = DEMO_USERS.classic[1]!

async function vaultWithAccounts() {
  const v = await newVault({ clock, http: createHttpClient({ defaultDeadlineMs: 1500 }) })
  const add = async (
    label: string,
    providerId: string,
    baseUrl: string,
    fields: Record<string, string>,
    remember = true,
  ) => {
    const r = await v.accounts.add({ label, providerId, baseUrl, fields, remember })
    if (!r.ok) throw new Error(r.message)
    return r.value
  }
  return { ...v, add }
}

describe('token service against the sandbox providers', () => {
  it('mints once, then reuses; the header works on the provider', async () => {
    const v = await vaultWithAccounts()
    const acc = await v.add('acme-prod', 'tpstreams', sb.tpstreams.baseUrl, {
      username: tp.username,
      password: tp.secret,
      organization_id: 'acme',
    })
    const before = sb.tpstreams.stats.loginRequests
    const h1 = await v.tokens.header(acc.id, { surface: 'cli' })
    const h2 = await v.tokens.header(acc.id, { surface: 'ui' })
    expect(h1.ok && h2.ok).toBe(true)
    if (!h1.ok || !h2.ok) return
    expect(h1.value.reused).toBe(false)
    expect(h2.value.reused).toBe(true)
    expect(h2.value.token).toBe(h1.value.token)
    expect(h1.value.value).toBe(`Token ${h1.value.token}`)
    expect(sb.tpstreams.stats.loginRequests - before).toBe(1)
    const res = await fetch(`${sb.tpstreams.baseUrl}/api/v1/acme/assets/`, {
      headers: { [h1.value.headerName]: h1.value.value },
    })
    expect(res.status).toBe(200)
    const events = v.vault.events.list()
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['reuse', 'mint'])
  })

  it('100 concurrent header calls on one account cause exactly one login', async () => {
    const v = await vaultWithAccounts()
    const acc = await v.add('acme-ci', 'tpstreams', sb.tpstreams.baseUrl, {
      username: tp.username,
      password: tp.secret,
      organization_id: 'globex',
    })
    const before = sb.tpstreams.stats.loginRequests
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        v.tokens.header(acc.id, { surface: i % 2 ? 'tray' : 'ui' }),
      ),
    )
    expect(sb.tpstreams.stats.loginRequests - before).toBe(1)
    const tokens = new Set(results.map((r) => (r.ok ? r.value.token : r.code)))
    expect(tokens.size).toBe(1)
  })

  it('at 18/20 in an organization, 50 concurrent fresh logins mint at most 2', async () => {
    const v = await vaultWithAccounts()
    const org = 'cap-test'
    sb.tpstreams.addUser({
      username: 'cap@acme.test',
      secret: 'cap-secret-1',
      organizations: [org],
    })
    const accounts = []
    for (let i = 0; i < 68; i++) {
      accounts.push(
        await v.add(`cap-${i}`, 'tpstreams', sb.tpstreams.baseUrl, {
          username: 'cap@acme.test',
          password: 'cap-secret-1',
          organization_id: org,
        }),
      )
    }
    for (const a of accounts.slice(0, 18)) {
      const r = await v.tokens.header(a.id, { surface: 'cli' })
      expect(r.ok).toBe(true)
    }
    const orgs = v.accounts.organizations()
    expect(orgs.ok && orgs.value.find((o) => o.organizationId === org)?.cap).toMatchObject({
      used: 18,
      max: 20,
    })
    const before = sb.tpstreams.stats.loginRequests
    const results = await Promise.all(
      accounts.slice(18).map((a) => v.tokens.header(a.id, { surface: 'ui' })),
    )
    expect(results.filter((r) => r.ok)).toHaveLength(2)
    const refused = results.filter((r) => !r.ok)
    expect(refused).toHaveLength(48)
    expect(refused.every((r) => !r.ok && r.code === 'TOKEN_CAP_REACHED')).toBe(true)
    const first = refused[0]
    if (first && !first.ok) {
      expect(first.message).toMatch(/20 of 20 tokens/)
      expect((first.details?.revocable as string[]).length).toBe(20)
    }
    expect(sb.tpstreams.stats.loginRequests - before).toBe(2)
    expect(sb.tpstreams.liveTokenCount(org)).toBe(20)
  })

  it('a mint-then-hang login is recorded as uncertain and counted toward the cap', async () => {
    const v = await vaultWithAccounts()
    const acc = await v.add('hang', 'tpstreams', sb.tpstreams.baseUrl, {
      username: tp.username,
      password: tp.secret,
      organization_id: 'acme',
    })
    sb.tpstreams.setFault({ kind: 'mint-then-hang' }, { route: 'login', times: 1 })
    const r = await v.tokens.header(acc.id, { surface: 'tray' })
    expect(!r.ok && r.code).toBe('OUTCOME_UNKNOWN')
    const view = v.accounts.get(acc.id)
    expect(view.ok && view.value.tokens[0]?.state).toBe('uncertain')
    const orgs = v.accounts.organizations()
    const cap = orgs.ok ? orgs.value.find((o) => o.accountIds.includes(acc.id))?.cap : null
    expect(cap?.uncertain).toBe(1)
    // Dismissing it frees the slot in the ledger.
    const tid = view.ok ? view.value.tokens[0]!.id : ''
    expect((await v.tokens.dismissUncertain(tid, 'cli')).ok).toBe(true)
    const after = v.accounts.organizations()
    expect(
      after.ok ? after.value.find((o) => o.accountIds.includes(acc.id))?.cap?.uncertain : -1,
    ).toBe(0)
  })

  it('revoke makes the token unusable on the server and a new header mints again', async () => {
    const v = await vaultWithAccounts()
    const acc = await v.add('classic', 'classic', sb.classic.baseUrl, {
      username: cl.username,
      password: cl.secret,
    })
    const h = await v.tokens.header(acc.id, { surface: 'ui' })
    if (!h.ok) throw new Error(h.message)
    const rv = await v.tokens.revoke(acc.id, { surface: 'ui' })
    expect(rv.ok && rv.value.revoked).toHaveLength(1)
    expect(sb.classic.isTokenValid(h.value.token)).toBe(false)
    const h2 = await v.tokens.header(acc.id, { surface: 'ui' })
    expect(h2.ok && h2.value.token !== h.value.token && !h2.value.reused).toBe(true)
  })

  it('xpay has no revoke: the token is forgotten locally and the user is told it stays valid', async () => {
    const v = await vaultWithAccounts()
    const acc = await v.add('xpay', 'xpay', sb.xpay.baseUrl, {
      username: xp.username,
      secretKey: xp.secret,
    })
    const h = await v.tokens.header(acc.id, { surface: 'ui' })
    if (!h.ok) throw new Error(h.message)
    const rv = await v.tokens.revoke(acc.id, { surface: 'ui' })
    expect(rv.ok && rv.value.forgotten).toHaveLength(1)
    // How long, relative to the moment it was forgotten; the token view holds the exact expiry.
    expect(rv.ok && rv.value.message).toMatch(
      /stays valid on the server until it expires, (59 m|1 h) after it was forgotten\.$/,
    )
    expect(sb.xpay.isTokenValid(h.value.token)).toBe(true)
  })

  it('never hands out an expired token; a remembered secret logs in again', async () => {
    const v = await vaultWithAccounts()
    const acc = await v.add('xpay-exp', 'xpay', sb.xpay.baseUrl, {
      username: xp.username,
      secretKey: xp.secret,
    })
    const h = await v.tokens.header(acc.id, { surface: 'ui' })
    if (!h.ok) throw new Error(h.message)
    clock.advance(sb.xpay.tokenTtlMs - 30_000) // inside the 60 s skew margin
    const h2 = await v.tokens.header(acc.id, { surface: 'ui' })
    expect(h2.ok && h2.value.reused).toBe(false)
    expect(h2.ok && h2.value.token).not.toBe(h.value.token)
  })

  it('an account that does not remember its secret asks for it, and the typed secret is used once', async () => {
    const v = await vaultWithAccounts()
    const acc = await v.add(
      'forgetful',
      'classic',
      sb.classic.baseUrl,
      { username: cl.username, password: cl.secret },
      false,
    )
    const r = await v.tokens.header(acc.id, { surface: 'cli' })
    expect(!r.ok && r.code).toBe('NO_SECRET')
    const r2 = await v.tokens.header(acc.id, { surface: 'cli', secrets: { password: cl.secret } })
    expect(r2.ok).toBe(true)
    const raw = fs.readFileSync(v.vault.file.path, 'utf8')
    expect(raw).not.toContain(cl.secret)
    if (r2.ok) expect(raw).not.toContain(r2.value.token)
  })

  it('login --force with revoke-on-replace revokes the replaced TPStreams token', async () => {
    const v = await vaultWithAccounts()
    const acc = await v.add('force', 'tpstreams', sb.tpstreams.baseUrl, {
      username: tp.username,
      password: tp.secret,
      organization_id: 'globex',
    })
    const h = await v.tokens.header(acc.id, { surface: 'ui' })
    if (!h.ok) throw new Error(h.message)
    const l = await v.tokens.login(acc.id, { surface: 'cli', force: true })
    expect(l.ok && l.value.reused).toBe(false)
    expect(sb.tpstreams.isTokenValid(h.value.token)).toBe(false)
    const view = v.accounts.get(acc.id)
    expect(view.ok && view.value.tokens.map((t) => t.state)).toEqual(['active', 'revoked'])
  })
})
