import { expect, test } from './fixtures'
import { addAccount, createVault, goTo, lastToast, menu, row } from './steps'
import { BASE_WAITS, scaled } from './machine-scale'

test('TPStreams cap meter fills to 20 / 20; the refusal; revoke oldest and revoke all', async ({
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

  // Keep old tokens when logging in again, so each login takes another slot.
  await goTo(page, 'Settings')
  await page.getByLabel('Old token when logging in again').selectOption('off')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(lastToast(page)).toContainText('Settings saved')
  await goTo(page, 'Accounts')

  const cap = page.locator('[data-org="acme"] [data-testid="cap"]')
  const accountId = deck.app.core.current.accounts.get('acme-prod')
  if (!accountId.ok) throw new Error(accountId.message)
  const loginAgain = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await deck.call('vault:tokens-login', { accountId: accountId.value.id, force: true })
    }
  }
  await loginAgain(14)
  await expect(cap).toHaveText('15/20 tokens')
  await expect(cap).not.toHaveAttribute('data-level')
  await loginAgain(1)
  await expect(cap).toHaveText('16/20 tokens')
  await expect(cap).toHaveAttribute('data-level', 'warn')
  await loginAgain(4)
  await expect(cap).toHaveText('20/20 tokens, cap reached')
  await expect(cap).toHaveAttribute('data-level', 'full')
  expect(tpstreams.liveTokenCount('acme')).toBe(20)

  // A 21st login is refused before asking the server.
  const logins = tpstreams.stats.loginRequests
  await menu(page, 'acme-prod', 'Log in again')
  await expect(lastToast(page)).toContainText('The token limit is reached.')
  await expect(lastToast(page)).toContainText('Organization "acme" has 20 of 20 tokens in use')
  expect(tpstreams.stats.loginRequests).toBe(logins)

  deck.rememberTokens()
  await page.getByRole('button', { name: 'Revoke oldest' }).click()
  await expect(cap).toHaveText('19/20 tokens')
  expect(tpstreams.liveTokenCount('acme')).toBe(19)
  await expect(page.getByRole('button', { name: 'Revoke oldest' })).toHaveCount(0)

  await menu(page, 'acme-prod', 'Log in again')
  await expect(cap).toHaveText('20/20 tokens, cap reached')
  deck.rememberTokens()
  await page.getByRole('button', { name: 'Revoke all', exact: true }).click()
  const confirm = page.getByRole('alertdialog', { name: 'Revoke every token in acme?' })
  await confirm.getByRole('button', { name: 'Revoke all' }).click()
  await expect(cap).toHaveText('0/20 tokens')
  await expect(row(page, 'acme-prod').getByTestId('state')).toHaveText('no token')
  expect(tpstreams.liveTokenCount('acme')).toBe(0)
})

test('a login whose answer was lost counts as uncertain until dismissed', async ({
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
  const cap = page.locator('[data-org="acme"] [data-testid="cap"]')
  await expect(cap).toHaveText('1/20 tokens')

  // The server mints, then the connection drops before the answer arrives.
  tpstreams.setFault({ kind: 'mint-then-hang' }, { route: 'login', times: 1 })
  await menu(page, 'acme-prod', 'Log in again')
  // The answer comes after the test app's 3 s HTTP deadline (tests/helpers/app.ts), then the usual wait.
  await expect(lastToast(page)).toContainText('The answer was lost', {
    timeout: 3_000 + scaled(BASE_WAITS.expect),
  })
  // The current token still serves; the uncertain one is a note beside it (as in the tray, CLI).
  await expect(row(page, 'acme-prod').getByTestId('state')).toHaveText('active')
  await expect(row(page, 'acme-prod').getByTestId('state-note')).toHaveText('1 uncertain')
  await expect(cap).toHaveText('2/20 tokens, 1 uncertain')

  await row(page, 'acme-prod')
    .getByRole('button', { name: /^acme-prod .*show token details$/ })
    .click()
  const drawer = page.getByRole('dialog', { name: 'acme-prod' })
  await expect(drawer).toContainText('An uncertain token')
  await expect(drawer).toContainText('counts toward the provider’s token limit')
  await drawer.getByRole('button', { name: 'I checked the server: dismiss' }).click()
  await expect(drawer).not.toContainText('An uncertain token')
  await page.keyboard.press('Escape')
  await expect(row(page, 'acme-prod').getByTestId('state')).toHaveText('active')
  await expect(row(page, 'acme-prod').getByTestId('state-note')).toHaveCount(0)
  await expect(cap).toHaveText('1/20 tokens')
})

test('adding an account whose first login lost its answer keeps it, counted as uncertain', async ({
  page,
  deck,
}) => {
  await deck.open()
  await createVault(page, deck)
  const tp = deck.demoUsers.tpstreams[0]!
  const { tpstreams } = deck.sandbox
  // The server mints on the first login, then the connection drops before the answer arrives.
  tpstreams.setFault({ kind: 'mint-then-hang' }, { route: 'login', times: 1 })
  const live = tpstreams.liveTokenCount('acme')
  await addAccount(page, deck, {
    provider: 'tpstreams',
    label: 'acme-lost',
    fields: { Email: tp.username, Password: tp.secret, 'Organization id': 'acme' },
    baseUrl: tpstreams.baseUrl,
  })
  await expect(lastToast(page)).toContainText('The answer was lost')
  expect(tpstreams.liveTokenCount('acme')).toBe(live + 1)
  // As in the CLI: the account stays, and the token the server holds counts toward the cap.
  await expect(row(page, 'acme-lost').getByTestId('state')).toHaveText('uncertain')
  await expect(page.locator('[data-org="acme"] [data-testid="cap"]')).toHaveText(
    '1/20 tokens, 1 uncertain',
  )
})
