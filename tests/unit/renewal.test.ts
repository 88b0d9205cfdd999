// Renewal that survives sleep (src/main/renewal.ts) over the real app core and the xpay sandbox
// (one-hour JWTs), on a manual wall clock with timers that only fire when the test says so (a
// monotonic timer pauses while the machine sleeps): a resume after sleeping past the renewal time
// renews exactly once; without a resume, a timer that fires late still renews (the check reads the
// wall clock); keep-ready off never renews; an account that cannot renew unattended is warned
// about once per token, at warnBeforeMinutes before expiry; `tokendeck status` shows that warning.
import { EventEmitter } from 'node:events'
import fs from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { INVOKE } from '../../src/shared/ipc/channels'
import { Renewal, renewalCorePort, MAX_SLEEP_MS } from '../../src/main/renewal'
import type { Notice } from '../../src/main/notifications'
import type { Timers } from '../../src/main/platform/timers'
import { DEMO_USERS, startXpaySandbox } from '../../src/main/sandbox'
import { startTestApp, type TestApp } from '../helpers/app'
import { CLI, runCli } from '../helpers/cli'
import { manualClock, newVault } from '../helpers/vault'

const xp = DEMO_USERS.xpay[0]!
const MIN = 60_000

/** Timers that never fire by themselves: `fire()` runs what is due as if the machine woke late. */
class ManualTimers implements Timers {
  pending = new Map<number, { fn: () => void; ms: number }>()
  private next = 1
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++
    this.pending.set(id, { fn, ms })
    return id
  }
  clearTimeout(h: unknown): void {
    this.pending.delete(h as number)
  }
  /** Fires every pending timer (however late it is by the wall clock). */
  fire(): void {
    const all = [...this.pending.values()]
    this.pending.clear()
    for (const t of all) t.fn()
  }
}

let app: TestApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

async function setup() {
  const clock = manualClock(Date.now())
  app = await startTestApp({ clock })
  const created = await app.handlers[INVOKE.vaultCreate]({ protection: 'os' })
  if (!created.ok) throw new Error(created.message)
  const add = async (label: string, remember: boolean) => {
    const r = await app!.core.actions.accounts.add(
      {
        label,
        providerId: 'xpay',
        baseUrl: app!.sandbox.xpay.baseUrl,
        fields: { username: xp.username, secretKey: xp.secret },
        remember,
      },
      'ui',
    )
    if (!r.ok) throw new Error(r.message)
    return r.value.account.id
  }
  const timers = new ManualTimers()
  const power = new EventEmitter()
  const notices: Notice[] = []
  const renewal = new Renewal({
    core: renewalCorePort(app.core),
    clock,
    timers,
    power,
    notifications: { show: (n) => notices.push(n) },
  })
  const logins = () => app!.sandbox.xpay.stats.loginRequests
  const current = (id: string) => {
    const a = app!.core.current.accounts.get(id)
    if (!a.ok) throw new Error(a.message)
    return a.value.current
  }
  return { app, clock, add, timers, power, notices, renewal, logins, current }
}

