// The e2e tests and the renderer bench run in Debian's Chromium when it exists, else in
// Playwright's own (tests/e2e/chromium.ts), so `npm test` works on a machine without Debian's.
import { describe, expect, it } from 'vitest'
import { chooseChromium, DEBIAN_CHROMIUM, DEBIAN_FLAGS } from '../e2e/chromium'

const PLAYWRIGHTS = '/home/dev/.cache/ms-playwright/chromium-1234/chrome-linux64/chrome'

describe('which Chromium the e2e tests and the bench use', () => {
  it("uses Debian's /usr/bin/chromium, with its flags, when it exists", () => {
    const c = chooseChromium(true, PLAYWRIGHTS)
    expect(c.source).toBe('debian')
    expect(c.launch.executablePath).toBe(DEBIAN_CHROMIUM)
    expect(c.launch.args).toEqual([
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ])
    expect(c.launch.args).toEqual(DEBIAN_FLAGS)
    expect(c.description).toBe('/usr/bin/chromium (Debian)')
  })

  it("uses Playwright's own Chromium, with Playwright's defaults, when Debian's is missing", () => {
    const c = chooseChromium(false, PLAYWRIGHTS)
    expect(c.source).toBe('playwright')
    expect(c.executablePath).toBe(PLAYWRIGHTS)
    expect(c.launch.executablePath).toBeUndefined()
    expect(c.launch.args).toBeUndefined()
    expect(c.description).toBe(`Playwright's Chromium at ${PLAYWRIGHTS}`)
  })
})
