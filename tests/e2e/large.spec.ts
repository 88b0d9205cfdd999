import { expect, test } from './fixtures'
import { seedLargeVault } from './seed'
import { PASSPHRASE } from './steps'

test('1,000 accounts in 50 organizations: a window of rows, smooth scrolling, search', async ({
  page,
  deck,
}) => {
  // Seeded through the vault services, not the UI.
  await seedLargeVault(deck.app, deck.secret(PASSPHRASE))
  await deck.open()
  const list = page.getByTestId('account-list')
  await expect(page.locator('[data-account="account-0000"]')).toBeVisible()
  await expect(page.getByRole('status')).toContainText('1000 accounts')
  const inDom = () => page.locator('[data-account]').count()
  expect(await inDom()).toBeLessThan(40)
  await expect(page.locator('[data-org]').first()).toContainText('0/20 tokens')

  // Scroll through the whole list in steps; the window of rows moves along.
  const height = await list.evaluate((el) => el.scrollHeight)
  expect(height).toBeGreaterThan(1000 * 60)
  for (let y = 0; y < height; y += 6000) {
    await list.evaluate((el, top) => el.scrollTo({ top }), y)
    await expect.poll(inDom).toBeGreaterThan(5)
    expect(await inDom()).toBeLessThan(40)
  }
  await list.evaluate((el) => el.scrollTo({ top: el.scrollHeight }))
  await expect(page.locator('[data-account="account-0999"]')).toBeVisible()
  expect(await inDom()).toBeLessThan(40)

  // Keyboard from the search box: a filter, then arrows and the selection follows.
  await page.locator('body').press('/')
  await page.keyboard.type('account-07')
  await expect(page.getByRole('status')).toContainText('100 shown')
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  await expect(page.locator('[aria-current="true"][data-account]')).toHaveCount(1)
})
