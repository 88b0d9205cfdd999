// Accounts in the window against the sandbox providers: add one per provider, copy headers the
// servers accept, token details, keyboard use; log in again, revoke (and forget, where the provider
// has no revoke endpoint), a secret asked for, revoke then remove.
import { expect, test } from './fixtures'
import { addAccount, captureScreen, createVault, lastToast, menu, row } from './steps'

const header = (copied: string) => copied.slice(copied.indexOf(': ') + 2)

test('add an account on each provider, copy headers the sandbox accepts, see details', async ({
  page,
  deck,
}) => {
  await deck.open()
  await createVault(page, deck)
  const tp = deck.demoUsers.tpstreams[0]!
  const xp = deck.demoUsers.xpay[0]!
  const cl = deck.demoUsers.classic[1]!
  const { tpstreams, xpay, classic } = deck.sandbox

  await addAccount(page, deck, {
    provider: 'tpstreams',
    label: 'acme-prod',
    fields: { Email: tp.username, Password: tp.secret, 'Organization id': 'acme' },
    baseUrl: tpstreams.baseUrl,
  })
  await addAccount(page, deck, {
    provider: 'xpay',
    label: 'xpay-dev',
    fields: { Email: xp.username, 'Secret key': xp.secret },
    baseUrl: xpay.baseUrl,
  })
  await addAccount(page, deck, {
    provider: 'classic',
    label: 'classic-demo',
    fields: { Username: cl.username, Password: cl.secret },
    baseUrl: classic.baseUrl,
    remember: false,
  })

  // Each row: state chip, countdown, and the organization's cap meter.
  await expect(row(page, 'acme-prod').getByTestId('state')).toHaveText('active')
  await expect(row(page, 'acme-prod').getByTestId('countdown')).toHaveText('no expiry')
  await expect(row(page, 'xpay-dev').getByTestId('countdown')).toHaveText(/^(1 h|59 m)$/)
  await expect(row(page, 'classic-demo').getByTestId('countdown')).toHaveText(/^(1 d|23 h 59 m)$/)
  await expect(page.locator('[data-org="acme"] [data-testid="cap"]')).toHaveText('1/20 tokens')

  // Copy header: main copies; the page learns only that it did and when it clears.
  await row(page, 'acme-prod').getByRole('button', { name: 'Copy header' }).click()
  await expect(lastToast(page)).toContainText('The clipboard clears in 30 s.')
  const tpCopy = deck.lastCopy()
  expect(tpCopy.text).toMatch(/^Authorization: Token [0-9a-f]{40}$/)
  expect(tpCopy.clearAfterSeconds).toBe(30)
  const assets = await fetch(`${tpstreams.baseUrl}/api/v1/acme/assets/`, {
    headers: { Authorization: header(tpCopy.text) },
  })
  expect(assets.status).toBe(200)

  await row(page, 'xpay-dev').getByRole('button', { name: 'Copy header' }).click()
  await expect(lastToast(page)).toContainText('Copied the Authorization header of xpay-dev')
  expect(deck.lastCopy().text).toMatch(/^Authorization: Bearer ey/)
  const profile = await fetch(`${xpay.baseUrl}/client/profile`, {
    headers: { Authorization: header(deck.lastCopy().text) },
  })
  expect(profile.status).toBe(200)

  await row(page, 'classic-demo').getByRole('button', { name: 'Copy header' }).click()
  await expect(lastToast(page)).toContainText('classic-demo')
  const me = await fetch(`${classic.baseUrl}/api/me`, {
    headers: { Authorization: header(deck.lastCopy().text) },
  })
  expect(await me.json()).toEqual({ username: cl.username })

  // Token details: dates, scheme, scopes, the surface, the account's events. The ticket is a
  // secret metadata entry of xpay's profile: encrypted in the vault, never shown.
  await row(page, 'xpay-dev')
    .getByRole('button', { name: /^xpay-dev .*show token details$/ })
    .click()
  const drawer = page.getByRole('dialog', { name: 'xpay-dev' })
  await expect(drawer.getByTestId('token-facts')).toContainText('tme_user')
  await expect(drawer.getByTestId('token-facts')).not.toContainText('Ticket')
  await expect(drawer.getByTestId('token-facts')).toContainText('Authorization: Bearer ••••••••')
  await expect(drawer.getByTestId('token-facts')).toContainText('this window')
  await expect(drawer.getByTestId('drawer-events')).toContainText('Copied the header of "xpay-dev"')
  await page.keyboard.press('Escape')
  await expect(drawer).toBeHidden()

  // Keyboard: "/" searches, arrows select, Enter copies.
  await page.locator('body').press('/')
  await expect(page.getByRole('searchbox', { name: 'Search accounts' })).toBeFocused()
  await page.keyboard.type('prod')
  await expect(page.locator('[data-account]')).toHaveCount(1)
  const before = deck.copies().length
  await page.keyboard.press('ArrowDown')
  await expect(row(page, 'acme-prod')).toHaveAttribute('aria-current', 'true')
  await page.keyboard.press('Enter')
  await expect.poll(() => deck.copies().length).toBe(before + 1)
  expect(deck.lastCopy().text).toBe(tpCopy.text)
  await page.keyboard.press('Escape')
  await expect(page.locator('[data-account]')).toHaveCount(3)

  // xpay has no revoke endpoint: the token is forgotten here. The words say how long it stays
  // valid on the server (no clock time); the details give its expiry in the window's format.
  await menu(page, 'xpay-dev', 'Revoke token')
  await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke', exact: true }).click()
  await expect(lastToast(page)).toContainText(
    /stays valid on the server until it expires, (59 m|1 h) after it was forgotten\.$/,
  )
  await row(page, 'xpay-dev')
    .getByRole('button', { name: /^xpay-dev .*show token details$/ })
    .click()
  const earlier = page.getByRole('dialog', { name: 'xpay-dev' }).getByRole('listitem').first()
  await expect(earlier).toContainText(/^forgotten issued .*, ended .*, valid on its server until /)
  await expect(earlier).toContainText('after it was forgotten.')
  await expect(earlier).not.toContainText(/\d{4}-\d\d-\d\dT/)
  await captureScreen(page, 'forgotten-drawer')
})

