import { expect, test } from './fixtures'
import { ManualClock } from './harness'
import { addAccount, createVault, lastToast, row } from './steps'

// Main, the sandbox and the page agree on the time: main and the sandbox share a manual clock,
// the page runs Playwright's clock, and the test moves both by the same amounts.
const T0 = Date.parse('2026-03-02T09:00:00.000Z')

test.use({ deckOptions: { clock: new ManualClock(T0) } })

test('the countdown moves and an xpay token expires', async ({ page, deck }) => {
  const clock = deck.clock!
  await page.clock.install({ time: T0 })
  await page.clock.pauseAt(T0 + 1000)
  clock.t = T0 + 1000
  const advance = async (ms: number) => {
    clock.advance(ms)
    await page.clock.fastForward(ms)
  }
  await deck.open()
  await createVault(page, deck)
  const xp = deck.demoUsers.xpay[0]!
  const tp = deck.demoUsers.tpstreams[0]!
  await addAccount(page, deck, {
    provider: 'xpay',
    label: 'xpay-dev',
    fields: { Email: xp.username, 'Secret key': xp.secret },
    baseUrl: deck.sandbox.xpay.baseUrl,
  })
  await addAccount(page, deck, {
    provider: 'tpstreams',
    label: 'acme-prod',
    fields: { Email: tp.username, Password: tp.secret, 'Organization id': 'acme' },
    baseUrl: deck.sandbox.tpstreams.baseUrl,
  })
  const countdown = row(page, 'xpay-dev').getByTestId('countdown')
  const state = row(page, 'xpay-dev').getByTestId('state')
  await expect(countdown).toHaveText('1 h')
  await row(page, 'xpay-dev').getByRole('button', { name: 'Copy header' }).click()
  await expect(lastToast(page)).toContainText('clears in 30 s')
  const first = deck.lastCopy().text.split(' ').at(-1)!

  await advance(30 * 60_000)
  await expect(countdown).toHaveText('30 m')
  await expect(state).toHaveText('active')
  await advance(26 * 60_000)
  await expect(countdown).toHaveText('4 m')
  await expect(state).toHaveText('expiring')
  await expect(countdown).toHaveAttribute('data-danger', 'true')
  await advance(3 * 60_000 + 30_000)
  await expect(countdown).toHaveText('30 s')
  await advance(5_000)
  await expect(countdown).toHaveText('25 s')
  await advance(25_000)
  await expect(countdown).toHaveText('expired')
  await expect(state).toHaveText('expired')
  await expect(row(page, 'acme-prod').getByTestId('countdown')).toHaveText('no expiry')
  expect(deck.sandbox.xpay.isTokenValid(first)).toBe(false)

  // Copying again logs in: a new token, a new hour.
  await row(page, 'xpay-dev').getByRole('button', { name: 'Copy header' }).click()
  await expect(lastToast(page)).toContainText('A new token was minted.')
  await expect(countdown).toHaveText('1 h')
  await expect(state).toHaveText('active')
  const second = deck.lastCopy().text.split(' ').at(-1)!
  expect(second).not.toBe(first)
  expect(deck.sandbox.xpay.isTokenValid(second)).toBe(true)
})
