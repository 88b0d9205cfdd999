// Refresh tokens against the OAuth sandbox (real HTTP, a shared manual clock): an expired access
// token is refreshed instead of logging in, the server rotates the refresh token (the old one is
// refused afterwards), a refused or expired refresh token falls back to a full login (or NO_SECRET
// when the secret is not remembered), a lost answer keeps the refresh token, concurrent requests
// share one refresh, a refresh record moved to another account does not open, and the refresh
// token is in no view, event, error or file byte.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { createHttpClient } from '../../src/main/providers/http-client'
import { tokenRefreshId } from '../../src/main/vault/storage/bindings'
import { parseProfile } from '../../src/shared/providers/profile'
import {
  CHEAP_SCRYPT,
  TEST_PASSPHRASE,
  manualClock,
  newVault,
  readSealed,
  rewriteSealed,
  vaultKey,
} from '../helpers/vault'
import { passphraseProtector } from '../../src/main/vault'

export const OAUTH_PROFILE = fs.readFileSync(
  path.resolve('tests/fixtures/profiles/oauth-sandbox.json'),
  'utf8',
)

let sb: SandboxSet
const clock = manualClock(Date.now())
const user = DEMO_USERS.oauth[0]!
const MIN = 60_000

beforeAll(async () => {
  sb = await startSandbox({ clock })
})
afterAll(async () => {
  await sb.close()
})

async function oauthVault(remember = true, label = 'oauth-dev') {
  const v = await newVault({ clock, http: createHttpClient({ defaultDeadlineMs: 1000 }) })
  const imported = await v.vault.addProvider(OAUTH_PROFILE)
  if (!imported.ok) throw new Error(imported.message)
  const add = async (l: string) => {
    const r = await v.accounts.add({
      label: l,
      providerId: 'oauth-sandbox',
      baseUrl: sb.oauth.baseUrl,
      fields: { username: user.username, password: user.secret },
      remember,
    })
    if (!r.ok) throw new Error(r.message)
    return r.value
  }
  const acc = await add(label)
  /** The refresh token the vault holds for the account now (test-only peek). */
  const heldRefresh = (accountId = acc.id): string | null => {
    const d = v.vault.readUnlocked()
    if (!d.ok) throw new Error(d.message)
    const a = d.value.accounts.find((x) => x.id === accountId)!
    const t = [...d.value.tokens].reverse().find((x) => x.accountId === accountId && x.refresh)
    if (!t?.refresh) return null
    const s = v.vault.storage.openSecret(tokenRefreshId(t.id), a, t.refresh.secret)
    if (!s.ok) throw new Error(s.message)
    return s.value
  }
  return { ...v, acc, add, heldRefresh }
}

const stats = () => ({ ...sb.oauth.stats })
const since = (before: ReturnType<typeof stats>) => ({
  logins: sb.oauth.stats.loginRequests - before.loginRequests,
  refreshes: sb.oauth.stats.refreshRequests - before.refreshRequests,
})

