// Renewal that survives sleep, in the window: an xpay account (one-hour tokens) with "Keep a valid
// token ready" turned on in its details; the machine "sleeps" 57 minutes (main, the sandbox and
// the page move their clocks; no timer fires), and the resume event renews the token once: the
// row counts down from an hour again and the details say the renewal minted it. An account that
// does not remember its secret is warned about (a notification) instead, once.
import { EventEmitter } from 'node:events'
import { expect, test } from './fixtures'
import { ManualClock, loadMain } from './harness'
import { addAccount, captureScreen, createVault, lastToast, row } from './steps'

const T0 = Date.parse('2026-03-02T09:00:00.000Z')
const MIN = 60_000

test.use({ deckOptions: { clock: new ManualClock(T0) } })

test('keep-ready renews once when the machine resumes after sleeping past the renewal time', async ({
  page,
  deck,
}) => {
  const clock = deck.clock!
  await page.clock.install({ time: T0 })
  await page.clock.pauseAt(T0 + 1000)
  clock.t = T0 + 1000
  const sleep = async (ms: number) => {
    clock.advance(ms)
    await page.clock.fastForward(ms)
  }
  await deck.open()
  await createVault(page, deck)
  const xp = deck.demoUsers.xpay[0]!
  const fields = { Email: xp.username, 'Secret key': xp.secret }
  const baseUrl = deck.sandbox.xpay.baseUrl
  await addAccount(page, deck, { provider: 'xpay', label: 'payments', fields, baseUrl })
  await addAccount(page, deck, {
    provider: 'xpay',
    label: 'typed-key',
    fields,
    baseUrl,
    remember: false,
  })

  // The app's renewal, with timers that only fire when told and a resume event the test sends.
  const { Renewal, renewalCorePort } = await loadMain()
  const power = new EventEmitter()
  const notices: { title: string; body: string }[] = []
  const renewal = new Renewal({
    core: renewalCorePort(deck.app.core),
    clock,
    timers: { setTimeout: () => 0, clearTimeout: () => {} },
    power,
    notifications: { show: (n) => notices.push(n) },
  })
  renewal.start()
  try {
    await row(page, 'payments')
      .getByRole('button', { name: /^payments .*show token details$/ })
      .click()
    const drawer = page.getByRole('dialog', { name: 'payments' })
    await drawer.getByRole('checkbox', { name: 'Keep a valid token ready' }).click()
    await expect(lastToast(page)).toContainText('payments keeps a valid token ready')
    await drawer.getByRole('button', { name: 'Close details' }).click()
    await expect(drawer).toBeHidden()
    await renewal.idle()

    const countdown = row(page, 'payments').getByTestId('countdown')
    await expect(countdown).toHaveText('1 h')
    const logins = deck.sandbox.xpay.stats.loginRequests
    deck.rememberTokens()
    await sleep(57 * MIN) // asleep: no timer fires, so nothing renews yet
    await expect(countdown).toHaveText('3 m')
    expect(deck.sandbox.xpay.stats.loginRequests).toBe(logins)

    power.emit('resume')
    await renewal.idle()
    expect(deck.sandbox.xpay.stats.loginRequests - logins).toBe(1)
    await expect(countdown).toHaveText('1 h')
    await expect(row(page, 'payments').getByTestId('state')).toHaveText('active')
    // typed-key cannot renew unattended: warned once, not logged in.
    expect(notices.map((n) => n.title)).toEqual(['typed-key: token expires in 3 min'])
    await expect(row(page, 'typed-key').getByTestId('state')).toHaveText('expiring')

    power.emit('resume')
    await renewal.idle()
    expect(deck.sandbox.xpay.stats.loginRequests - logins).toBe(1)
    expect(notices).toHaveLength(1)

    await row(page, 'payments')
      .getByRole('button', { name: /^payments .*show token details$/ })
      .click()
    await expect(drawer).toContainText('renewal (keep ready)')
    await expect(drawer).toContainText('Renewed the token of "payments" before it expires')
    await expect(drawer.getByRole('checkbox', { name: 'Keep a valid token ready' })).toBeChecked()
    // axe needs the page's timers running.
    await page.clock.resume()
    await captureScreen(page, 'renewed-after-sleep')
  } finally {
    renewal.dispose()
  }
})
