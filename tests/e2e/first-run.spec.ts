import { expect, test } from './fixtures'
import { captureScreen, createVault, goTo, PASSPHRASE } from './steps'

test('first run with a passphrase, then lock and unlock', async ({ page, deck }) => {
  await deck.open()
  // The OS keychain choice explains why it is or is not offered.
  await expect(page.getByRole('radio', { name: /OS keychain/ })).toBeVisible()
  await page.getByRole('radio', { name: /^Passphrase/ }).check()
  await page.getByLabel('Passphrase', { exact: true }).fill('short')
  await expect(page.getByText(/At least 8 characters/)).toBeVisible()
  await expect(page.getByRole('button', { name: 'Create vault' })).toBeDisabled()
  await captureScreen(page, 'first-run')

  await createVault(page, deck)
  await expect(page.getByRole('heading', { name: 'No accounts yet' })).toBeVisible()
  expect(deck.app.core.status().vault.slots.map((s) => s.kind)).toEqual(['passphrase'])

  // Lock from the sidebar, fail once, then unlock.
  await page.getByRole('button', { name: 'Lock', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Unlock TokenDeck' })).toBeVisible()
  await page.getByLabel('Passphrase').fill(deck.secret('not the passphrase'))
  await page.getByRole('button', { name: 'Unlock', exact: true }).click()
  await expect(page.getByRole('alert')).toContainText('That passphrase does not open the vault.')
  await captureScreen(page, 'unlock')
  await page.getByLabel('Passphrase').fill(PASSPHRASE)
  await page.getByRole('button', { name: 'Unlock', exact: true }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible()

  // Lock now from Settings; the window follows main when main locks by itself (auto-lock).
  await goTo(page, 'Settings')
  await page.getByRole('button', { name: 'Lock now' }).click()
  await expect(page.getByRole('heading', { name: 'Unlock TokenDeck' })).toBeVisible()
  await page.getByLabel('Passphrase').fill(PASSPHRASE)
  await page.getByRole('button', { name: 'Unlock', exact: true }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible()
  await deck.app.core.lock()
  await expect(page.getByRole('heading', { name: 'Unlock TokenDeck' })).toBeVisible()
})

test('the sandbox demo opens a seeded vault', async ({ page, deck }) => {
  await deck.open()
  await page.getByRole('button', { name: 'Try it with local sandbox providers' }).click()
  await expect(page.getByText('Demo vault on local sandbox servers')).toBeVisible()
  for (const label of ['acme-prod', 'globex-ops', 'xpay-dev', 'classic-admin', 'classic-demo']) {
    await expect(page.locator(`[data-account="${label}"]`)).toBeVisible()
  }
  await expect(page.locator('[data-org="acme"] [data-testid="cap"]')).toContainText('1/20 tokens')
  await expect(page.locator('[data-account="classic-demo"] [data-testid="state"]')).toHaveText(
    'no token',
  )
  await captureScreen(page, 'accounts')

  await page.getByRole('button', { name: /^xpay-dev .*show token details$/ }).click()
  await expect(
    page.getByRole('dialog', { name: 'xpay-dev' }).getByTestId('token-facts'),
  ).toContainText('tme_user')
  await captureScreen(page, 'token-details')
})
