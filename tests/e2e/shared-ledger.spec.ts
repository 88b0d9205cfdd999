// Two apps on two "machines" (two harness instances, each with its own vault) share one
// organization's TPStreams cap through a real PostgreSQL ledger: window A connects from
// Settings › Shared ledger (the URL with its password typed once), window B was connected in code.
// Both headers show the same count across machines and the right "N on other machines"; a mint in
// A shows in B with nothing done in B (LISTEN/NOTIFY); with the database stopped both say offline,
// a new mint fails closed and a valid token is still copied. The database password never reaches
// either page.
import type { Browser, Page } from '@playwright/test'
import { freshDatabase, startCluster, type Cluster } from '../helpers/postgres'
import { expect, test } from './fixtures'
import { Deck } from './harness'
import { addAccount, captureScreen, createVault, goTo, lastToast, menu, PASSPHRASE } from './steps'

const cap = (page: Page) => page.locator('[data-org="acme"] [data-testid="cap"]')
const badge = (page: Page) => page.locator('[data-org="acme"]').getByTestId('ledger-state')

/** The password in every form an answer could carry it. */
const formsOf = (password: string) => [
  password,
  encodeURIComponent(password),
  Buffer.from(password).toString('base64'),
  Buffer.from(password).toString('hex'),
]

/** Window B: another machine's app, its vault seeded and connected in code (no UI). */
async function machineB(browser: Browser, a: Deck, url: string): Promise<Deck> {
  const context = await browser.newContext({ viewport: { width: 1180, height: 760 } })
  const b = await Deck.start(await context.newPage(), { sandbox: a.sandbox })
  const { actions } = b.app.core
  const created = await actions.protection.create({
    protection: 'passphrase',
    passphrase: b.secret(PASSPHRASE),
  })
  if (!created.ok) throw new Error(created.message)
  const tp = b.demoUsers.tpstreams[0]!
  for (const label of ['ci-1', 'ci-2']) {
    const added = await actions.accounts.add(
      {
        label,
        providerId: 'tpstreams',
        baseUrl: a.sandbox.tpstreams.baseUrl,
        fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
        remember: true,
        login: true,
      },
      'ui',
    )
    if (!added.ok) throw new Error(added.message)
  }
  const connected = await actions.ledger.connect(url, { machineName: 'ci-runner' })
  if (!connected.ok) throw new Error(`${connected.code}: ${connected.message}`)
  return b
}