test('log in again, revoke, ask for a forgotten secret, revoke then remove', async ({
  page,
  deck,
}) => {
  await deck.open()
  await createVault(page, deck)
  const tp = deck.demoUsers.tpstreams[0]!
  const cl = deck.demoUsers.classic[1]!
  const { tpstreams, classic } = deck.sandbox
  await addAccount(page, deck, {
    provider: 'tpstreams',
    label: 'acme-prod',
    fields: { Email: tp.username, Password: tp.secret, 'Organization id': 'acme' },
    baseUrl: tpstreams.baseUrl,
  })
  await row(page, 'acme-prod').getByRole('button', { name: 'Copy header' }).click()
  await expect(lastToast(page)).toContainText('clears in 30 s')
  const first = header(deck.lastCopy().text).split(' ')[1]!

  // Log in again: with a token cap, the replaced token is revoked (the meter stays at 1).
  await menu(page, 'acme-prod', 'Log in again')
  await expect(lastToast(page)).toContainText('Logged in again as acme-prod')
  expect(tpstreams.isTokenValid(first)).toBe(false)
  await expect(page.locator('[data-org="acme"] [data-testid="cap"]')).toHaveText('1/20 tokens')

  // Revoke, with confirmation.
  deck.rememberTokens()
  await menu(page, 'acme-prod', 'Revoke token')
  await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke', exact: true }).click()
  await expect(lastToast(page)).toContainText('Revoked 1 token.')
  await expect(row(page, 'acme-prod').getByTestId('state')).toHaveText('no token')
  await expect(page.locator('[data-org="acme"] [data-testid="cap"]')).toHaveText('0/20 tokens')
  expect(tpstreams.liveTokenCount('acme')).toBe(0)

  // An account that does not remember its password: copying asks for it (NO_SECRET).
  await addAccount(page, deck, {
    provider: 'classic',
    label: 'classic-demo',
    fields: { Username: cl.username, Password: cl.secret },
    baseUrl: classic.baseUrl,
    remember: false,
  })
  deck.rememberTokens()
  await menu(page, 'classic-demo', 'Revoke all tokens')
  await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke all' }).click()
  await expect(row(page, 'classic-demo').getByTestId('state')).toHaveText('no token')
  await row(page, 'classic-demo').getByRole('button', { name: 'Copy header' }).click()
  const prompt = page.getByRole('dialog', { name: 'Log in to classic-demo' })
  await expect(prompt).toContainText('does not remember its password')
  await prompt.getByLabel('Password').fill(deck.secret('wrong password'))
  await prompt.getByRole('button', { name: 'Log in and copy' }).click()
  await expect(prompt.getByRole('alert')).toContainText(
    'Please enter a correct username and password.',
  )
  await prompt.getByLabel('Password').fill(cl.secret)
  await prompt.getByRole('button', { name: 'Log in and copy' }).click()
  await expect(prompt).toBeHidden()
  await expect(lastToast(page)).toContainText('A new token was minted.')
  const me = await fetch(`${classic.baseUrl}/api/me`, {
    headers: { Authorization: header(deck.lastCopy().text) },
  })
  expect(me.status).toBe(200)

  // Remove an account with a live token: "revoke, then remove".
  deck.rememberTokens()
  await menu(page, 'classic-demo', 'Remove')
  const confirm = page.getByRole('alertdialog', { name: 'Remove classic-demo?' })
  await expect(confirm).toContainText('It still has 1 live token.')
  await confirm.getByRole('button', { name: 'Revoke, then remove' }).click()
  await expect(row(page, 'classic-demo')).toHaveCount(0)
  expect(classic.liveTokenCount()).toBe(0)
})
