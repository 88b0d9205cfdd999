// Token health and login cooldowns in the window, against the sandbox: "Check now" (offered only
// for a profile that declares a probe) finds a token revoked on the server behind TokenDeck's back
// and marks it rejected (the row, the drawer and the next copy, which mints exactly one new token);
// a 429 with Retry-After puts the account's login endpoint in a cooldown that the row and the
// drawer show, that refuses the next login locally, and that is one toast, not one per refusal.
import { probingTpstreams } from '../helpers/health-profiles'
import { expect, test } from './fixtures'
import { addAccount, captureScreen, createVault, lastToast, menu, row } from './steps'

test('"Check now" marks a token the server refused as rejected', async ({ page, deck }) => {
  await deck.open()
  await createVault(page, deck)
  await deck.call('vault:providers-import', { text: probingTpstreams() })
  const tp = deck.demoUsers.tpstreams[0]!
  const { tpstreams } = deck.sandbox
  await addAccount(page, deck, {
    provider: 'tp-probe',
    label: 'acme-prod',
    fields: { Email: tp.username, Password: tp.secret, 'Organization id': 'acme' },
    baseUrl: tpstreams.baseUrl,
  })
  await expect(row(page, 'acme-prod').getByTestId('state')).toHaveText('active')
  // "TPStreams (probed)": its badge is made of letters only.
  await expect(row(page, 'acme-prod').getByTestId('provider-badge')).toHaveText('TP')

  const drawerButton = row(page, 'acme-prod').getByRole('button', {
    name: /^acme-prod .*show token details$/,
  })
  await drawerButton.click()
  const drawer = page.getByRole('dialog', { name: 'acme-prod' })
  await drawer.getByTestId('check-now').click()
  await expect(drawer.getByTestId('check-result')).toContainText('token good')

  // The server revokes the token; TokenDeck does not know yet.
  deck.rememberTokens()
  const id = deck.app.core.current.accounts.get('acme-prod')
  if (!id.ok) throw new Error(id.message)
  const held = await deck.app.core.current.tokens.header(id.value.id, { surface: 'cli' })
  if (!held.ok) throw new Error(held.message)
  expect(tpstreams.revokeToken(held.value.token)).toBe(true)

  await drawer.getByTestId('check-now').click()
  await expect(drawer.getByTestId('check-result')).toContainText('refused: marked rejected')
  await expect(drawer.getByTestId('check-result')).toContainText('HTTP 401')
  await expect(drawer.getByText('No live token.')).toBeVisible()
  await expect(
    drawer.getByText(/^Refused by its server: its probe answered HTTP 401 \(reported through ui\)/),
  ).toBeVisible()
  await captureScreen(page, 'rejected-drawer')
  await drawer.getByRole('button', { name: 'Close details' }).click()
  await expect(drawer).toBeHidden()
  await expect(row(page, 'acme-prod').getByTestId('state')).toHaveText('rejected')
  await captureScreen(page, 'rejected')

  // The next copy mints exactly one new token, which the server accepts.
  const logins = tpstreams.stats.loginRequests
  await row(page, 'acme-prod').getByRole('button', { name: 'Copy header' }).click()
  await expect(lastToast(page)).toContainText('acme-prod')
  expect(tpstreams.stats.loginRequests - logins).toBe(1)
  await expect(row(page, 'acme-prod').getByTestId('state')).toHaveText('active')
})

test('a 429 with Retry-After puts the login in a cooldown, shown and enforced', async ({
  page,
  deck,
}) => {
  await deck.open()
  await createVault(page, deck)
  const tp = deck.demoUsers.tpstreams[0]!
  const { tpstreams } = deck.sandbox
  await addAccount(page, deck, {
    provider: 'tpstreams',
    label: 'acme-prod',
    fields: { Email: tp.username, Password: tp.secret, 'Organization id': 'acme' },
    baseUrl: tpstreams.baseUrl,
  })
  const acme = deck.app.core.current.accounts.get('acme-prod')
  if (!acme.ok) throw new Error(acme.message)
  deck.rememberTokens()
  await deck.call('vault:tokens-revoke', { accountId: acme.value.id })
  await expect(row(page, 'acme-prod').getByTestId('state')).toHaveText('no token')

  tpstreams.setFault({ kind: 'rate-limit', retryAfter: '600' }, { route: 'login', times: 1 })
  await menu(page, 'acme-prod', 'Log in again')
  const toasts = page.getByTestId('toast')
  await expect(lastToast(page)).toContainText('Logins to this server are paused.')
  await expect(lastToast(page)).toContainText(
    /TokenDeck sends no login to this server for the next (9|10) m\.$/,
  )
  const state = row(page, 'acme-prod').getByTestId('state')
  await expect(state).toHaveText('cooldown')
  await expect(row(page, 'acme-prod')).toContainText(/next login in (9|10) m/)

  // Refused here: nothing reaches the server.
  const logins = tpstreams.stats.loginRequests
  await row(page, 'acme-prod').getByRole('button', { name: 'Copy header' }).click()
  await expect(lastToast(page)).toContainText(
    /No login was sent for "acme-prod": .* The next login is allowed in (9|10) m\.$/,
  )
  expect(tpstreams.stats.loginRequests).toBe(logins)
  // One cooldown, one toast: the refusal replaced the 429's toast instead of stacking under it.
  await expect(toasts.filter({ hasText: 'Logins to this server are paused.' })).toHaveCount(1)
  // No clock time in the words: the drawer gives the exact time, in the window's format.
  await expect(toasts.filter({ hasText: /\d{4}-\d\d-\d\dT/ })).toHaveCount(0)
  await captureScreen(page, 'cooldown', { keepToasts: true })

  await row(page, 'acme-prod')
    .getByRole('button', { name: /^acme-prod .*show token details$/ })
    .click()
  const drawer = page.getByRole('dialog', { name: 'acme-prod' })
  await expect(drawer.getByTestId('login-cooldown')).toContainText('Logins are paused until')
  await expect(drawer.getByTestId('login-cooldown')).not.toContainText(/\d{4}-\d\d-\d\dT/)
  // The built-in TPStreams profile declares no probe: nothing to check with.
  await expect(drawer.getByTestId('check-now')).toHaveCount(0)
  await captureScreen(page, 'cooldown-drawer')
})
