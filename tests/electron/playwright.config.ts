// Playwright config for the real-Electron smoke test (npm run test:electron). Not part of
// `npm test`: it needs the Electron binary, which CI machines without network do not have.
import { defineConfig } from '@playwright/test'

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 90_000,
  workers: 1,
  retries: 0,
  reporter: 'list',
  outputDir: '../../test-results/electron',
})
