// Caps that evict (profile `cap.onExceed: "evictOldest"`), over the real core and the TPStreams
// sandbox in evict mode (a login at the cap mints and deletes the organization's oldest token):
// without a confirmation nothing is sent and the failure names the token that would go; with it,
// exactly one login, the oldest token is marked evicted (the server no longer accepts it) and the
// cap meter counts right. The real CLI (out/main/cli.js) says the same and takes --yes.
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTpstreamsSandbox, type TpstreamsSandbox } from '../../src/main/sandbox'
import { tokenSecretId } from '../../src/main/vault/storage/bindings'
import { actionFixture, type ActionFixture } from '../helpers/actions'
import { CLI, runCli } from '../helpers/cli'
import { manualClock } from '../helpers/vault'
import { EVICT_CAP, EVICT_USER, EVICTING_PROFILE } from '../helpers/evicting'

const CAP = EVICT_CAP
const ORG = 'evict-org'
const USER = EVICT_USER

let sb: TpstreamsSandbox
beforeAll(async () => {
  sb = await startTpstreamsSandbox({ cap: CAP, onExceed: 'evict', users: [USER] })
})
afterAll(() => sb.close())

const clock = manualClock(Date.now())

/** The imported profile, four accounts in one organization, and A, B, C minted in that order. */
async function atTheCap(): Promise<ActionFixture & { ids: Record<string, string> }> {
  const f = await actionFixture({ clock })
  const imported = await f.actions.providers.import(JSON.stringify(EVICTING_PROFILE))
  if (!imported.ok) throw new Error(imported.message)
  const ids: Record<string, string> = {}
  for (const label of ['A', 'B', 'C', 'D']) {
    const r = await f.services.accounts.add({
      label,
      providerId: EVICTING_PROFILE.id,
      baseUrl: sb.baseUrl,
      fields: { username: USER.username, password: USER.secret, organization_id: ORG },
      remember: true,
    })
    if (!r.ok) throw new Error(r.message)
    ids[label] = r.value.id
  }
  for (const label of ['A', 'B', 'C']) {
    clock.advance(1000)
    const h = await f.actions.tokens.header(ids[label]!, 'cli')
    if (!h.ok) throw new Error(h.message)
  }
  clock.advance(1000)
  return { ...f, ids }
}

function capOf(f: ActionFixture) {
  const orgs = f.services.accounts.organizations()
  if (!orgs.ok) throw new Error(orgs.message)
  return orgs.value.find((o) => o.organizationId === ORG)?.cap
}

/** The token the vault holds for a token id (to ask the sandbox whether it still works). */
function secretOf(f: ActionFixture, tokenId: string): string {
  const d = f.services.vault.readUnlocked()
  if (!d.ok) throw new Error(d.message)
  const t = d.value.tokens.find((x) => x.id === tokenId)!
  const acc = d.value.accounts.find((a) => a.id === t.accountId)!
  const s = f.services.vault.storage.openSecret(tokenSecretId(t.id), acc, t.secret!)
  if (!s.ok) throw new Error(s.message)
  return s.value
}

function currentTokenId(f: ActionFixture, accountId: string): string {
  const a = f.services.accounts.get(accountId)
  if (!a.ok || !a.value.current) throw new Error('no current token')
  return a.value.current.id
}

