// Login rate limits against the real TPStreams sandbox over HTTP, on a manual clock: a 429 with
// Retry-After (delta seconds, an HTTP date, or none) puts the login endpoint in a cooldown that a
// second set of services on the same vault (as another process would) honours without sending
// anything; `loginRateLimit` refuses the (max+1)-th login in its window and says when the next is
// allowed; both end when the clock passes that time; reuse of a valid token is never limited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { createHttpClient } from '../../src/main/providers/http-client'
import { createVaultServices, passphraseProtector } from '../../src/main/vault'
import {
  DEFAULT_RETRY_AFTER_SECONDS,
  MAX_RETRY_AFTER_SECONDS,
  retryAt,
} from '../../src/main/vault/ledger/login-limits'
import { CHEAP_SCRYPT, manualClock, newVault, TEST_PASSPHRASE } from '../helpers/vault'
import { probingTpstreams } from '../helpers/health-profiles'

const clock = manualClock(Date.UTC(2026, 10, 24, 12, 0, 0))
let sb: SandboxSet
beforeAll(async () => {
  sb = await startSandbox({ clock })
})
afterAll(() => sb.close())

const TP = DEMO_USERS.tpstreams[0]!
const S = 1000

describe('Retry-After', () => {
  const now = Date.UTC(2026, 0, 1, 12)
  it.each([
    ['120', 120 * S],
    [' 5 ', 5 * S],
    ['0', 1 * S],
    [new Date(now + 300 * S).toUTCString(), 300 * S],
    ['Thu, 01 Jan 2026 11:00:00 GMT', 1 * S],
    [String(10 * 24 * 3600), MAX_RETRY_AFTER_SECONDS * S],
    [new Date(now + 9 * 24 * 3600 * S).toUTCString(), MAX_RETRY_AFTER_SECONDS * S],
    [undefined, DEFAULT_RETRY_AFTER_SECONDS * S],
    ['soon', DEFAULT_RETRY_AFTER_SECONDS * S],
    ['-5', DEFAULT_RETRY_AFTER_SECONDS * S],
  ])('%j waits %d ms', (raw, waitMs) => {
    expect(retryAt(raw, now) - now).toBe(waitMs)
  })
})

async function twoProcesses(profileChange?: Record<string, unknown>) {
  const http = createHttpClient({ defaultDeadlineMs: 1500 })
  const a = await newVault({ clock, http })
  if (profileChange) {
    const r = await a.vault.addProvider(probingTpstreams(profileChange))
    if (!r.ok) throw new Error(r.message)
  }
  const providerId = profileChange ? 'tp-probe' : 'tpstreams'
  const ids: string[] = []
  for (const org of ['acme', 'globex']) {
    const r = await a.accounts.add({
      label: `${org}-acct`,
      providerId,
      baseUrl: sb.tpstreams.baseUrl,
      fields: { username: TP.username, password: TP.secret, organization_id: org },
      remember: true,
    })
    if (!r.ok) throw new Error(r.message)
    ids.push(r.value.id)
  }
  // Another process: its own services over the same folder.
  const b = createVaultServices({ dir: a.dir, clock, http })
  const unlocked = await b.vault.unlock(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT))
  if (!unlocked.ok) throw new Error(unlocked.message)
  return { a, b, ids: ids as [string, string] }
}

describe('a 429 on a login puts the endpoint in a cooldown', () => {
  it.each([
    ['delta seconds', () => '120', 120],
    ['an HTTP date', () => new Date(clock.now() + 300 * S).toUTCString(), 300],
    ['no header (the default)', () => undefined, DEFAULT_RETRY_AFTER_SECONDS],
  ])('Retry-After as %s', async (_name, header, seconds) => {
    const { a, b, ids } = await twoProcesses()
    const [acme, globex] = ids
    const retryAfter = header()
    sb.tpstreams.setFault(
      { kind: 'rate-limit', ...(retryAfter !== undefined ? { retryAfter } : {}) },
      { route: 'login', times: 1 },
    )
    const start = clock.now()
    const first = await a.tokens.header(acme, { surface: 'cli' })
    expect(first).toMatchObject({
      ok: false,
      code: 'RATE_LIMITED',
      details: { retryAt: start + seconds * S, retryAfterSeconds: seconds },
    })
    // How long, in words; the exact time is in the details (each surface formats it).
    expect(!first.ok && first.message).toMatch(
      /TokenDeck sends no login to this server for the next \d+ (s|m|h)( \d+ m)?\.$/,
    )
    expect(!first.ok && first.message).not.toMatch(/\d{4}-\d\d-\d\dT/)

    // The other process, another account (another organization) at the same login endpoint:
    // refused here, nothing reaches the server.
    const sent = sb.tpstreams.stats.loginRequests
    clock.advance(seconds * S - 2 * S)
    const refused = await b.tokens.header(globex, { surface: 'agent' })
    expect(refused).toMatchObject({
      ok: false,
      code: 'RATE_LIMITED',
      details: { retryAt: start + seconds * S, retryAfterSeconds: 2, reason: 'cooldown' },
    })
    expect(!refused.ok && refused.message).toMatch(
      /^No login was sent for "globex-acct": its server answered 429 .*\. The next login is allowed in 2 s\.$/,
    )
    expect(sb.tpstreams.stats.loginRequests).toBe(sent)
    // The views say so, in both processes.
    for (const s of [a, b]) {
      const v = s.accounts.list()
      expect(v.ok && v.value.map((x) => x.loginCooldownUntil)).toEqual([
        start + seconds * S,
        start + seconds * S,
      ])
    }
    // No pending record was left behind by the refused login.
    const acc = b.accounts.get(globex)
    expect(acc.ok && acc.value.tokens).toEqual([])

    clock.advance(2 * S)
    const after = await b.tokens.header(globex, { surface: 'agent' })
    expect(after.ok).toBe(true)
    expect(sb.tpstreams.stats.loginRequests).toBe(sent + 1)
    const v = a.accounts.list()
    expect(v.ok && v.value.map((x) => x.loginCooldownUntil ?? null)).toEqual([null, null])
  })

  it('reuse is never limited: a current token is handed out during a cooldown', async () => {
    const { a, ids } = await twoProcesses()
    const [acme, globex] = ids
    const h = await a.tokens.header(acme, { surface: 'cli' })
    if (!h.ok) throw new Error(h.message)
    sb.tpstreams.setFault({ kind: 'rate-limit', retryAfter: '600' }, { times: 1 })
    expect((await a.tokens.header(globex, { surface: 'cli' })).ok).toBe(false)
    const again = await a.tokens.header(acme, { surface: 'cli' })
    expect(again.ok && again.value.reused).toBe(true)
    // "Log in again" is a login: refused while the cooldown lasts.
    const forced = await a.tokens.header(acme, { surface: 'cli', force: true })
    expect(forced).toMatchObject({ ok: false, code: 'RATE_LIMITED' })
    clock.advance(600 * S)
  })
})

