import { expect, test } from './fixtures'
import { captureScreen, createVault, lastToast, row } from './steps'

test('classic signup shows the server field errors next to the inputs, then succeeds', async ({
  page,
  deck,
}) => {
  await deck.open()
  await createVault(page, deck)
  await page.getByRole('button', { name: 'Add account' }).first().click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Provider').selectOption('classic')
  await expect(dialog.getByLabel('Base URL')).toHaveValue('https://api.example.com')

  // The base URL is checked against the URL policy while typing.
  await dialog.getByLabel('Base URL').fill('http://api.example.com')
  await expect(dialog.locator('[data-field="baseUrl"]')).toContainText(
    'Plain http is allowed only to this machine',
  )
  await expect(dialog.getByRole('button', { name: 'Add and log in' })).toBeDisabled()
  await dialog.getByLabel('Base URL').fill(deck.sandbox.classic.baseUrl)

  await dialog.getByRole('radio', { name: 'Create account' }).click()
  await dialog.getByLabel('Username').fill('admin')
  await dialog.getByLabel('Email').fill('not-an-email')
  await dialog.getByLabel('Password', { exact: true }).fill(deck.secret('first-password'))
  await dialog.getByLabel('Password (again)').fill(deck.secret('second-password'))
  await dialog.getByRole('button', { name: 'Create account' }).click()

  const errorOf = (name: string) =>
    dialog.locator(`[data-field="${name}"] [data-testid="field-error"]`)
  // Checked in main before anything is sent.
  await expect(errorOf('accept_tos')).toHaveText('This must be checked.')
  await dialog.getByLabel('I accept the terms of service').check()
  await dialog.getByRole('button', { name: 'Create account' }).click()
  // The server's own per-field errors (the classic API's `errors` object).
  await expect(errorOf('username')).toHaveText('A user with that username already exists.')
  await expect(errorOf('email')).toHaveText('Enter a valid email address.')
  await expect(errorOf('password2')).toHaveText("The two password fields didn't match.")
  await expect(errorOf('accept_tos')).toHaveCount(0)
  await expect(dialog.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true')
  await captureScreen(page, 'add-account')

  await dialog.getByLabel('Username').fill('newbie')
  await dialog.getByLabel('Email').fill('newbie@example.test')
  await dialog.getByLabel('Password', { exact: true }).fill(deck.secret('a-new-password'))
  await dialog.getByLabel('Password (again)').fill('a-new-password')
  await dialog.getByRole('button', { name: 'Create account' }).click()
  await expect(dialog).toBeHidden()
  await expect(lastToast(page)).toContainText('Added newbie')
  await expect(row(page, 'newbie').getByTestId('state')).toHaveText('active')

  await row(page, 'newbie').getByRole('button', { name: 'Copy header' }).click()
  await expect(lastToast(page)).toContainText('clears in 30 s')
  const me = await fetch(`${deck.sandbox.classic.baseUrl}/api/me`, {
    headers: { Authorization: deck.lastCopy().text.slice('Authorization: '.length) },
  })
  expect(await me.json()).toEqual({ username: 'newbie' })
})