describe('keep a valid token ready', () => {
  it('sleeping past the renewal time: the resume event renews exactly once', async () => {
    const t = await setup()
    const id = await t.add('pay', true)
    expect((await t.app.core.actions.tokens.header(id, 'ui')).ok).toBe(true)
    const first = t.current(id)!
    expect((await t.app.core.actions.renewal.setKeepReady(id, true, 'ui')).ok).toBe(true)
    const before = t.logins()
    t.renewal.start()
    await t.renewal.idle()
    expect(t.logins()).toBe(before) // 60 min left, renewal 5 min before: not yet
    // A wake-up is scheduled, never more than MAX_SLEEP_MS away.
    expect([...t.timers.pending.values()].every((p) => p.ms <= MAX_SLEEP_MS)).toBe(true)

    t.clock.advance(57 * MIN) // the machine sleeps: no timer fires
    t.power.emit('resume')
    await t.renewal.idle()
    expect(t.logins() - before).toBe(1)
    const renewed = t.current(id)!
    expect(renewed.id).not.toBe(first.id)
    expect(renewed.surface).toBe('renewal')
    expect(renewed.expiresAt! - t.clock.now()).toBeGreaterThan(55 * MIN)

    // Further resumes, wake-ups and vault changes find the new token good: no more logins.
    t.power.emit('resume')
    t.timers.fire()
    await t.renewal.idle()
    expect(t.logins() - before).toBe(1)
    t.renewal.dispose()
  })

  it('without a resume event, a timer that fires late still renews (wall-clock check)', async () => {
    const t = await setup()
    const id = await t.add('pay', true)
    expect((await t.app.core.actions.tokens.header(id, 'ui')).ok).toBe(true)
    expect((await t.app.core.actions.renewal.setKeepReady(id, true, 'ui')).ok).toBe(true)
    t.renewal.start()
    await t.renewal.idle()
    const before = t.logins()
    t.clock.advance(56 * MIN) // the timer was due in at most a minute; it fires 56 min late
    t.timers.fire()
    await t.renewal.idle()
    expect(t.logins() - before).toBe(1)
    // After a sleep past the expiry itself, the token is renewed as well.
    t.clock.advance(3 * 60 * MIN)
    t.timers.fire()
    await t.renewal.idle()
    expect(t.logins() - before).toBe(2)
    expect(t.current(id)!.expiresAt! - t.clock.now()).toBeGreaterThan(55 * MIN)
    t.renewal.dispose()
  })

  it('keep-ready off (the default) never renews, asleep or awake', async () => {
    const t = await setup()
    const id = await t.add('pay', true)
    expect((await t.app.core.actions.tokens.header(id, 'ui')).ok).toBe(true)
    t.renewal.start()
    await t.renewal.idle()
    const before = t.logins()
    t.clock.advance(58 * MIN)
    t.power.emit('resume')
    t.timers.fire()
    await t.renewal.idle()
    t.clock.advance(2 * 60 * MIN)
    t.power.emit('resume')
    await t.renewal.idle()
    expect(t.logins()).toBe(before)
    expect(t.notices).toEqual([])
    // Turned on after the token expired: it renews at once.
    expect((await t.app.core.actions.renewal.setKeepReady(id, true, 'cli')).ok).toBe(true)
    await t.renewal.idle()
    expect(t.logins() - before).toBe(1)
    t.renewal.dispose()
  })

  it('an account that cannot renew is warned about once per token, warnBeforeMinutes before expiry', async () => {
    const t = await setup()
    const id = await t.add('manual', false) // logs in once with the typed secret; not remembered
    const token = t.current(id)!
    // keep-ready on changes nothing for it: it cannot log in unattended.
    expect((await t.app.core.actions.renewal.setKeepReady(id, true, 'ui')).ok).toBe(true)
    t.renewal.start()
    await t.renewal.idle()
    const before = t.logins()
    t.clock.set(token.expiresAt! - 16 * MIN) // 16 min left: the warning is at 15
    t.timers.fire()
    await t.renewal.idle()
    expect(t.notices).toEqual([])
    t.clock.set(token.expiresAt! - 14 * MIN)
    t.timers.fire()
    await t.renewal.idle()
    expect(t.notices).toHaveLength(1)
    expect(t.notices[0]!.title).toBe('manual: token expires in 14 min')
    expect(t.notices[0]!.body).toMatch(/does not remember its secret/)
    t.power.emit('resume')
    t.timers.fire()
    t.clock.advance(5 * MIN)
    t.timers.fire()
    await t.renewal.idle()
    expect(t.notices).toHaveLength(1) // once per token
    expect(t.logins()).toBe(before) // and it never logs in
    t.renewal.dispose()
  })
})

describe('tokendeck status shows the cannot-renew warning', { timeout: 60_000 }, () => {
  it('names the account whose token expires soon and whose secret is not remembered', async () => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npx electron-vite build`)
    const sb = await startXpaySandbox({ tokenTtlMs: 10 * MIN }) // inside the 15-minute warning
    try {
      const v = await newVault()
      for (const [label, remember] of [
        ['kept', true],
        ['typed', false],
      ] as const) {
        const r = await v.accounts.add({
          label,
          providerId: 'xpay',
          baseUrl: sb.baseUrl,
          fields: { username: xp.username, secretKey: xp.secret },
          remember,
        })
        if (!r.ok) throw new Error(r.message)
        const h = await v.tokens.header(r.value.id, {
          surface: 'cli',
          ...(remember ? {} : { secrets: { secretKey: xp.secret } }),
        })
        if (!h.ok) throw new Error(h.message)
      }
      const env = { TOKENDECK_AGENT: 'off' }
      const st = await runCli(['status'], v.dir, { env })
      expect(st.code).toBe(0)
      expect(st.stdout).toMatch(/Expires soon and cannot renew unattended/)
      expect(st.stdout).toMatch(/! typed: token expires in (9|10) m/)
      expect(st.stdout).not.toMatch(/! kept/)
      const json = await runCli(['status', '--json'], v.dir, { env })
      const parsed = JSON.parse(json.stdout) as { cannotRenew: { label: string }[] }
      expect(parsed.cannotRenew.map((w) => w.label)).toEqual(['typed'])
    } finally {
      await sb.close()
    }
  })
})
