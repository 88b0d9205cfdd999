// The accounts screen shows and works without the on-demand chunk (menus, dialogs, the drawer,
// toasts: components/chunks.ts), which the window asks for only after the list is on screen; and
// whatever was clicked or pressed before that chunk arrived happens once it does: the ⋯ menu
// opens (on its first item when opened from the keyboard), a focused ⋯ keeps the focus, a dialog
// shows a loading status and then itself, a toast pushed meanwhile is shown. The chunk is held
// back here (the test's route answers only when released), as a slow disk would.
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures'
import { captureScreen, lastToast, PASSPHRASE, row } from './steps'

/**
 * Holds a chunk of the build (out/renderer/assets/<name>-<hash>.js) back until released; says
 * whether the list was on screen when the page asked for it.
 */
async function holdChunk(page: Page, name: 'overlays' | 'SettingsScreen' | 'ActivityScreen') {
  const url = new RegExp(`/assets/${name}-[\\w-]+\\.js$`)
  let release!: () => void
  const released = new Promise<void>((r) => (release = r))
  let asked!: (listShown: boolean) => void
  const requested = new Promise<boolean>((r) => (asked = r))
  let answered!: () => void
  const served = new Promise<void>((r) => (answered = r))
  await page.route(url, async (route) => {
    asked(
      (await page.evaluate(
        `performance.getEntriesByName('tokendeck:accounts-rendered').length > 0`,
      )) as boolean,
    )
    await released
    await route.continue()
    answered()
  })
  return {
    /** Resolves when the page asks for the chunk: whether the list had rendered by then. */
    requested,
    /** Lets the chunk through (once the page has asked for it). */
    async release() {
      await requested
      release()
      await served
      await page.unroute(url)
    },
  }
}

const more = (page: Page) => page.getByRole('button', { name: 'More actions for acme-prod' })

test('the list works before the on-demand chunk arrives; what was asked meanwhile happens', async ({
  page,
  deck,
}) => {
  const { actions } = deck.app.core
  const created = await actions.protection.create({
    protection: 'passphrase',
    passphrase: deck.secret(PASSPHRASE),
  })
  expect(created.ok).toBe(true)
  const tp = deck.demoUsers.tpstreams[0]!
  deck.secret(tp.secret)
  const added = await actions.accounts.add(
    {
      label: 'acme-prod',
      providerId: 'tpstreams',
      baseUrl: deck.sandbox.tpstreams.baseUrl,
      fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
      remember: true,
      login: true,
    },
    'ui',
  )
  expect(added.ok).toBe(true)

  // 1. Held: the list, its countdown and cap show; the chunk was asked for after the list.
  let hold = await holdChunk(page, 'overlays')
  await deck.open()
  await expect(row(page, 'acme-prod').getByTestId('state')).toHaveText('active')
  await expect(page.locator('[data-org="acme"] [data-testid="cap"]')).toHaveText('1/20 tokens')
  expect(await hold.requested).toBe(true)
  // The stand-in ⋯ reads as the menu button it stands for.
  await expect(more(page)).toHaveAttribute('aria-haspopup', 'menu')
  await expect(more(page)).toHaveAttribute('aria-expanded', 'false')
  await captureScreen(page, 'accounts-before-overlays')
  // Copy header works (main copies); its toast waits for the chunk. The ⋯ is pressed meanwhile.
  const copies = deck.copies().length
  await row(page, 'acme-prod').getByRole('button', { name: 'Copy header' }).click()
  await expect.poll(() => deck.copies().length).toBe(copies + 1)
  await expect(page.getByTestId('toast')).toHaveCount(0)
  await more(page).click()
  await expect(page.getByRole('menu')).toHaveCount(0)
  await hold.release()
  await expect(lastToast(page)).toContainText('Copied the Authorization header of acme-prod')
  await page.getByRole('menuitem', { name: 'Token details' }).click()
  const drawer = page.getByRole('dialog', { name: 'acme-prod' })
  await expect(drawer.getByTestId('token-facts')).toContainText('Authorization: Token ••••••••')
  await page.keyboard.press('Escape')
  await expect(drawer).toBeHidden()

  // 2. Held: the focused stand-in hands its focus to the real ⋯ when the chunk arrives.
  hold = await holdChunk(page, 'overlays')
  await page.reload()
  await expect(more(page)).toHaveAttribute('data-stand-in', /^overlays:menu:/)
  await more(page).focus()
  await hold.release()
  await expect(more(page)).toHaveAttribute('id', /radix/)
  await expect(more(page)).toBeFocused()

  // 3. Held: Enter on the stand-in opens the menu on its first item, as the real one does, also
  // when the other chunks (prefetched too) arrive between the press and the overlays.
  hold = await holdChunk(page, 'overlays')
  const others = [await holdChunk(page, 'SettingsScreen'), await holdChunk(page, 'ActivityScreen')]
  await page.reload()
  await expect(more(page)).toHaveAttribute('data-stand-in', /^overlays:menu:/)
  await more(page).focus()
  await page.keyboard.press('Enter')
  await expect(more(page)).toHaveAttribute('data-stand-in', /^overlays:menu:/)
  for (const other of others) await other.release()
  await hold.release()
  await expect(page.getByRole('menuitem', { name: 'Token details' })).toBeFocused()
  await page.keyboard.press('ArrowDown')
  await expect(page.getByRole('menuitem', { name: 'Log in again' })).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(page.getByRole('menu')).toHaveCount(0)
  await expect(more(page)).toBeFocused()

  // 4. Held: Add account says it is loading (to screen readers; nothing moves), then opens.
  hold = await holdChunk(page, 'overlays')
  await page.reload()
  await page.getByRole('button', { name: 'Add account' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Loading…' })).toBeAttached()
  await hold.release()
  const dialog = page.getByRole('dialog', { name: 'Add an account' })
  await expect(dialog.getByLabel('Label', { exact: true })).toBeVisible()
  await expect(page.getByRole('status').filter({ hasText: 'Loading…' })).toHaveCount(0)
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()
})
