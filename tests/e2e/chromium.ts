// Which Chromium the e2e tests and the renderer bench run in, shared by playwright.config.ts,
// tests/e2e/global-setup.ts and bench/renderer.ts: Debian's /usr/bin/chromium when it exists (with
// the flags that work on this kind of machine), otherwise Playwright's own, installed on first use.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { chromium, type LaunchOptions } from '@playwright/test'
import { ROOT } from './paths'

export const DEBIAN_CHROMIUM = '/usr/bin/chromium'

/** No sandbox as root, no GPU, no background traffic to a network that is closed. */
export const DEBIAN_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface ChromiumChoice {
  source: 'debian' | 'playwright'
  /** The browser binary: Debian's, or where Playwright keeps (or will install) its own. */
  executablePath: string
  launch: LaunchOptions
  /** One line for the log: which browser runs the tests. */
  description: string
}

/** Debian's Chromium when it exists, otherwise Playwright's own (its default launch options). */
export function chooseChromium(debianExists: boolean, playwrightPath: string): ChromiumChoice {
  if (debianExists) {
    return {
      source: 'debian',
      executablePath: DEBIAN_CHROMIUM,
      launch: { executablePath: DEBIAN_CHROMIUM, args: [...DEBIAN_FLAGS] },
      description: `${DEBIAN_CHROMIUM} (Debian)`,
    }
  }
  return {
    source: 'playwright',
    executablePath: playwrightPath,
    launch: {},
    description: `Playwright's Chromium at ${playwrightPath}`,
  }
}

export const CHROMIUM = chooseChromium(fs.existsSync(DEBIAN_CHROMIUM), chromium.executablePath())
export const CHROMIUM_LAUNCH = CHROMIUM.launch

let ensured = false

/**
 * Before the first launch: installs Playwright's Chromium if it is the choice and is missing
 * (`npx playwright install chromium`), then prints which browser is used, once per process, on
 * stderr (the bench prints its JSON on stdout). Throws with what to do if the install fails.
 */
export function ensureChromium(tag: string, choice: ChromiumChoice = CHROMIUM): void {
  if (ensured) return
  if (choice.source === 'playwright' && !fs.existsSync(choice.executablePath)) {
    console.error(`[${tag}] ${DEBIAN_CHROMIUM} not found: installing Playwright's Chromium`)
    try {
      execFileSync('npx', ['playwright', 'install', 'chromium'], {
        cwd: ROOT,
        stdio: ['ignore', 2, 2],
      })
    } catch (e) {
      throw new Error(
        `[${tag}] no browser: ${DEBIAN_CHROMIUM} does not exist and "npx playwright install chromium" failed (output above). Install Debian's chromium (apt-get install chromium), or run "npx playwright install chromium" on a network that can download it.`,
        { cause: e },
      )
    }
  }
  ensured = true
  console.error(`[${tag}] browser: ${choice.description}`)
}
