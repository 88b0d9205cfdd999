// Logging in through a browser, in the window, against the sandbox's real OAuth server: the device
// flow (the dialog shows the code, the person approves it, the account gets a live token), the
// authorization code flow (main opens the consent page once, a real Chromium tab signs in there
// and lands on TokenDeck's loopback page, the window shows the token), and Cancel (no token).
// The accounts use the two fixture profiles, imported and added through the window's own actions.
import fs from 'node:fs'
import path from 'node:path'
import { INVOKE } from '../../src/shared/ipc/channels'
import type { Deck } from './harness'
import { expect, test } from './fixtures'
import { ROOT } from './paths'
import { captureScreen, lastToast, menu, PASSPHRASE, row } from './steps'

/** A real wait between device polls, kept short (the sandbox announces a short interval). */
function shortWait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const t = setTimeout(done, Math.min(ms, 150))
    signal.addEventListener('abort', () => {
      clearTimeout(t)
      done()
    })
  })
}

test.use({
  deckOptions: { oauth: { device: { intervalMs: 100, expiresInMs: 600_000 } }, wait: shortWait },
})

const DEVICE = 'OAuth device login (sandbox)'
const BROWSER = 'OAuth browser login (sandbox)'

/** A vault with one account of the fixture profile `id` against the sandbox, then the window. */
async function seed(deck: Deck, id: string, label: string): Promise<void> {
  await deck.call(INVOKE.vaultCreate, {
    protection: 'passphrase',
    passphrase: deck.secret(PASSPHRASE),
  })
  const text = fs.readFileSync(path.join(ROOT, `tests/fixtures/profiles/${id}.json`), 'utf8')
  await deck.call(INVOKE.providersImport, { text })
  await deck.call(INVOKE.accountsAdd, {
    label,
    providerId: id,
    baseUrl: deck.sandbox.oauth.baseUrl,
    fields: { user: deck.demoUsers.oauth[0]!.username },
    remember: true,
    login: false,
  })
  await deck.open()
  await expect(row(deck.page, label)).toBeVisible()
}

/** Copies the account's header in the window and asks the sandbox's API who it is. */
async function headerWorks(deck: Deck, label: string): Promise<void> {
  await row(deck.page, label).getByRole('button', { name: 'Copy header' }).click()
  await expect(lastToast(deck.page)).toContainText('clears in 30 s')
  const header = deck.lastCopy().text
  expect(header).toMatch(/^Authorization: Bearer \S+$/)
  const me = await fetch(`${deck.sandbox.oauth.baseUrl}/api/me`, {
    headers: { authorization: header.slice('Authorization: '.length) },
  })
  expect(me.status).toBe(200)
}

test('device code: the dialog shows the code, the person approves it, the token is live', async ({
  page,
  deck,
}) => {
  await seed(deck, 'oauth-device-sandbox', 'dev-device')
  await menu(page, 'dev-device', 'Log in again')

  const dialog = page.getByRole('dialog', { name: `Sign in to ${DEVICE}` })
  await expect(dialog).toBeVisible()
  const code = dialog.getByTestId('login-code')
  await expect(code).toHaveText(/^[B-Z]{4}-[B-Z]{4}$/)
  const userCode = (await code.textContent())!
  const pageUrl = (await dialog.getByTestId('login-url').textContent())!
  expect(pageUrl.startsWith(`${deck.sandbox.oauth.baseUrl}/device`)).toBe(true)
  await expect(dialog.getByTestId('login-countdown')).toContainText(/The code expires in \d+:\d\d/)
  // A device page is not opened by itself: the person may be on another device.
  expect(deck.app.opened).toEqual([])
  // The row says what the pending login is waiting for, not "uncertain".
  await expect(row(page, 'dev-device').getByTestId('state')).toHaveText('signing in')

  await captureScreen(page, 'login-device')
  await dialog.getByRole('button', { name: 'Copy code' }).click()
  await expect(dialog.getByRole('button', { name: 'Copied' })).toBeVisible()
  expect(deck.lastCopy().text).toBe(userCode)
  await dialog.getByRole('button', { name: 'Open page' }).click()
  await expect.poll(() => deck.app.opened).toEqual([pageUrl])

  // The person approves the code in the browser; the next poll gets the token.
  deck.sandbox.oauth.approveDevice(userCode, deck.demoUsers.oauth[0]!.username)
  await expect(dialog).toBeHidden()
  await expect(lastToast(page)).toContainText('Logged in again as dev-device')
  await expect(row(page, 'dev-device').getByTestId('state')).toHaveText('active')
  await headerWorks(deck, 'dev-device')
})

