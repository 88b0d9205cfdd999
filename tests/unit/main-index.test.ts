// The composition root with the faked electron module: import it, fire "ready", and check what it
// built. electron-store is replaced by conf (same API), which needs no Electron.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type * as FakeModule from '../mocks/electron'

vi.mock('electron', () => import('../mocks/electron'))
vi.mock('electron-store', async () => ({ default: (await import('conf')).default }))

type Fake = typeof FakeModule

const lines: string[] = []
let fake: Fake
let argv: string[]

beforeEach(async () => {
  vi.resetModules()
  lines.length = 0
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.join(' '))
  })
  argv = [...process.argv]
  delete process.env['NODE_TLS_REJECT_UNAUTHORIZED']
  delete process.env['ELECTRON_RENDERER_URL']
  // The mocked module survives resetModules: take that instance and reset it.
  fake = (await import('electron')) as unknown as Fake
  fake.resetElectronFake()
})

afterEach(async () => {
  process.argv.splice(0, process.argv.length, ...argv)
  delete process.env['NODE_TLS_REJECT_UNAUTHORIZED']
  vi.restoreAllMocks()
})

async function boot(): Promise<void> {
  await import('../../src/main/index.main')
  fake.app.fireReady()
  await vi.waitFor(() => expect(lines).toContain('[tokendeck] startup: ready'), {
    timeout: 20_000,
  })
}

async function quit(): Promise<void> {
  fake.app.emit('before-quit', fake.fakeEvent())
  const e = fake.fakeEvent()
  fake.app.emit('will-quit', e)
  expect(e.defaultPrevented).toBe(true)
  await vi.waitFor(() => expect(fake.app.quits).toBe(1), { timeout: 10_000 })
}

