// Refresh tokens in the window: an account of the OAuth sandbox (its profile imported like a
// user's) whose access token is about to expire is refreshed on the next copy, with no login;
// the row says "refreshable", the token details say until when, the activity log shows the
// refresh; no refresh token reaches the page. Screenshots: refresh-*.png.
import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from './fixtures'
import { ManualClock } from './harness'
import { addAccount, captureScreen, createVault, goTo, lastToast, row } from './steps'

const T0 = Date.parse('2026-03-02T09:00:00.000Z')
const PROFILE = fs.readFileSync(
  path.resolve(import.meta.dirname, '../fixtures/profiles/oauth-sandbox.json'),
  'utf8',
)

test.use({ deckOptions: { clock: new ManualClock(T0) } })

test('an expiring OAuth token is refreshed, not logged in, and shown as refreshable', async ({
  page,
  deck,
}) => {
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
  await deck.call('vault:providers-import', { text: PROFILE })
  const user = deck.demoUsers.oauth[0]!
  const oauth = deck.sandbox.oauth
  await addAccount(page, deck, {
    provider: 'oauth-sandbox',
    label: 'oauth-api',
    fields: { Username: user.username, Password: user.secret },
    baseUrl: oauth.baseUrl,
  })
  const r = row(page, 'oauth-api')
  await expect(r.getByTestId('countdown')).toHaveText('5 m')
  // A 5-minute token is not "expiring" at birth, nor half-way: only in its last fifth (1 m).
  await expect(r.getByTestId('state')).toHaveText('active')
  await expect(r.getByTestId('refreshable')).toHaveText('refreshable')
  expect(oauth.stats).toMatchObject({ loginRequests: 1, refreshRequests: 0 })
  deck.rememberTokens()

  await advance(150_000)
  await expect(r.getByTestId('countdown')).toHaveText('2 m')
  await expect(r.getByTestId('state')).toHaveText('active')

  // Within the renewal margin: the copy refreshes (one refresh request, no second login).
  await advance(2 * 60_000)
  await expect(r.getByTestId('countdown')).toHaveText('30 s')
  await expect(r.getByTestId('state')).toHaveText('expiring')
  await r.getByRole('button', { name: 'Copy header' }).click()
  await expect(lastToast(page)).toContainText('clears in 30 s')
  expect(oauth.stats).toMatchObject({ loginRequests: 1, refreshRequests: 1 })
  const token = deck.lastCopy().text.split(' ').at(-1)!
  expect(oauth.isTokenValid(token)).toBe(true)
  await expect(r.getByTestId('countdown')).toHaveText('5 m')
  await expect(r.getByTestId('state')).toHaveText('active')
  await expect(r.getByTestId('refreshable')).toHaveText('refreshable')
  deck.rememberTokens()
  // The accessibility scan waits on timers: let the page's clock run from here (seconds only).
  await page.clock.resume()
  await captureScreen(page, 'refresh-accounts')

  await r.getByRole('button', { name: /^oauth-api .*show token details$/ }).click()
  const drawer = page.getByRole('dialog', { name: 'oauth-api' })
  // The refresh token's hour starts at the refresh (09:04:31 UTC), not at the first login.
  await expect(drawer.getByTestId('refreshable')).toHaveText(
    /^refreshable until .*10:04:3\d.*: renewed without a login$/,
  )
  await expect(drawer.getByTestId('drawer-events')).toContainText(
    'Refreshed the token of "oauth-api" with its refresh token, no login sent',
  )
  await captureScreen(page, 'refresh-drawer')
  await page.keyboard.press('Escape')

  await goTo(page, 'Activity')
  await page.getByLabel('Type').selectOption('refresh')
  const events = page.getByTestId('events')
  await expect(events.locator('tbody tr')).toHaveCount(1)
  await expect(events).toContainText('(the server rotated its refresh token)')
  await captureScreen(page, 'refresh-activity')
})
