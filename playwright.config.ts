// End-to-end tests in Chromium (Debian's, else Playwright's own: tests/e2e/chromium.ts) against the
// built renderer and the real main-process services (tests/e2e/harness.ts, GUIDE.md "E2E harness").
import { defineConfig } from '@playwright/test'
import { CHROMIUM_LAUNCH } from './tests/e2e/chromium'

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results/',
  globalSetup: './tests/e2e/global-setup.ts',
  globalTeardown: './tests/e2e/global-teardown.ts',
  fullyParallel: false,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 7_000 },
  reporter: 'list',
  use: {
    browserName: 'chromium',
    viewport: { width: 1180, height: 760 },
    actionTimeout: 10_000,
    trace: 'retain-on-failure',
    launchOptions: CHROMIUM_LAUNCH,
  },
})
