import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    setupFiles: ['tests/setup/state-dir.ts'],
    globalSetup: ['tests/setup/postgres-global.ts'],
    environment: 'node',
    // Real servers and real child processes: give slow CI machines room, never sleep-based asserts.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Every core: Vitest's default leaves one free, which is one file at a time on 2 cores.
    maxWorkers: '100%',
  },
})