describe('an evict-oldest cap, through the core', () => {
  it('at the cap, a header without confirmation names the oldest token and sends no login', async () => {
    const f = await atTheCap()
    const oldest = currentTokenId(f, f.ids.A!)
    expect(capOf(f)).toMatchObject({ used: CAP, max: CAP })
    const before = sb.stats.loginRequests
    const r = await f.actions.tokens.header(f.ids.D!, 'cli')
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.code).toBe('EVICTION_NEEDS_CONFIRMATION')
    expect(r.details).toMatchObject({ evictedAccount: 'A', evictedTokenId: oldest, used: 3 })
    expect(r.message).toContain('"A"')
    expect(sb.stats.loginRequests).toBe(before)
    // Nothing changed: A's token still works and counts, no pending record was left behind.
    expect(sb.isTokenValid(secretOf(f, oldest))).toBe(true)
    expect(capOf(f)).toMatchObject({ used: CAP, uncertain: 0 })
    // login (the other minting action) asks the same way.
    const l = await f.actions.tokens.login(f.ids.D!, {}, 'ui')
    expect(!l.ok && l.code).toBe('EVICTION_NEEDS_CONFIRMATION')
    expect(sb.stats.loginRequests).toBe(before)
  })

  it('with confirmation: one login, the oldest is marked evicted and the server refuses it', async () => {
    const f = await atTheCap()
    const oldest = currentTokenId(f, f.ids.A!)
    const oldestSecret = secretOf(f, oldest)
    const before = sb.stats.loginRequests
    const r = await f.actions.tokens.header(f.ids.D!, 'cli', undefined, { confirmEviction: true })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(sb.stats.loginRequests - before).toBe(1)
    expect(r.value.evicted).toEqual({ label: 'A', tokenId: oldest })
    expect(sb.isTokenValid(r.value.token)).toBe(true)
    expect(sb.isTokenValid(oldestSecret)).toBe(false)
    const a = f.services.accounts.get(f.ids.A!)
    expect(a.ok && a.value.current).toBe(null)
    expect(a.ok && a.value.tokens[0]).toMatchObject({ id: oldest, state: 'evicted', held: false })
    expect(a.ok && a.value.tokens[0]?.note).toMatch(/Evicted by the server.*"D"/)
    // Still 3 of 3: B, C and D; A's evicted token no longer counts.
    expect(capOf(f)).toMatchObject({ used: CAP, active: CAP, uncertain: 0 })
    expect(sb.liveTokenCount(ORG)).toBe(CAP)
    const events = f.services.vault.events.list()
    expect(events.some((e) => e.type === 'revoke' && /evicted/.test(e.message))).toBe(true)
    // The next one past the cap names B now.
    const next = await f.actions.tokens.login(f.ids.A!, {}, 'ui')
    expect(!next.ok && next.details?.evictedAccount).toBe('B')
  })

  it('the copy action (window and tray) asks too, and the confirmed copy reports the eviction', async () => {
    const f = await atTheCap()
    const before = sb.stats.loginRequests
    const c = await f.actions.tokens.copyHeader(f.ids.D!, 'tray')
    expect(!c.ok && c.code).toBe('EVICTION_NEEDS_CONFIRMATION')
    expect(f.copier.copies).toHaveLength(0)
    const ok = await f.actions.tokens.copyHeader(f.ids.D!, 'ui', undefined, {
      confirmEviction: true,
    })
    expect(ok.ok && ok.value.evicted?.label).toBe('A')
    expect(sb.stats.loginRequests - before).toBe(1)
  })
})

describe('an evict-oldest cap, through the real CLI', { timeout: 90_000 }, () => {
  beforeAll(() => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npx electron-vite build`)
  })

  it('header without --yes exits 4 naming the account; with --yes it mints and says who was evicted', async () => {
    const f = await atTheCap()
    const oldest = currentTokenId(f, f.ids.A!)
    const env = { TOKENDECK_AGENT: 'off' }
    const before = sb.stats.loginRequests
    const refused = await runCli(['header', 'D'], f.services.dir, { env })
    expect(refused.code).toBe(4)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toMatch(/token of "A"/)
    expect(refused.stderr).toMatch(/--yes/)
    expect(sb.stats.loginRequests).toBe(before)

    const json = await runCli(['login', 'D', '--json'], f.services.dir, { env })
    expect(json.code).toBe(4)
    expect(JSON.parse(json.stdout || json.stderr)).toMatchObject({
      error: { code: 'EVICTION_NEEDS_CONFIRMATION', message: expect.stringContaining('"A"') },
    })
    expect(sb.stats.loginRequests).toBe(before)

    const yes = await runCli(['header', 'D', '--yes'], f.services.dir, { env })
    expect(yes.code).toBe(0)
    expect(yes.stdout).toMatch(/^Authorization: Token [0-9a-f]{40}\n$/)
    expect(yes.stderr).toMatch(/evicted the token of A/)
    expect(sb.stats.loginRequests - before).toBe(1)

    const status = await runCli(['status', 'A'], f.services.dir, { env })
    expect(status.stdout).toMatch(new RegExp(`${oldest.slice(0, 8)}\\s+evicted`))
  })

  it('through the agent: the same question, and --yes goes ahead (no passphrase needed)', async () => {
    const f = await atTheCap()
    const dir = f.services.dir
    const started = await runCli(['agent', 'start', '--idle-timeout', '5'], dir)
    expect(started.code).toBe(0)
    const env = { TOKENDECK_PASSPHRASE: undefined }
    try {
      const before = sb.stats.loginRequests
      const refused = await runCli(['login', 'D'], dir, { env })
      expect(refused.code).toBe(4)
      expect(refused.stderr).toMatch(/token of "A"/)
      expect(sb.stats.loginRequests).toBe(before)
      const yes = await runCli(['login', 'D', '--yes'], dir, { env })
      expect(yes.code).toBe(0)
      expect(yes.stdout).toMatch(/^D: logged in/)
      expect(yes.stderr).toMatch(/evicted the token of A/)
      expect(sb.stats.loginRequests - before).toBe(1)
    } finally {
      await runCli(['agent', 'stop'], dir)
    }
  })
})