test('browser sign-in: main opens the consent page once, a real tab signs in, the token is live', async ({
  page,
  deck,
}) => {
  await seed(deck, 'oauth-code-sandbox', 'dev-browser')
  await menu(page, 'dev-browser', 'Log in again')

  const dialog = page.getByRole('dialog', { name: 'Continue in your browser' })
  await expect(dialog).toBeVisible()
  await expect(dialog).toContainText(`TokenDeck opened the ${BROWSER} sign-in page for dev-browser`)
  await expect(dialog.getByTestId('login-countdown')).toContainText(
    /The sign-in expires in \d+:\d\d/,
  )
  // Opened once, by main, with the prompt's own URL (the window never named one).
  await expect.poll(() => deck.app.opened.length).toBe(1)
  const url = deck.app.opened[0]!
  expect(url.startsWith(`${deck.sandbox.oauth.baseUrl}/oauth/authorize?`)).toBe(true)
  await expect(dialog.getByTestId('login-url')).toHaveText(url)
  await captureScreen(page, 'login-browser')
  await dialog.getByRole('button', { name: 'Open again' }).click()
  await expect.poll(() => deck.app.opened).toEqual([url, url])

  // The person's browser: a new tab of the real Chromium, on the sandbox's consent page.
  const tab = await page.context().newPage()
  await tab.goto(url)
  const user = deck.demoUsers.oauth[0]!
  await tab.getByLabel('Username').fill(user.username)
  await tab.getByLabel('Password').fill(user.secret)
  await tab.getByRole('button', { name: 'Allow' }).click()
  // Redirected to TokenDeck's own listener on 127.0.0.1.
  await expect(tab.getByText('You can close this tab')).toBeVisible()
  expect(new URL(tab.url()).hostname).toBe('127.0.0.1')
  await tab.close()

  await expect(dialog).toBeHidden()
  await expect(lastToast(page)).toContainText('Logged in again as dev-browser')
  await expect(row(page, 'dev-browser').getByTestId('state')).toHaveText('active')
  await headerWorks(deck, 'dev-browser')
})

test('Cancel ends a pending device login: no token is asked for or issued', async ({
  page,
  deck,
}) => {
  await seed(deck, 'oauth-device-sandbox', 'dev-cancel')
  const issued = deck.sandbox.oauth.issuedByGrant.device_code
  await menu(page, 'dev-cancel', 'Log in again')
  const dialog = page.getByRole('dialog', { name: `Sign in to ${DEVICE}` })
  await expect(dialog.getByTestId('login-code')).toBeVisible()
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await expect(dialog).toBeHidden()
  await expect(lastToast(page)).toContainText('Cancelled')
  await expect(row(page, 'dev-cancel').getByTestId('state')).not.toHaveText('active')
  expect(await deck.call(INVOKE.loginsList)).toEqual([])
  expect(deck.sandbox.oauth.issuedByGrant.device_code).toBe(issued)
  expect(deck.tokens()).toEqual([])
})

test('Add account with a device login: the code shows over the Add dialog, and approving it adds the account', async ({
  page,
  deck,
}) => {
  await deck.call(INVOKE.vaultCreate, {
    protection: 'passphrase',
    passphrase: deck.secret(PASSPHRASE),
  })
  const text = fs.readFileSync(
    path.join(ROOT, 'tests/fixtures/profiles/oauth-device-sandbox.json'),
    'utf8',
  )
  await deck.call(INVOKE.providersImport, { text })
  await deck.open()
  await page.getByRole('button', { name: 'Add account' }).first().click()
  const add = page.getByRole('dialog', { name: 'Add an account' })
  await add.getByLabel('Provider').selectOption({ label: `${DEVICE} (imported)` })
  await add.getByLabel('Label', { exact: true }).fill('dev-added')
  await add.getByLabel('User (for your list)', { exact: true }).fill('dev@acme.test')
  await add.getByLabel('Base URL').fill(deck.sandbox.oauth.baseUrl)
  // Nothing to remember (no password or key): the dialog says how the sign-in goes instead.
  await expect(add.getByLabel(/Remember secret/)).toHaveCount(0)
  await expect(add.getByTestId('browser-sign-in-note')).toContainText(
    'in a browser with a code TokenDeck shows you',
  )
  await captureScreen(page, 'add-oauth-account')
  await add.getByRole('button', { name: 'Add and log in' }).click()

  // The sign-in dialog comes over the Add dialog, and its buttons answer.
  const dialog = page.getByRole('dialog', { name: `Sign in to ${DEVICE}` })
  await expect(dialog).toBeVisible()
  const userCode = (await dialog.getByTestId('login-code').textContent())!
  await dialog.getByRole('button', { name: 'Copy code' }).click()
  expect(deck.lastCopy().text).toBe(userCode)
  deck.sandbox.oauth.approveDevice(userCode, deck.demoUsers.oauth[0]!.username)
  await expect(dialog).toBeHidden()
  await expect(add).toBeHidden()
  await expect(row(page, 'dev-added').getByTestId('state')).toHaveText('active')
  await headerWorks(deck, 'dev-added')
})