describe('src/main/index.main.ts', () => {
  it('builds the window, the tray, the IPC table, the shortcut; cleans up on quit', async () => {
    const { INVOKE_CHANNELS, INVOKE, EVENTS } = await import('../../src/shared/ipc/channels')
    await boot()

    expect(fake.app.sandboxEnabled).toBe(true)
    expect(fake.protocol.privileged).toMatchObject([{ scheme: 'app' }])
    expect(fake.protocol.handlers.has('app')).toBe(true)
    expect(fake.session.defaultSession.permissionRequestHandler).not.toBeNull()
    expect(fake.session.defaultSession.permissionCheckHandler).not.toBeNull()

    expect(fake.BrowserWindow.all).toHaveLength(1)
    const win = fake.BrowserWindow.all[0]!
    expect(win.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    })
    expect(String(win.webPreferences['preload'])).toMatch(/preload[\\/]index\.cjs$/)
    expect(win.loaded).toEqual(['app://tokendeck/index.html'])

    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort())
    const trusted = { sender: win.webContents, senderFrame: win.webContents.mainFrame }
    const status = (await fake.ipcMain.invoke(INVOKE.appStatus, trusted)) as {
      ok: boolean
      value: { vault: { exists: boolean; dir: string }; protection: { backend: string } }
    }
    expect(status.ok).toBe(true)
    expect(status.value.vault.exists).toBe(false)
    expect(fake.app.getName()).toBe('TokenDeck')
    expect(fake.app.getPath('userData')).toBe(path.join(fake.app.getPath('appData'), 'TokenDeck'))
    expect(status.value.vault.dir).toBe(path.join(fake.app.getPath('userData'), 'vault'))
    expect(status.value.protection.backend).toBe(
      process.platform === 'linux' ? 'gnome_libsecret' : expect.any(String),
    )
    const stranger = new fake.BrowserWindow({})
    const refused = (await fake.ipcMain.invoke(INVOKE.appStatus, {
      sender: stranger.webContents,
      senderFrame: new fake.FakeFrame('app://tokendeck/index.html'),
    })) as { ok: boolean; code: string }
    expect(refused).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' })

    expect(fake.Tray.all).toHaveLength(1)
    expect(fake.Tray.all[0]!.labels()[0]).toBe('No vault yet')

    // Any other webContents the app creates gets the same guards.
    const other = new fake.FakeWebContents()
    fake.app.emit('web-contents-created', fake.fakeEvent(), other)
    expect(other.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
    expect(other.fire('will-navigate', { url: 'https://evil.example/' }).defaultPrevented).toBe(
      true,
    )

    // The global shortcut brings the window up and asks for the search box.
    fake.globalShortcut.press('CommandOrControl+Shift+K')
    expect(win.isVisible()).toBe(true)
    expect(win.webContents.sent.map((s) => s.channel)).toContain(EVENTS.focusSearch)

    // Closing hides (the app lives in the tray); a second launch shows it again.
    win.close()
    expect(win.isVisible()).toBe(false)
    fake.app.emit('second-instance')
    expect(win.isVisible()).toBe(true)

    // Vault changes reach the window as state-changed events.
    await fake.ipcMain.invoke(INVOKE.vaultCreate, trusted, {
      protection: 'os',
    })
    expect(win.webContents.sent).toContainEqual({
      channel: EVENTS.stateChanged,
      payload: { reason: 'vault' },
    })

    // The app serves the agent of its vault; the vault it just created is unlocked.
    const { askAgent } = await import('../../src/main/agent/client')
    const { agentEndpoint } = await import('../../src/main/agent/endpoint')
    const endpoint = agentEndpoint(status.value.vault.dir, process.env)
    const ping = await askAgent(endpoint, { op: 'ping' }, { command: 'main-index.test' })
    expect(ping?.ok && ping.value).toMatchObject({ kind: 'app', unlocked: true })

    // The gateway runs once Settings turn it on: the window hears of it, the tray shows it.
    const { freePort } = await import('../helpers/free-port')
    const port = await freePort()
    await fake.ipcMain.invoke(INVOKE.settingsUpdate, trusted, {
      gatewayEnabled: true,
      gatewayPort: port,
    })
    await vi.waitFor(() =>
      expect(win.webContents.sent.map((s) => s.channel)).toContain(EVENTS.gatewayChanged),
    )
    const gw = (await fake.ipcMain.invoke(INVOKE.gatewayStatus, trusted)) as {
      value: { state: string; port: number }
    }
    expect(gw.value).toMatchObject({ state: 'running', port })
    expect(fake.Tray.all[0]!.labels()).toContain(`Gateway on 127.0.0.1:${port}`)
    const served = await fetch(`http://127.0.0.1:${port}/x/`)
    expect(served.status).toBe(401)

    await quit()
    // Quit closed the gateway.
    await expect(fetch(`http://127.0.0.1:${port}/x/`)).rejects.toThrow()
    expect(fs.existsSync(endpoint)).toBe(false)
    expect(fake.globalShortcut.registered.size).toBe(0)
    expect(fake.Tray.all[0]!.destroyed).toBe(true)
    expect(lines).toContain('[tokendeck] quit: cleaned up')
    // Only one-line tags were logged.
    for (const l of lines) expect(l).toMatch(/^\[tokendeck\] [^\n]+$/)
  })

  it('a browser sign-in: the page opens once in the browser, the window and the tray hear of it', async () => {
    const { INVOKE, EVENTS } = await import('../../src/shared/ipc/channels')
    const { startOauthSandbox } = await import('../../src/main/sandbox')
    const sb = await startOauthSandbox()
    try {
      await boot()
      const win = fake.BrowserWindow.all[0]!
      const trusted = { sender: win.webContents, senderFrame: win.webContents.mainFrame }
      const call = (channel: string, payload?: unknown) =>
        fake.ipcMain.invoke(channel, trusted, payload) as Promise<{
          ok: boolean
          code?: string
          value?: unknown
        }>
      expect((await call(INVOKE.vaultCreate, { protection: 'os' })).ok).toBe(true)
      const text = fs.readFileSync('tests/fixtures/profiles/oauth-code-sandbox.json', 'utf8')
      expect((await call(INVOKE.providersImport, { text })).ok).toBe(true)
      const added = (await call(INVOKE.accountsAdd, {
        label: 'dev',
        providerId: 'oauth-code-sandbox',
        baseUrl: sb.baseUrl,
        fields: { user: 'dev' },
        remember: true,
        login: false,
      })) as { ok: boolean; value: { id: string } }
      expect(added.ok).toBe(true)

      const login = call(INVOKE.tokensLogin, { accountId: added.value.id, force: true })
      // Opened once, through shell.openExternal, at the sandbox's authorization page.
      await vi.waitFor(() => expect(fake.shell.opened).toHaveLength(1), { timeout: 10_000 })
      expect(fake.shell.opened[0]!.startsWith(`${sb.baseUrl}/oauth/authorize?`)).toBe(true)
      const sent = win.webContents.sent.filter((s) => s.channel === EVENTS.loginPrompts)
      const prompts = sent.at(-1)!.payload as { id: string; kind: string; url: string }[]
      expect(prompts).toEqual([
        expect.objectContaining({ kind: 'browser', url: fake.shell.opened[0], userCode: null }),
      ])
      expect(fake.Notification.shown).toContainEqual({
        title: 'Sign in to OAuth browser login (sandbox) as dev',
        body: 'Continue in your browser.',
      })
      win.close()
      fake.Notification.instances.at(-1)!.emit('click')
      expect(win.isVisible()).toBe(true)

      expect((await call(INVOKE.loginsOpen, { id: prompts[0]!.id })).ok).toBe(true)
      expect(fake.shell.opened).toHaveLength(2)
      expect((await call(INVOKE.loginsCancel, { id: prompts[0]!.id })).ok).toBe(true)
      expect(await login).toMatchObject({ ok: false, code: 'CANCELLED' })
      const last = win.webContents.sent.filter((s) => s.channel === EVENTS.loginPrompts).at(-1)
      expect(last?.payload).toEqual([])
      await quit()
    } finally {
      await sb.close()
    }
  })

  it('refuses to start with NODE_TLS_REJECT_UNAUTHORIZED=0', async () => {
    process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0'
    await import('../../src/main/index.main')
    expect(fake.dialog.errors).toHaveLength(1)
    expect(fake.dialog.errors[0]!.content).toContain('NODE_TLS_REJECT_UNAUTHORIZED=0')
    expect(fake.app.exitCode).toBe(1)
    expect(fake.protocol.privileged).toEqual([])
    fake.app.fireReady()
    await new Promise((r) => setTimeout(r, 20))
    expect(fake.BrowserWindow.all).toHaveLength(0)
    expect(fake.ipcMain.handlers.size).toBe(0)
  })

  it('a second instance hands over and quits', async () => {
    fake.app.singleInstance = false
    await import('../../src/main/index.main')
    expect(fake.app.quits).toBe(1)
    fake.app.fireReady()
    await new Promise((r) => setTimeout(r, 20))
    expect(fake.BrowserWindow.all).toHaveLength(0)
  })

  describe('started by the tokendeck launcher (--tokendeck-cli)', () => {
    const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string }

    /** Runs index.main.ts with `argv`; returns what the CLI wrote and the app's exit code. */
    async function launch(args: string[]) {
      const written = { stdout: '', stderr: '' }
      for (const name of ['stdout', 'stderr'] as const) {
        vi.spyOn(process[name], 'write').mockImplementation(((
          chunk: unknown,
          ...rest: unknown[]
        ) => {
          written[name] += String(chunk)
          const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined
          done?.()
          return true
        }) as typeof process.stdout.write)
      }
      vi.resetModules()
      fake.resetElectronFake()
      const listeners = process.listeners('uncaughtException')
      process.argv.splice(0, process.argv.length, process.execPath, ...args)
      try {
        await import('../../src/main/index.main')
        await vi.waitFor(() => expect(fake.app.exitCode).not.toBeNull(), { timeout: 10_000 })
      } finally {
        for (const l of process.listeners('uncaughtException')) {
          if (!listeners.includes(l)) process.off('uncaughtException', l)
        }
      }
      return { ...written, code: fake.app.exitCode }
    }

    it('runs the bundled CLI with what follows the marker and exits with its code', async () => {
      const r = await launch(['--ozone-platform=headless', '--tokendeck-cli', '--version'])
      expect(r).toEqual({ stdout: `tokendeck ${version}\n`, stderr: '', code: 0 })
      const json = await launch(['--tokendeck-cli', 'version', '--json'])
      expect(JSON.parse(json.stdout)).toEqual({ name: 'tokendeck', version })
      // A background agent it starts runs this binary with the marker again.
      expect(process.argv.slice(1)).toEqual(['--tokendeck-cli', 'version', '--json'])
    })

    it('a usage error is the CLI’s exit code 2 and its words on stderr', async () => {
      const r = await launch(['--tokendeck-cli', 'no-such-command'])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toContain('tokendeck: Unknown command "no-such-command".')
    })

    it('sets up nothing of the app: no lock, no app://, no window, tray, IPC or Dock icon', async () => {
      process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0' // the CLI says it ignores it; no dialog
      const r = await launch(['--tokendeck-cli', 'version'])
      expect(r.code).toBe(0)
      expect(r.stderr).toContain('NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored')
      fake.app.fireReady()
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(fake.app.lockRequests).toBe(0)
      expect(fake.app.dock.hides).toBe(1)
      expect(fake.app.sandboxEnabled).toBe(false)
      expect(fake.protocol.privileged).toEqual([])
      expect(fake.dialog.errors).toEqual([])
      expect(fake.BrowserWindow.all).toHaveLength(0)
      expect(fake.Tray.all).toHaveLength(0)
      expect(fake.ipcMain.handlers.size).toBe(0)
      expect(lines).toEqual([])
    })
  })

  it('--demo starts the demo vault in a temp folder and removes it on quit', async () => {
    process.argv.push('--demo')
    await boot()
    expect(lines).toContain('[tokendeck] demo: started')
    const tray = fake.Tray.all[0]!
    expect(tray.labels()[0]).toBe('Demo mode · sandbox providers')
    expect(tray.labels()).toContain('acme-prod · active, no expiry')
    const { INVOKE } = await import('../../src/shared/ipc/channels')
    const win = fake.BrowserWindow.all[0]!
    const status = (await fake.ipcMain.invoke(INVOKE.appStatus, {
      sender: win.webContents,
      senderFrame: win.webContents.mainFrame,
    })) as { value: { demo: boolean; vault: { dir: string } } }
    expect(status.value.demo).toBe(true)
    const demoDir = status.value.vault.dir
    expect(path.basename(demoDir)).toMatch(/^tokendeck-demo-/)
    expect(path.dirname(demoDir)).toBe(os.tmpdir())
    expect(fs.existsSync(path.join(demoDir, 'vault.json'))).toBe(true)

    tray.click('acme-prod ·')
    await vi.waitFor(async () =>
      expect(await fake.clipboard.readText()).toMatch(/^Authorization: Token /),
    )
    await quit()
    // The clipboard held our header: cleared on quit. The demo folder is gone.
    expect(fake.clipboard.items).toBeNull()
    expect(fs.existsSync(demoDir)).toBe(false)
  })
})
