// Caps that evict, in the window: an imported TPStreams-like profile with
// cap.onExceed "evictOldest" against the TPStreams sandbox in evict mode (cap 3). At the cap, a
// copy asks first in a dialog naming the account whose token the server will end (nothing sent);
// going ahead mints once, and that account's token shows as evicted in its details. Also the
// account drawer's "Keep a valid token ready" switch.
import fs from 'node:fs'
import { startTpstreamsSandbox, type TpstreamsSandbox } from '../../src/main/sandbox'
import { expect, test } from './fixtures'
import { addAccount, captureScreen, createVault, lastToast, row } from './steps'

const USER = { username: 'team@evict.test', secret: 'evict-secret-e2e' }
const ORG = 'acme-ci'
const builtin = JSON.parse(
  fs.readFileSync('src/main/providers/builtin/tpstreams.json', 'utf8'),
) as Record<string, unknown>
const PROFILE = {
  ...builtin,
  id: 'tps-evicting',
  name: 'Evicting Streams',
  description: 'TPStreams-like: past the cap, the server ends the oldest token.',
  cap: { max: 3, scope: 'organization', onExceed: 'evictOldest' },
}

let sb: TpstreamsSandbox
test.beforeEach(async () => {
  sb = await startTpstreamsSandbox({ cap: 3, onExceed: 'evict', users: [USER] })
})
test.afterEach(async () => {
  await sb.close()
})

test('at an evict-oldest cap the window names the account to be evicted, then shows it evicted', async ({
  page,
  deck,
}) => {
  await deck.open()
  await createVault(page, deck)
  deck.secret(USER.secret)
  await deck.call('vault:providers-import', { text: JSON.stringify(PROFILE) })
  const ids: Record<string, string> = {}
  for (const label of ['ci-runner', 'deploy-bot', 'staging', 'laptop']) {
    const r = await deck.app.core.actions.accounts.add(
      {
        label,
        providerId: PROFILE.id,
        baseUrl: sb.baseUrl,
        fields: { username: USER.username, password: USER.secret, organization_id: ORG },
        remember: true,
      },
      'ui',
    )
    if (!r.ok) throw new Error(r.message)
    ids[label] = r.value.account.id
  }
  // ci-runner's token is the oldest; the cap (3) is then full.
  for (const label of ['ci-runner', 'deploy-bot', 'staging']) {
    const minted = await deck.call<{ token: { issuedAt: number } }>('vault:tokens-login', {
      accountId: ids[label],
    })
    // The next token is issued a millisecond later at least, so "the oldest" is one token.
    await expect.poll(() => Date.now()).toBeGreaterThan(minted.token.issuedAt)
  }
  const cap = page.locator(`[data-org="${ORG}"] [data-testid="cap"]`)
  await expect(cap).toHaveText('3/3 tokens, cap reached')

  const before = sb.stats.loginRequests
  await row(page, 'laptop').getByRole('button', { name: 'Copy header' }).click()
  const confirm = page.getByRole('alertdialog', { name: 'Evict the token of ci-runner?' })
  await expect(confirm).toBeVisible()
  await expect(confirm.getByTestId('evict-message')).toContainText(
    '3 of 3 tokens are in use. A new token for laptop makes Evicting Streams end its oldest one: the token of ci-runner, issued',
  )
  expect(sb.stats.loginRequests).toBe(before) // nothing sent yet
  await captureScreen(page, 'evict-confirm')

  deck.rememberTokens()
  await confirm.getByRole('button', { name: 'Evict and copy' }).click()
  await expect(lastToast(page)).toContainText('The server evicted the token of ci-runner.')
  expect(sb.stats.loginRequests - before).toBe(1)
  expect(deck.lastCopy().text).toMatch(/^Authorization: Token [0-9a-f]{40}$/)
  await expect(cap).toHaveText('3/3 tokens, cap reached')
  expect(sb.liveTokenCount(ORG)).toBe(3)
  await expect(row(page, 'ci-runner').getByTestId('state')).toHaveText('no token')
  await expect(row(page, 'laptop').getByTestId('state')).toHaveText('active')

  await row(page, 'ci-runner')
    .getByRole('button', { name: /^ci-runner .*show token details$/ })
    .click()
  const drawer = page.getByRole('dialog', { name: 'ci-runner' })
  await expect(drawer.getByText('evicted', { exact: true })).toBeVisible()
  await expect(drawer).toContainText('Evicted by the server: a new token for "laptop"')
  await captureScreen(page, 'evicted')
})

test('the keep-ready switch in the account details', async ({ page, deck }) => {
  await deck.open()
  await createVault(page, deck)
  const xp = deck.demoUsers.xpay[0]!
  await addAccount(page, deck, {
    provider: 'xpay',
    label: 'payments',
    fields: { Email: xp.username, 'Secret key': xp.secret },
    baseUrl: deck.sandbox.xpay.baseUrl,
  })
  await row(page, 'payments')
    .getByRole('button', { name: /^payments .*show token details$/ })
    .click()
  const drawer = page.getByRole('dialog', { name: 'payments' })
  const toggle = drawer.getByRole('checkbox', { name: 'Keep a valid token ready' })
  await expect(toggle).not.toBeChecked()
  await toggle.click()
  await expect(lastToast(page)).toContainText('payments keeps a valid token ready')
  await expect(toggle).toBeChecked()
  await expect(drawer).toContainText('renews the token a few minutes before it expires')
  const stored = deck.app.core.current.accounts.get('payments')
  expect(stored.ok && stored.value.keepReady).toBe(true)
  await captureScreen(page, 'keep-ready')
})