describe('loginRateLimit', () => {
  it('refuses the (max+1)-th login in the window across processes and says when the next is allowed', async () => {
    const { a, b, ids } = await twoProcesses({ loginRateLimit: { max: 2, perSeconds: 60 } })
    const [acme, globex] = ids
    const sent = sb.tpstreams.stats.loginRequests
    const t0 = clock.now()
    expect((await a.tokens.header(acme, { surface: 'cli' })).ok).toBe(true)
    clock.advance(10 * S)
    expect((await b.tokens.header(globex, { surface: 'cli' })).ok).toBe(true)
    clock.advance(10 * S)
    const third = await a.tokens.header(acme, { surface: 'cli', force: true })
    expect(third).toMatchObject({
      ok: false,
      code: 'RATE_LIMITED',
      details: { retryAt: t0 + 60 * S, retryAfterSeconds: 40, reason: 'limit' },
    })
    expect(!third.ok && third.message).toContain("the provider's login rate limit is used up")
    const fromB = await b.tokens.header(globex, { surface: 'cli', force: true })
    expect(fromB).toMatchObject({ ok: false, code: 'RATE_LIMITED' })
    expect(sb.tpstreams.stats.loginRequests - sent).toBe(2)
    // Reuse is not a login.
    const reused = await b.tokens.header(acme, { surface: 'cli' })
    expect(reused.ok && reused.value.reused).toBe(true)
    // The first login leaves the window at t0 + 60 s: one more is allowed, then the second's.
    clock.set(t0 + 60 * S + 1)
    expect((await b.tokens.header(acme, { surface: 'cli', force: true })).ok).toBe(true)
    const fourth = await a.tokens.header(globex, { surface: 'cli', force: true })
    expect(fourth).toMatchObject({ ok: false, details: { retryAt: t0 + 70 * S } })
    expect(sb.tpstreams.stats.loginRequests - sent).toBe(3)
  })

  it('a login through another profile at the same endpoint does not erase the count', async () => {
    clock.advance(3600 * S)
    const { a, ids } = await twoProcesses({ loginRateLimit: { max: 2, perSeconds: 600 } })
    const plain = await a.accounts.add({
      label: 'plain',
      providerId: 'tpstreams',
      baseUrl: sb.tpstreams.baseUrl,
      fields: { username: TP.username, password: TP.secret, organization_id: 'acme' },
      remember: true,
    })
    if (!plain.ok) throw new Error(plain.message)
    expect((await a.tokens.header(ids[0], { surface: 'cli' })).ok).toBe(true)
    // The built-in profile declares no limit: its login is not refused, and keeps the count.
    expect((await a.tokens.header(plain.value.id, { surface: 'cli' })).ok).toBe(true)
    expect((await a.tokens.header(ids[1], { surface: 'cli' })).ok).toBe(true)
    const third = await a.tokens.header(ids[0], { surface: 'cli', force: true })
    expect(third).toMatchObject({ ok: false, code: 'RATE_LIMITED', details: { reason: 'limit' } })
  })

  it('concurrent logins from two processes never exceed max', async () => {
    clock.advance(3600 * S)
    const { a, b, ids } = await twoProcesses({ loginRateLimit: { max: 3, perSeconds: 3600 } })
    const sent = sb.tpstreams.stats.loginRequests
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? a : b).tokens.header(ids[i % 2]!, { surface: 'cli', force: true }),
      ),
    )
    expect(results.filter((r) => r.ok)).toHaveLength(3)
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.code === 'RATE_LIMITED')).toBe(true)
    expect(sb.tpstreams.stats.loginRequests - sent).toBe(3)
  })
})
