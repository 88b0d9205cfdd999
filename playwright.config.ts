// End-to-end tests in Chromium (Debian's, else Playwright's own: tests/e2e/chromium.ts) against the
// built renderer and the real main-process services (tests/e2e/harness.ts, GUIDE.md "E2E harness").
// The waits scale with the machine (tests/e2e/machine-scale.ts): TOKENDECK_E2E_SCALE, or a factor
// measured when this config loads (CPU speed, load per core); never below the base waits.
import { defineConfig } from '@playwright/test'
import { CHROMIUM_LAUNCH } from './tests/e2e/chromium'
import { E2E_WORKERS, scaledWaits } from './tests/e2e/machine-scale'

const waits = scaledWaits()

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results/',
  globalSetup: './tests/e2e/global-setup.ts',
  globalTeardown: './tests/e2e/global-teardown.ts',
  fullyParallel: false,
  workers: E2E_WORKERS,
  retries: 0,
  timeout: waits.test,
  expect: { timeout: waits.expect },
  reporter: 'list',
  use: {
    browserName: 'chromium',
    viewport: { width: 1180, height: 760 },
    actionTimeout: waits.action,
    trace: 'retain-on-failure',
    launchOptions: CHROMIUM_LAUNCH,
  },
})
