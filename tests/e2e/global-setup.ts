// Before the suite: make sure a Chromium is there (tests/e2e/chromium.ts), say how the waits scale
// with this machine (machine-scale.ts; measured when the config loaded), build the renderer if
// it is older than its sources (electron-vite build), bundle the preload's API factory for the page
// (vite, IIFE, global TokenDeckHarness) and the main-process services for the test process (vite
// SSR build of main-entry.ts).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { build } from 'vite'
import { ensureChromium } from './chromium'
import { describeScale } from './machine-scale'
import { API_BUNDLE, HARNESS_DIR, MAIN_BUNDLE, RENDERER_DIR, ROOT } from './paths'

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs)
    }
  }
  return newest
}

function rendererIsStale(): boolean {
  const index = path.join(RENDERER_DIR, 'index.html')
  if (!fs.existsSync(index)) return true
  const built = fs.statSync(index).mtimeMs
  const sources = Math.max(
    newestMtime(path.join(ROOT, 'src/renderer')),
    newestMtime(path.join(ROOT, 'src/shared')),
  )
  return sources > built
}

export default async function globalSetup(): Promise<void> {
  ensureChromium('e2e')
  // The factor playwright.config.ts measured (or was given) for every wait of this run.
  console.error(`[e2e] ${describeScale()}`)
  if (rendererIsStale()) {
    // Build output goes to stderr: bench/renderer.ts prints its JSON on stdout.
    execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] })
  }
  fs.mkdirSync(HARNESS_DIR, { recursive: true })
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    build: {
      outDir: HARNESS_DIR,
      emptyOutDir: false,
      minify: false,
      sourcemap: false,
      lib: {
        entry: path.join(ROOT, 'tests/e2e/harness-entry.ts'),
        formats: ['iife'],
        name: 'TokenDeckHarness',
        fileName: () => path.basename(API_BUNDLE),
      },
    },
  })
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    build: {
      ssr: path.join(ROOT, 'tests/e2e/main-entry.ts'),
      outDir: HARNESS_DIR,
      emptyOutDir: false,
      minify: false,
      sourcemap: false,
      target: 'node22',
      rollupOptions: { output: { format: 'es', entryFileNames: path.basename(MAIN_BUNDLE) } },
    },
  })
  for (const f of [API_BUNDLE, MAIN_BUNDLE]) {
    if (!fs.existsSync(f)) throw new Error(`harness bundle missing: ${f}`)
  }
}