test('two windows share one organization’s cap through PostgreSQL; offline says so', async ({
  page,
  deck: a,
  browser,
}) => {
  const cluster: Cluster = startCluster()
  let b: Deck | null = null
  try {
    const url = await freshDatabase(cluster.url)
    const password = decodeURIComponent(new URL(url).password)
    for (const form of formsOf(password)) a.secret(form)
    a.secret(url)
    const shown = new URL(url)
    shown.password = ''

    // Window A: a vault made in the window, one TPStreams account in acme (one token), local.
    await a.open()
    await createVault(page, a)
    const tp = a.demoUsers.tpstreams[0]!
    await addAccount(page, a, {
      provider: 'tpstreams',
      label: 'laptop-1',
      fields: { Email: tp.username, Password: tp.secret, 'Organization id': 'acme' },
      baseUrl: a.sandbox.tpstreams.baseUrl,
    })
    await expect(cap(page)).toHaveText('1/20 tokens')
    await expect(badge(page)).toHaveCount(0)

    // Window B: another machine with two tokens in acme, already on the ledger.
    b = await machineB(browser, a, url)
    for (const form of formsOf(password)) b.secret(form)
    b.secret(url)
    await b.open()
    await expect(cap(b.page)).toHaveText('2/20 tokens · 0 on other machines')

    // A connects from Settings › Shared ledger: the URL in a password field, a machine name.
    await goTo(page, 'Settings')
    const section = page.getByTestId('ledger-settings')
    await section.scrollIntoViewIfNeeded()
    await expect(section.getByTestId('ledger-status')).toContainText('Local')
    await expect(section.getByTestId('ledger-backend')).toHaveText('Local (this vault)')
    const urlInput = section.getByLabel('Database URL')
    await expect(urlInput).toHaveAttribute('type', 'password')
    // A wrong password first: refused in words, nothing stored.
    const wrong = new URL(url)
    wrong.password = a.secret('not-the-ledger-password-4711')
    await urlInput.fill(wrong.toString())
    await section.getByLabel("This machine's name").fill('laptop')
    await section.getByRole('button', { name: 'Connect' }).click()
    await expect(section.getByRole('alert')).toContainText('refused the user or password')
    await expect(section.getByTestId('ledger-backend')).toHaveText('Local (this vault)')
    await section.getByRole('button', { name: 'Connect' }).scrollIntoViewIfNeeded()
    await captureScreen(page, 'shared-ledger-connect')
    await urlInput.fill(url)
    await section.getByRole('button', { name: 'Connect' }).click()
    await expect(lastToast(page)).toContainText('Connected to the shared ledger')
    await expect(section.getByTestId('ledger-status')).toContainText('Connected')
    await expect(section.getByTestId('ledger-backend')).toHaveText(`PostgreSQL at ${shown}`)
    await expect(section.getByTestId('ledger-machine')).toHaveText('laptop')
    const org = section.locator('[data-ledger-org="acme"]')
    await expect(org.getByTestId('ledger-org-count')).toHaveText(
      '3/20 tokens · 1 here · 2 on other machines',
    )
    await expect(org.locator('[data-holder="laptop"]')).toContainText('this machine')
    await expect(org.locator('[data-holder="laptop"]')).toContainText('1 live token')
    await expect(org.locator('[data-holder="ci-runner"]')).toContainText('2 live tokens')
    await expect(org.locator('[data-holder="ci-runner"]')).not.toContainText('this machine')
    // The field was emptied: the URL with its password is no longer in the window.
    await expect(section.getByLabel('Database URL')).toHaveCount(0)
    await section.scrollIntoViewIfNeeded()
    await captureScreen(page, 'shared-ledger-settings')

    // Both windows show the same count across machines, each its own "elsewhere".
    await goTo(page, 'Accounts')
    await expect(cap(page)).toHaveText('3/20 tokens · 2 on other machines')
    await expect(cap(b.page)).toHaveText('3/20 tokens · 1 on other machines')
    await expect(badge(page)).toHaveText('Shared · connected')
    await expect(badge(b.page)).toHaveText('Shared · connected')

    // A mint in A (a second account, through the window) shows in B with nothing done in B.
    const bBefore = b.recorded.length
    await addAccount(page, a, {
      provider: 'tpstreams',
      label: 'laptop-2',
      fields: { Email: tp.username, Password: tp.secret, 'Organization id': 'acme' },
      baseUrl: a.sandbox.tpstreams.baseUrl,
    })
    await expect(cap(page)).toHaveText('4/20 tokens · 2 on other machines')
    await expect(cap(b.page)).toHaveText('4/20 tokens · 2 on other machines')
    expect(a.sandbox.tpstreams.liveTokenCount('acme')).toBe(4)
    // B's page only followed main's change event: it re-read, it asked for nothing.
    const bAsked = new Set(b.recorded.slice(bBefore).map((r) => r.channel))
    expect([...bAsked].filter((c) => /tokens|copy|accounts|ledger-connect/.test(c))).toEqual([])
    expect(bAsked).toContain('vault:state-changed')

    // The holders, by machine name, this machine marked: in B's header.
    await badge(b.page).click()
    const holdersB = b.page.getByRole('dialog', { name: 'Shared ledger of acme' })
    await expect(holdersB.locator('[data-holder="ci-runner"]')).toContainText('this machine')
    await expect(holdersB.locator('[data-holder="laptop"]')).toContainText('2 live tokens')
    await expect(holdersB.locator('[data-holder="laptop"]')).not.toContainText('this machine')
    await expect(holdersB).toContainText('4 of 20 tokens in use: 2 here, 2 on other machines.')
    await b.page.keyboard.press('Escape')
    await expect(holdersB).toBeHidden()

    // A's header, with and without its holders open (light and dark).
    await captureScreen(page, 'shared-ledger-accounts')
    await badge(page).click()
    const holdersA = page.getByRole('dialog', { name: 'Shared ledger of acme' })
    await expect(holdersA.locator('[data-holder="laptop"]')).toContainText('this machine')
    await captureScreen(page, 'shared-ledger-holders')
    await page.keyboard.press('Escape')

    // The database stops: both windows say offline on their own (their LISTEN connection ended).
    cluster.halt()
    await expect(badge(page)).toHaveText('Shared · offline')
    await expect(badge(b.page)).toHaveText('Shared · offline')
    await badge(page).click()
    await expect(holdersA).toContainText('Counts may be stale')
    await expect(holdersA).toContainText('no new token can be minted')
    await expect(cap(page)).toHaveText('4/20 tokens · 2 on other machines')
    await captureScreen(page, 'shared-ledger-offline')
    await page.keyboard.press('Escape')
    // A new token fails closed and nothing reaches the provider; a valid one is still copied.
    const logins = a.sandbox.tpstreams.stats.loginRequests
    await menu(page, 'laptop-1', 'Log in again')
    await expect(lastToast(page)).toContainText('The shared ledger cannot be reached')
    expect(a.sandbox.tpstreams.stats.loginRequests).toBe(logins)
    const copies = a.copies().length
    await page
      .locator('[data-account="laptop-1"]')
      .getByRole('button', { name: 'Copy header' })
      .click()
    await expect(lastToast(page)).toContainText('The clipboard clears in')
    expect(a.copies()).toHaveLength(copies + 1)
    expect(a.sandbox.tpstreams.stats.loginRequests).toBe(logins)
    a.rememberTokens()

    // Settings says offline, in words.
    await goTo(page, 'Settings')
    await section.scrollIntoViewIfNeeded()
    await expect(section.getByTestId('ledger-status')).toContainText('Offline')
    await expect(section.getByTestId('ledger-status')).toContainText('Counts may be stale')
    await captureScreen(page, 'shared-ledger-settings-offline')

    // Disconnecting asks first and says the tokens stay counted.
    await section.getByRole('button', { name: 'Disconnect…' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Disconnect from the shared ledger?' })
    await expect(confirm).toContainText('stay counted in the shared ledger until they expire')
    await confirm.getByRole('button', { name: 'Disconnect' }).click()
    await expect(section.getByTestId('ledger-backend')).toHaveText('Local (this vault)')
    await goTo(page, 'Accounts')
    await expect(cap(page)).toHaveText('2/20 tokens')
    await expect(badge(page)).toHaveCount(0)

    // The password reached neither page, in any form, on any channel (the ledger's included).
    const ledgerAnswers = [...a.recorded, ...b.recorded].filter((r) =>
      r.channel.startsWith('vault:ledger-'),
    )
    expect(ledgerAnswers.length).toBeGreaterThan(4)
    for (const r of [...a.recorded, ...b.recorded])
      for (const form of formsOf(password)) expect(r.json).not.toContain(form)
    b.rememberTokens()
    b.assertNoSecrets()
    a.assertNoSecrets()
    const unexpected = b.consoleErrors.filter((e) => !/style-src|frame-ancestors/.test(e))
    expect(unexpected, 'console errors in window B').toEqual([])
  } finally {
    await b?.finish('shared-ledger-window-b')
    await b?.page.context().close()
    cluster.stop()
  }
})
