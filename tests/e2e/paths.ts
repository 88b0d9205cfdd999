// Where the harness keeps its files (all under the Playwright output folder).
import path from 'node:path'

export const ROOT = path.resolve(import.meta.dirname, '../..')
export const RENDERER_DIR = path.join(ROOT, 'out/renderer')
export const HARNESS_DIR = path.join(ROOT, 'test-results/.harness')
export const API_BUNDLE = path.join(HARNESS_DIR, 'api.js')
export const MAIN_BUNDLE = path.join(HARNESS_DIR, 'main.mjs')
export const IPC_LOG_DIR = path.join(HARNESS_DIR, 'ipc')
export const SCREENS_DIR = path.join(ROOT, 'test-results/screens')
