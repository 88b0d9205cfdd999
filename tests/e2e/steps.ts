// What a user does, step by step, shared by the specs.
import fs from 'node:fs'
import path from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { expect, type Locator, type Page } from '@playwright/test'
import type { Deck } from './harness'
import { SCREENS_DIR } from './paths'

export const PASSPHRASE = 'correct horse battery staple'

/** First run: choose a passphrase and create the vault. */
export async function createVault(page: Page, deck: Deck, pass = PASSPHRASE): Promise<void> {
  deck.secret(pass)
  await expect(page.getByRole('heading', { name: 'Welcome to TokenDeck' })).toBeVisible()
  await page.getByRole('radio', { name: /^Passphrase/ }).check()
  await page.getByLabel('Passphrase', { exact: true }).fill(pass)
  await page.getByLabel('Passphrase again').fill(pass)
  await page.getByRole('button', { name: 'Create vault' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible()
}

export interface NewAccount {
  provider: 'tpstreams' | 'xpay' | 'classic' | string
  label: string
  fields: Record<string, string>
  baseUrl: string
  remember?: boolean
}

/** Add account dialog: fills the generated form by the fields' labels and logs in. */
export async function addAccount(page: Page, deck: Deck, a: NewAccount): Promise<void> {
  await page.getByRole('button', { name: 'Add account' }).first().click()
  const dialog = page.getByRole('dialog', { name: 'Add an account' })
  await dialog.getByLabel('Provider').selectOption(a.provider)
  await dialog.getByLabel('Label', { exact: true }).fill(a.label)
  for (const [label, value] of Object.entries(a.fields)) {
    const input = dialog.getByLabel(label, { exact: true })
    if ((await input.getAttribute('type')) === 'password') deck.secret(value)
    await input.fill(value)
  }
  await dialog.getByLabel('Base URL').fill(a.baseUrl)
  if (a.remember === false) await dialog.getByLabel(/Remember secret/).uncheck()
  await dialog.getByRole('button', { name: 'Add and log in' }).click()
  await expect(dialog).toBeHidden()
  await expect(row(page, a.label)).toBeVisible()
}

export function row(page: Page, label: string): Locator {
  return page.locator(`[data-account="${label}"]`)
}

export async function menu(page: Page, label: string, item: string): Promise<void> {
  await page.getByRole('button', { name: `More actions for ${label}` }).click()
  await page.getByRole('menuitem', { name: item }).click()
}

export async function goTo(page: Page, screen: 'Accounts' | 'Activity' | 'Settings') {
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: screen })
    .click()
  await expect(page.getByRole('heading', { level: 1, name: screen })).toBeVisible()
}

/** Toast text (the newest toast). */
export function lastToast(page: Page): Locator {
  return page.getByTestId('toast').last()
}

/** The page applies this color scheme and has painted a frame with it (instead of a fixed sleep). */
async function painted(page: Page, colorScheme: 'light' | 'dark'): Promise<void> {
  // (Page code as text: this file is typed without the DOM.)
  const applies = `matchMedia('(prefers-color-scheme: ${colorScheme})').matches`
  await expect.poll(() => page.evaluate(applies)).toBe(true)
  await page.evaluate(
    'new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())))',
  )
}

/**
 * Screenshots of the screen in light and dark into test-results/screens/, and an axe scan of
 * each: no serious or critical violation allowed. The results are kept beside the screenshots.
 */
export async function captureScreen(
  page: Page,
  name: string,
  o: { keepToasts?: boolean } = {},
): Promise<void> {
  fs.mkdirSync(SCREENS_DIR, { recursive: true })
  // Earlier confirmations would hide the screen: left out of the picture (hidden while it is
  // taken, through the CSSOM: the page's CSP refuses an injected stylesheet), unless the toast is
  // what the screenshot is for. Not dismissed: behind an open dialog a toast neither closes on a
  // click nor times out (Radix pauses toasts while the window has no focus), so waiting for them
  // made the suite flaky on a loaded machine.
  const toasts = page.getByTestId('toast')
  const showToasts = async (visible: boolean) => {
    if (o.keepToasts) return
    await toasts.evaluateAll((els, v) => {
      for (const e of els)
        (e as unknown as { style: { visibility: string } }).style.visibility = v ? '' : 'hidden'
    }, visible)
  }
  await showToasts(false)
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' })
    await painted(page, colorScheme)
    await page.screenshot({ path: path.join(SCREENS_DIR, `${name}-${colorScheme}.png`) })
    const results = await new AxeBuilder({ page }).analyze()
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    fs.writeFileSync(
      path.join(SCREENS_DIR, `${name}-${colorScheme}.axe.json`),
      JSON.stringify(
        results.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
        })),
        null,
        2,
      ),
    )
    expect(
      bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes[0]?.target.join(' ')}`),
      `axe on ${name} (${colorScheme})`,
    ).toEqual([])
  }
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' })
  await showToasts(true)
}
