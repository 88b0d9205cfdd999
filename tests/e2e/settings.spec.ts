import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from './fixtures'
import { ROOT } from './paths'
import { PASSPHRASE, addAccount, captureScreen, createVault, goTo, lastToast, row } from './steps'

/** The worked example of docs/providers.md, as a user would save it to a file. */
function exampleProfile(): string {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/providers.md'), 'utf8')
  const block = doc
    .split('<!-- profile-example:start -->')[1]!
    .split('<!-- profile-example:end -->')[0]!
  return block.slice(block.indexOf('{'), block.lastIndexOf('}') + 1)
}

test('settings, protection, custom provider import, and the activity log', async ({
  page,
  deck,
}, testInfo) => {
  await deck.open()
  await createVault(page, deck)
  const tp = deck.demoUsers.tpstreams[0]!
  await addAccount(page, deck, {
    provider: 'tpstreams',
    label: 'acme-prod',
    fields: { Email: tp.username, Password: tp.secret, 'Organization id': 'acme' },
    baseUrl: deck.sandbox.tpstreams.baseUrl,
  })

  // Clipboard clearing time: validated as typed, saved, used by the next copy.
  await goTo(page, 'Settings')
  const clear = page.getByLabel('Clear the clipboard after')
  await clear.fill('2')
  await expect(page.getByText('A whole number from 5 to 600.')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Save settings' })).toBeDisabled()
  await clear.fill('45')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(lastToast(page)).toContainText('Settings saved')

  // Protection: every change asks for the current passphrase, checked in main.
  await expect(page.getByTestId('os-status')).toContainText('available (gnome_libsecret)')
  const current = page.getByLabel('Current passphrase')
  await current.fill(deck.secret('not my passphrase'))
  await page.getByLabel('New passphrase').fill(deck.secret('a second passphrase'))
  await page.getByLabel('Passphrase again').fill('a second passphrase')
  await page.getByRole('button', { name: 'Change passphrase' }).click()
  await expect(page.getByRole('alert')).toContainText('Wrong passphrase')
  await current.fill(PASSPHRASE)
  await page.getByRole('button', { name: 'Change passphrase' }).click()
  await expect(lastToast(page)).toContainText('Passphrase changed')
  await expect(page.getByTestId('slots').getByRole('listitem')).toHaveCount(1)
  // The keychain beside the passphrase, confirmed with the new passphrase.
  await current.fill('a second passphrase')
  await page.getByRole('button', { name: 'Add OS keychain protection' }).click()
  await expect(page.getByTestId('slots')).toContainText('OS keychain (gnome_libsecret)')
  await expect(page.getByTestId('slots').getByRole('listitem')).toHaveCount(2)
  await captureScreen(page, 'settings-protection')
  // Removing the keychain again rotates the key; it too asks for the passphrase.
  await current.fill('a second passphrase')
  await page
    .getByTestId('slots')
    .getByRole('listitem')
    .filter({ hasText: 'OS keychain' })
    .getByRole('button', { name: 'Remove' })
    .click()
  await expect(lastToast(page)).toContainText('OS keychain removed')
  await expect(page.getByTestId('slots').getByRole('listitem')).toHaveCount(1)

  // Custom providers: an invalid profile shows its problems; the docs' example imports.
  const bad = testInfo.outputPath('bad-profile.json')
  fs.writeFileSync(
    bad,
    JSON.stringify({
      formatVersion: 1,
      id: 'Bad Id',
      name: 'Broken',
      baseUrl: 'ftp://x',
      fields: [],
    }),
  )
  const file = page.getByLabel('Provider profile file')
  await file.setInputFiles(bad)
  const problems = page.getByTestId('import-problems')
  await expect(problems).toContainText('This is not a valid provider profile.')
  await expect(problems.getByRole('listitem').first()).toBeVisible()
  await expect(problems).toContainText('id:')
  await expect(problems).toContainText('login:')
  const good = testInfo.outputPath('acme-metrics.json')
  fs.writeFileSync(good, exampleProfile())
  await file.setInputFiles(good)
  await expect(lastToast(page)).toContainText('Imported Acme Metrics')
  await expect(problems).toHaveCount(0)
  await expect(page.getByTestId('imported-providers')).toContainText('Acme Metrics')
  await page.getByTestId('settings-body').evaluate((el) => el.scrollTo({ top: 0 }))
  await captureScreen(page, 'settings')

  await goTo(page, 'Accounts')
  await page.getByRole('button', { name: 'Add account' }).click()
  await expect(page.getByRole('dialog').getByLabel('Provider')).toContainText(
    'Acme Metrics (imported)',
  )
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click()
  await row(page, 'acme-prod').getByRole('button', { name: 'Copy header' }).click()
  await expect(lastToast(page)).toContainText('The clipboard clears in 45 s.')
  expect(deck.lastCopy().clearAfterSeconds).toBe(45)

  // Activity: everything that happened, filtered by type and account.
  await goTo(page, 'Activity')
  const events = page.getByTestId('events')
  await expect(events).toContainText('Copied the header of "acme-prod"')
  await expect(events).toContainText('Imported provider "Acme Metrics"')
  await captureScreen(page, 'activity')
  await page.getByLabel('Type').selectOption('copy')
  await expect(events.locator('tbody tr')).toHaveCount(1)
  await page.getByLabel('Type').selectOption('mint')
  await expect(events).toContainText('Minted a token for "acme-prod"')
  await page.getByLabel('Type').selectOption('')
  await page.getByLabel('Account').selectOption({ label: 'acme-prod' })
  await expect(events).not.toContainText('Imported provider')
  await expect(events).toContainText('Added account "acme-prod"')
})

test('Settings › Command line installs the tokendeck command into the app’s HOME, then removes it', async ({
  page,
  deck,
}) => {
  await deck.open()
  await createVault(page, deck)
  await goTo(page, 'Settings')
  const section = page.getByTestId('cli-command')
  // The test app's own temp HOME (tests/helpers/app.ts), never the real user's.
  const file = path.join(deck.app.cliHome, '.local', 'bin', 'tokendeck')
  await expect(section.getByTestId('cli-command-status')).toContainText('Not installed')
  expect(fs.existsSync(file)).toBe(false)

  await section.getByRole('button', { name: 'Install the tokendeck command' }).click()
  await expect(lastToast(page)).toContainText('Command installed')
  await expect(section.getByTestId('cli-command-status')).toContainText('Installed')
  await expect(section.getByTestId('cli-command-status')).toContainText(file)
  expect(fs.statSync(file).mode & 0o777).toBe(0o755)
  expect(fs.readFileSync(file, 'utf8')).toContain('tokendeck-launcher: written by TokenDeck')
  // That HOME's ~/.local/bin is not on the app's PATH: the line to add is shown.
  await expect(section.getByTestId('cli-command-path')).toContainText(
    'export PATH="$HOME/.local/bin:$PATH"',
  )
  await section.scrollIntoViewIfNeeded()
  await captureScreen(page, 'settings-command-line')

  await section.getByRole('button', { name: 'Remove the command' }).click()
  await expect(lastToast(page)).toContainText('Command removed')
  await expect(section.getByTestId('cli-command-status')).toContainText('Not installed')
  expect(fs.existsSync(file)).toBe(false)
})