describe('refresh tokens (OAuth sandbox)', () => {
  it("docs/providers.md's refresh example is the fixture the tests import, and it validates", () => {
    const md = fs.readFileSync(path.resolve('docs/providers.md'), 'utf8')
    const m = /<!-- refresh-example:start -->\s*```json\n([\s\S]*?)```/.exec(md)
    expect(m?.[1]).toBeDefined()
    expect(JSON.parse(m![1]!)).toEqual(JSON.parse(OAUTH_PROFILE))
    const parsed = parseProfile(JSON.parse(OAUTH_PROFILE))
    expect(parsed.ok && parsed.value.refresh?.rotatedTokenPath).toBe('refresh_token')
  })

  it('an expired access token is refreshed, not logged in; the server rotates the refresh token', async () => {
    const v = await oauthVault()
    const before = stats()
    const first = await v.tokens.header(v.acc.id, { surface: 'cli' })
    expect(first.ok).toBe(true)
    if (!first.ok) return
    expect(since(before)).toEqual({ logins: 1, refreshes: 0 })
    const rt1 = v.heldRefresh()
    expect(rt1).toMatch(/^rt_/)
    expect(sb.oauth.isRefreshTokenValid(rt1!)).toBe(true)

    // Within the renewal margin (60 s) of the 5-minute token: refresh.
    clock.advance(4.5 * MIN)
    const second = await v.tokens.header(v.acc.id, { surface: 'cli' })
    expect(second.ok).toBe(true)
    if (!second.ok) return
    expect(since(before)).toEqual({ logins: 1, refreshes: 1 })
    expect(second.value.reused).toBe(false)
    expect(second.value.token).not.toBe(first.value.token)
    expect(sb.oauth.isTokenValid(second.value.token)).toBe(true)
    const rt2 = v.heldRefresh()
    expect(rt2).not.toBe(rt1)
    // Rotation: the old refresh token is refused by the server now, the new one is not.
    expect(sb.oauth.isRefreshTokenValid(rt1!)).toBe(false)
    expect(sb.oauth.isRefreshTokenValid(rt2!)).toBe(true)
    const reused = await fetch(`${sb.oauth.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: rt1!,
        client_id: 'tokendeck',
      }),
    })
    expect(reused.status).toBe(400)
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' })
    // Reuse revoked the family (as OAuth 2.1 servers do): the next refresh is refused, and the
    // vault falls back to a full login with the remembered password.
    clock.advance(5 * MIN)
    const third = await v.tokens.header(v.acc.id, { surface: 'cli' })
    expect(third.ok).toBe(true)
    // Refreshes: ours, the test's own reuse above, and the refused one.
    expect(since(before)).toEqual({ logins: 2, refreshes: 3 })

    // The ledger: the replaced token ended, the refreshed one is current and refreshable.
    const view = v.vault.readUnlocked()
    if (!view.ok) return
    const types = v.vault.events.list().map((e) => e.type)
    expect(types).toContain('refresh')
    const events = JSON.stringify(v.vault.events.list())
    expect(events).toMatch(
      /Refreshed the token of \\"oauth-dev\\" with its refresh token, no login sent \(the server rotated its refresh token\)/,
    )
    expect(events).toMatch(/was refused \(refresh token was already used\); logging in instead/)
    for (const secret of [rt1!, rt2!, v.heldRefresh()!, user.secret]) {
      expect(events).not.toContain(secret)
    }
  })

  it('views say refreshable, never the refresh token; the vault file and log hold no plaintext', async () => {
    const v = await oauthVault(true, 'oauth-view')
    expect((await v.tokens.header(v.acc.id, { surface: 'ui' })).ok).toBe(true)
    clock.advance(4.5 * MIN)
    expect((await v.tokens.header(v.acc.id, { surface: 'ui' })).ok).toBe(true)
    const rt = v.heldRefresh()!
    const d = v.vault.readUnlocked()
    if (!d.ok) return
    const { tokenView } = await import('../../src/main/vault/ledger/ledger')
    const views = d.value.tokens.map((t) => tokenView(t, clock.now()))
    expect(views[views.length - 1]).toMatchObject({ state: 'active', refreshable: true })
    expect(views[views.length - 1]!.refreshExpiresAt).toBeGreaterThan(clock.now())
    expect(views[0]).toMatchObject({ state: 'forgotten' })
    expect(views[0]!.refreshable).toBeUndefined()
    expect(JSON.stringify(views)).not.toContain(rt)
    for (const f of fs.readdirSync(v.dir)) {
      const p = path.join(v.dir, f)
      if (fs.statSync(p).isFile()) expect(fs.readFileSync(p).includes(rt)).toBe(false)
    }
  })

  it('a refresh refused by the server (fault, then revoked) falls back to a full login', async () => {
    const v = await oauthVault(true, 'oauth-refused')
    expect((await v.tokens.header(v.acc.id, { surface: 'cli' })).ok).toBe(true)
    const before = stats()
    sb.oauth.setFault(
      { kind: 'json', status: 400, body: { error: 'invalid_grant', error_description: 'revoked' } },
      { route: 'refresh', times: 1 },
    )
    clock.advance(5 * MIN)
    const h = await v.tokens.header(v.acc.id, { surface: 'cli' })
    expect(h.ok).toBe(true)
    expect(since(before)).toEqual({ logins: 1, refreshes: 1 })
    // The login brought a new refresh token; revoking them all server-side: refused, login again.
    expect(v.heldRefresh()).toMatch(/^rt_/)
    sb.oauth.revokeRefreshTokens()
    clock.advance(5 * MIN)
    const again = await v.tokens.header(v.acc.id, { surface: 'cli' })
    expect(again.ok).toBe(true)
    expect(since(before)).toEqual({ logins: 2, refreshes: 2 })
  })

  it('a token its server refused (tokens.reject, a probe, a gateway 401) is followed by a refresh, not a login', async () => {
    const v = await oauthVault(true, 'oauth-rejected')
    const first = await v.tokens.header(v.acc.id, { surface: 'cli' })
    if (!first.ok) throw new Error(first.message)
    const before = stats()
    const { markSuspect } = await import('../../src/main/vault/ledger/refusals')
    const r = await markSuspect(v.tokens.ledger, v.acc.id, 'gateway', first.value.tokenId)
    expect(r.ok).toBe(true)
    const next = await v.tokens.header(v.acc.id, { surface: 'cli' })
    if (!next.ok) throw new Error(next.message)
    expect(next.value.tokenId).not.toBe(first.value.tokenId)
    expect(since(before)).toEqual({ logins: 0, refreshes: 1 })
    expect(sb.oauth.isTokenValid(next.value.token)).toBe(true)
  })

  it('keep-ready renewal of a token still valid refreshes it ahead of expiry, no login', async () => {
    const v = await oauthVault(true, 'oauth-renew')
    const first = await v.tokens.header(v.acc.id, { surface: 'cli' })
    if (!first.ok) throw new Error(first.message)
    const before = stats()
    const renewed = await v.tokens.login(v.acc.id, { surface: 'renewal', force: true, renew: true })
    if (!renewed.ok) throw new Error(renewed.message)
    expect(renewed.value.token.id).not.toBe(first.value.tokenId)
    expect(since(before)).toEqual({ logins: 0, refreshes: 1 })
    const acc = v.accounts.get(v.acc.id)
    if (!acc.ok) throw new Error(acc.message)
    const old = acc.value.tokens.find((t) => t.id === first.value.tokenId)!
    expect(old.state).toBe('forgotten')
    expect(old.note).toMatch(/refreshed/i)
    // "Log in again" (force without renew) still logs in, refresh token or not.
    const plain = await v.tokens.login(v.acc.id, { surface: 'renewal', force: true })
    expect(plain.ok).toBe(true)
    expect(since(before)).toEqual({ logins: 1, refreshes: 1 })
  })

  it('an expired refresh token is not sent: a full login', async () => {
    const v = await oauthVault(true, 'oauth-expired')
    expect((await v.tokens.header(v.acc.id, { surface: 'cli' })).ok).toBe(true)
    const before = stats()
    clock.advance(61 * MIN)
    const h = await v.tokens.header(v.acc.id, { surface: 'cli' })
    expect(h.ok).toBe(true)
    expect(since(before)).toEqual({ logins: 1, refreshes: 0 })
  })

  it('secret not remembered: refresh works without it; once refused, NO_SECRET asks for it', async () => {
    const v = await oauthVault(false, 'oauth-noremember')
    const first = await v.tokens.header(v.acc.id, {
      surface: 'cli',
      secrets: { password: user.secret },
    })
    expect(first.ok).toBe(true)
    const before = stats()
    clock.advance(5 * MIN)
    expect((await v.tokens.header(v.acc.id, { surface: 'cli' })).ok).toBe(true)
    expect(since(before)).toEqual({ logins: 0, refreshes: 1 })
    sb.oauth.revokeRefreshTokens()
    clock.advance(5 * MIN)
    const h = await v.tokens.header(v.acc.id, { surface: 'cli' })
    expect(h.ok).toBe(false)
    if (h.ok) return
    expect(h.code).toBe('NO_SECRET')
    expect(since(before)).toEqual({ logins: 0, refreshes: 2 })
    // Typed in, it logs in.
    const typed = await v.tokens.header(v.acc.id, {
      surface: 'cli',
      secrets: { password: user.secret },
    })
    expect(typed.ok).toBe(true)
    expect(since(before)).toEqual({ logins: 1, refreshes: 2 })
  })

  it('a server that echoes the refresh request: refused, and the refresh token is masked', async () => {
    const v = await oauthVault(true, 'oauth-echo')
    expect((await v.tokens.header(v.acc.id, { surface: 'cli' })).ok).toBe(true)
    const rt = v.heldRefresh()!
    const registry = v.vault.providers()
    if (!registry.ok) throw new Error(registry.message)
    const p = registry.value.get('oauth-sandbox')!
    for (const encoding of ['raw', 'html', 'json', 'url'] as const) {
      sb.oauth.setFault({ kind: 'echo', encoding }, { route: 'refresh', times: 1 })
      const r = await v.engine.refresh({
        profile: p,
        baseUrl: sb.oauth.baseUrl,
        fields: { username: user.username, password: user.secret },
        refreshToken: rt,
      })
      expect(r.ok).toBe(false)
      if (r.ok) return
      expect(r).toMatchObject({ code: 'PROVIDER_REJECTED', details: { refresh: 'refused' } })
      expect(r.message).toMatch(/invalid request/)
      expect(JSON.stringify(r)).not.toContain(rt)
      expect(JSON.stringify(r)).not.toContain(rt.slice(3))
    }
    // Through the vault: the refusal is logged (masked) and a login follows.
    sb.oauth.setFault({ kind: 'echo', encoding: 'raw' }, { route: 'refresh', times: 1 })
    clock.advance(5 * MIN)
    expect((await v.tokens.header(v.acc.id, { surface: 'cli' })).ok).toBe(true)
    const events = JSON.stringify(v.vault.events.list())
    expect(events).toMatch(/was refused \(invalid request: .*\[redacted\]/)
    expect(events).not.toContain(rt)
  })

  it('a lost refresh answer keeps the refresh token and says why; network trouble is not a refusal', async () => {
    const v = await oauthVault(true, 'oauth-lost')
    expect((await v.tokens.header(v.acc.id, { surface: 'cli' })).ok).toBe(true)
    const rt = v.heldRefresh()!
    const before = stats()
    sb.oauth.setFault({ kind: 'mint-then-hang' }, { route: 'refresh', times: 1 })
    clock.advance(5 * MIN)
    const h = await v.tokens.header(v.acc.id, { surface: 'cli' })
    expect(h.ok).toBe(false)
    if (h.ok) return
    expect(h.code).toBe('OUTCOME_UNKNOWN')
    expect(h.message).toMatch(/may have rotated its refresh token/)
    expect(h.message).not.toContain(rt)
    expect(since(before)).toEqual({ logins: 0, refreshes: 1 })
    // Kept: the server did rotate it, so the next try is refused as reused, then logs in.
    expect(v.heldRefresh()).toBe(rt)
    const next = await v.tokens.header(v.acc.id, { surface: 'cli' })
    expect(next.ok).toBe(true)
    expect(since(before)).toEqual({ logins: 1, refreshes: 2 })
    // A 503 is server trouble, not a refusal: the refresh token stays, no login is sent.
    const rt2 = v.heldRefresh()!
    sb.oauth.setFault({ kind: 'html', status: 503 }, { route: 'refresh', times: 1 })
    clock.advance(5 * MIN)
    const down = await v.tokens.header(v.acc.id, { surface: 'cli' })
    expect(down.ok ? 'ok' : down.code).toBe('SERVER_ERROR')
    expect(v.heldRefresh()).toBe(rt2)
    expect(since(before)).toEqual({ logins: 1, refreshes: 3 })
  })

  it('20 concurrent header calls on an expiring account: exactly one refresh', async () => {
    const v = await oauthVault(true, 'oauth-burst')
    expect((await v.tokens.header(v.acc.id, { surface: 'cli' })).ok).toBe(true)
    const before = stats()
    clock.advance(5 * MIN)
    const results = await Promise.all(
      Array.from({ length: 20 }, () => v.tokens.header(v.acc.id, { surface: 'agent' })),
    )
    expect(results.every((r) => r.ok)).toBe(true)
    expect(new Set(results.map((r) => (r.ok ? r.value.token : r.code))).size).toBe(1)
    expect(since(before)).toEqual({ logins: 0, refreshes: 1 })
  })

  it('a key rotation re-seals the refresh token: it still opens and refreshes', async () => {
    const v = await oauthVault(true, 'oauth-rekey')
    expect((await v.tokens.header(v.acc.id, { surface: 'cli' })).ok).toBe(true)
    const rt = v.heldRefresh()
    const oldKey = vaultKey(v)
    const r = await v.vault.rekey([passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT)], 'rotate')
    expect(r.ok).toBe(true)
    expect(vaultKey(v).equals(oldKey)).toBe(false)
    expect(v.heldRefresh()).toBe(rt)
    const before = stats()
    clock.advance(5 * MIN)
    expect((await v.tokens.header(v.acc.id, { surface: 'cli' })).ok).toBe(true)
    expect(since(before)).toEqual({ logins: 0, refreshes: 1 })
  })

  it('a refresh record moved to another account does not open: VAULT_TAMPERED, nothing sent', async () => {
    const v = await oauthVault(true, 'oauth-victim')
    const other = await v.add('oauth-attacker')
    expect((await v.tokens.header(v.acc.id, { surface: 'cli' })).ok).toBe(true)
    expect((await v.tokens.header(other.id, { surface: 'cli' })).ok).toBe(true)
    const key = vaultKey(v)
    rewriteSealed(v.dir, key, (d) => {
      const victim = d.tokens.find((t) => t.accountId === v.acc.id && t.refresh)!
      const mine = d.tokens.find((t) => t.accountId === other.id && t.refresh)!
      mine.refresh = victim.refresh
    })
    const before = stats()
    clock.advance(5 * MIN)
    const h = await v.tokens.header(other.id, { surface: 'cli' })
    expect(h.ok ? 'ok' : h.code).toBe('VAULT_TAMPERED')
    expect(since(before)).toEqual({ logins: 0, refreshes: 0 })
    // The victim's own record still opens and refreshes.
    expect((await v.tokens.header(v.acc.id, { surface: 'cli' })).ok).toBe(true)
    expect(since(before)).toEqual({ logins: 0, refreshes: 1 })
    expect(readSealed(v.dir, key).tokens.some((t) => t.refresh)).toBe(true)
  })
})
