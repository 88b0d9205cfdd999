// Smoke test in a real Electron: `npm run test:electron` (builds, then launches the app in demo
// mode). Drives the page through window.tokendeck, so it exercises the real preload, contextBridge,
// IPC sender checks, handler table, sandbox providers and clipboard. Skips, saying why, where the
// Electron binary is not installed.
import fs from 'node:fs'
import path from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'
import type { TokenDeckApi } from '../../src/preload/api'
import { electronBinary } from './electron-binary'

const binary = electronBinary()
const root = path.resolve(import.meta.dirname, '../..')

/** The page's global, for typing inside page.evaluate (functions there are serialized, so each
 * one reaches window.tokendeck itself; CDP evaluation is not subject to the page's CSP). */
type G = { tokendeck: TokenDeckApi }

test.skip('skip' in binary, 'skip' in binary ? binary.skip : '')

test('demo mode: login, copy and revoke through the real preload and IPC', async () => {
  if ('skip' in binary) return
  expect(fs.existsSync(path.join(root, 'out/main/index.js')), 'run electron-vite build').toBe(true)
  const packaged = process.env['TOKENDECK_E2E_APP'] !== undefined
  const app = await electron.launch({
    ...(packaged ? { executablePath: binary.path } : {}),
    args: packaged ? ['--demo'] : [root, '--demo'],
    cwd: root,
  })
  try {
    const page = await app.firstWindow()
    await page.waitForFunction(() => 'tokendeck' in globalThis)
    expect(page.url()).toBe('app://tokendeck/index.html')

    // The page has no Node, no ipcRenderer, and no network.
    expect(
      await page.evaluate(() => typeof (globalThis as Record<string, unknown>)['require']),
    ).toBe('undefined')
    expect(
      await page.evaluate(() => typeof (globalThis as Record<string, unknown>)['process']),
    ).toBe('undefined')
    expect(
      await page.evaluate(() =>
        fetch('app://tokendeck/index.html').then(
          () => 'fetched',
          () => 'blocked',
        ),
      ),
    ).toBe('blocked')
    // Demo mode is on (started from the --demo flag) with seeded accounts.
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as G).tokendeck.app.status()))
      .toMatchObject({ value: { demo: true, vault: { unlocked: true } } })
    const snap = await page.evaluate(() =>
      (globalThis as unknown as G).tokendeck.accounts.snapshot(),
    )
    expect(snap.ok).toBe(true)
    const ci = snap.ok ? snap.value.accounts.find((a) => a.label === 'acme-ci') : undefined
    expect(ci?.current).toBeNull()

    const login = await page.evaluate(
      (id) => (globalThis as unknown as G).tokendeck.tokens.login(id),
      ci!.id,
    )
    expect(login).toMatchObject({ ok: true, value: { reused: false } })

    const copy = await page.evaluate(
      (id) => (globalThis as unknown as G).tokendeck.tokens.copyHeader(id),
      ci!.id,
    )
    expect(copy).toMatchObject({ ok: true, value: { label: 'acme-ci', reused: true } })
    const copied = await app.evaluate(({ clipboard }) => clipboard.readText())
    expect(copied).toMatch(/^Authorization: Token [0-9a-f]{40}$/)

    const revoke = await page.evaluate(
      (id) => (globalThis as unknown as G).tokendeck.tokens.revoke(id, { all: true }),
      ci!.id,
    )
    expect(revoke.ok).toBe(true)
    const after = await page.evaluate(() =>
      (globalThis as unknown as G).tokendeck.accounts.snapshot(),
    )
    expect(after.ok && after.value.accounts.find((a) => a.label === 'acme-ci')?.current).toBeNull()

    // No token ever reached the page.
    const token = copied.split(' ').at(-1)!
    expect(JSON.stringify([login, copy, revoke, after])).not.toContain(token)

    fs.mkdirSync(path.join(root, 'test-results'), { recursive: true })
    await page.screenshot({ path: path.join(root, 'test-results/electron-demo.png') })
  } finally {
    await app.close()
  }
})
