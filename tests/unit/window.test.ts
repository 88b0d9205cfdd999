import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('../mocks/electron'))

const fake = await import('../mocks/electron')
const { AppWindows, guardSession } = await import('../../src/main/window.main')
const { isAllowedExternal, externalAllowList } =
  await import('../../src/main/security/external-url')
const { resolveAppPath, isAppUrl, APP_INDEX_URL } = await import('../../src/main/security/app-url')
const { createAppRequestHandler } = await import('../../src/main/security/app-protocol-handler')
const { APP_SCHEME_PRIVILEGES, registerAppScheme, serveAppProtocol } =
  await import('../../src/main/electron/app-protocol.main')
const { CONTENT_SECURITY_POLICY } = await import('../../src/main/security/csp')

const ALLOW = ['github.com', 'docs.acme.example']
const opened: string[] = []

function makeWindows(devServerUrl: string | null = null) {
  return new AppWindows({
    preload: '/app/out/preload/index.cjs',
    devServerUrl,
    allowList: ALLOW,
    devTools: false,
    openExternal: async (url) => {
      opened.push(url)
    },
  })
}

beforeEach(() => {
  opened.length = 0
})

describe('the main window', () => {
  it('is created with exactly the locked-down webPreferences', () => {
    const win = makeWindows().create() as unknown as InstanceType<typeof fake.BrowserWindow>
    expect(win.webPreferences).toEqual({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: false,
    })
    expect(win.webPreferences).not.toHaveProperty('enableBlinkFeatures')
    expect(win.loaded).toEqual([APP_INDEX_URL])
  })

  it('loads the dev server in development', () => {
    const win = makeWindows('http://localhost:5173').create() as unknown as InstanceType<
      typeof fake.BrowserWindow
    >
    expect(win.loaded).toEqual(['http://localhost:5173'])
  })

  it('blocks navigation and redirects to other origins; allows its own', () => {
    const win = makeWindows().create() as unknown as InstanceType<typeof fake.BrowserWindow>
    const wc = win.webContents
    for (const url of [
      'https://evil.example/',
      'file:///etc/passwd',
      'app://other/index.html',
      'http://localhost:5173/',
    ]) {
      expect(wc.fire('will-navigate', { url }).defaultPrevented).toBe(true)
      expect(wc.fire('will-redirect', { url }).defaultPrevented).toBe(true)
      expect(wc.fire('will-frame-navigate', { url }).defaultPrevented).toBe(true)
    }
    expect(wc.fire('will-navigate', { url: 'app://tokendeck/index.html' }).defaultPrevented).toBe(
      false,
    )
    expect(opened).toEqual([])
    // A blocked navigation to an allow-listed https page goes to the browser instead.
    expect(wc.fire('will-navigate', { url: 'https://github.com/x' }).defaultPrevented).toBe(true)
    expect(opened).toEqual(['https://github.com/x'])
  })

  it('in development trusts the dev server origin only', () => {
    const win = makeWindows('http://localhost:5173').create() as unknown as InstanceType<
      typeof fake.BrowserWindow
    >
    const wc = win.webContents
    expect(wc.fire('will-navigate', { url: 'http://localhost:5173/x' }).defaultPrevented).toBe(
      false,
    )
    expect(wc.fire('will-navigate', { url: 'http://localhost:5174/' }).defaultPrevented).toBe(true)
  })

  it('denies window.open, opening only allow-listed https links externally', () => {
    const wc = (makeWindows().create() as unknown as InstanceType<typeof fake.BrowserWindow>)
      .webContents
    const handler = wc.windowOpenHandler!
    expect(handler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
    expect(handler({ url: 'https://docs.acme.example/auth' })).toEqual({ action: 'deny' })
    expect(opened).toEqual(['https://docs.acme.example/auth'])
  })

  it('refuses <webview>', () => {
    const wc = (makeWindows().create() as unknown as InstanceType<typeof fake.BrowserWindow>)
      .webContents
    expect(wc.fire('will-attach-webview').defaultPrevented).toBe(true)
  })

  it('hides on close unless quitting', () => {
    const windows = makeWindows()
    const win = windows.create() as unknown as InstanceType<typeof fake.BrowserWindow>
    win.show()
    expect(win.close()).toBe(false)
    expect(win.isVisible()).toBe(false)
    expect(windows.owns(win.webContents as never)).toBe(true)
    windows.quitting = true
    expect(win.close()).toBe(true)
    expect(windows.owns(win.webContents as never)).toBe(false)
    expect(windows.window).toBeNull()
    // show() after that creates a new window.
    const again = windows.show() as unknown as InstanceType<typeof fake.BrowserWindow>
    expect(again).not.toBe(win)
    expect(again.isVisible()).toBe(true)
  })

  it('sends events only to its own windows', () => {
    const windows = makeWindows()
    const mine = windows.create() as unknown as InstanceType<typeof fake.BrowserWindow>
    const stranger = new fake.BrowserWindow({})
    windows.send('vault:state-changed', { reason: 'vault' })
    expect(mine.webContents.sent).toEqual([
      { channel: 'vault:state-changed', payload: { reason: 'vault' } },
    ])
    expect(stranger.webContents.sent).toEqual([])
  })

  it('denies every permission request and check, devices and downloads', () => {
    const ses = new fake.FakeSession()
    guardSession(ses as never)
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
      let granted: boolean | undefined
      ses.permissionRequestHandler!(
        ...([{}, permission, (g: boolean) => (granted = g), {}] as never[]),
      )
      expect(granted).toBe(false)
      expect(
        ses.permissionCheckHandler!(...([{}, permission, 'app://tokendeck', {}] as never[])),
      ).toBe(false)
    }
    expect(ses.devicePermissionHandler!(...([{}] as never[]))).toBe(false)
    const e = fake.fakeEvent()
    ses.emit('will-download', e)
    expect(e.defaultPrevented).toBe(true)
  })
})

describe('opening links externally', () => {
  it.each([
    ['https://github.com/tokendeck/docs', true],
    ['https://GITHUB.com/x', true],
    ['https://docs.acme.example/auth#x', true],
    ['https://x.com.attacker.example', false],
    ['https://github.com.attacker.example/', false],
    ['https://attacker.example/github.com', false],
    ['https://evilgithub.com/', false],
    ['https://user:pw@github.com/', false],
    ['https://github.com:8443/', false],
    ['javascript:alert(1)', false],
    ['file:///etc/passwd', false],
    ['http://docs.acme.example/auth', false],
    ['app://tokendeck/index.html', false],
    ['not a url', false],
    ['', false],
  ])('%s -> %s', (url, allowed) => {
    expect(isAllowedExternal(url, ALLOW)).toBe(allowed)
  })

  it('refuses non-strings', () => {
    expect(isAllowedExternal(undefined, ALLOW)).toBe(false)
    expect(isAllowedExternal({ href: 'https://github.com' }, ALLOW)).toBe(false)
  })

  it('builds the allow-list from the project docs and https docsUrl hosts only', () => {
    expect(
      externalAllowList([
        { docsUrl: 'https://Docs.Provider.example/a' },
        { docsUrl: 'http://insecure.example/' },
        {},
      ]),
    ).toEqual(['docs.provider.example', 'github.com'])
  })
})

describe('app:// path resolution', () => {
  const root = path.join(os.tmpdir(), 'tokendeck-root')

  it.each([
    ['/', 'index.html'],
    ['/index.html', 'index.html'],
    ['/assets/index-1JYUmJJt.js', 'assets/index-1JYUmJJt.js'],
    ['/assets/a%20b.css', 'assets/a b.css'],
    ['/index.html?x=1#y', 'index.html'],
  ])('serves %s', (raw, rel) => {
    expect(resolveAppPath(root, raw)).toEqual({ ok: true, file: path.join(root, rel) })
  })

  it.each([
    '/../etc/passwd',
    '/assets/../../etc/passwd',
    '/%2e%2e/etc/passwd',
    '/%2E%2E/%2e%2e/etc/passwd',
    '/..%2f..%2fetc%2fpasswd',
    '/..%5c..%5cwindows',
    '/assets/%2e/x.js',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/C:/Windows/win.ini',
    '/assets\\..\\..\\x',
    '/index.html%00.png',
    '/%E0%A4%A',
    'etc/passwd',
    '/' + 'a/'.repeat(600),
  ])('refuses %s', (raw) => {
    const r = resolveAppPath(root, raw)
    expect(r.ok).toBe(false)
  })

  it('knows its own origin', () => {
    expect(isAppUrl('app://tokendeck/index.html')).toBe(true)
    expect(isAppUrl('app://tokendeck.evil/index.html')).toBe(false)
    expect(isAppUrl('app://user@tokendeck/')).toBe(false)
    expect(isAppUrl('https://tokendeck/')).toBe(false)
    expect(isAppUrl('http://localhost:5173/', null)).toBe(false)
  })
})

describe('the app:// protocol handler', () => {
  let root: string
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-renderer-'))
    fs.mkdirSync(path.join(root, 'assets'))
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>TokenDeck</title>')
    fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)')
    fs.writeFileSync(path.join(path.dirname(root), 'tokendeck-secret.txt'), 'outside')
  })
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

  it('is registered as a secure standard scheme without CSP bypass', () => {
    registerAppScheme(fake.protocol as never)
    expect(fake.protocol.privileged).toContainEqual(APP_SCHEME_PRIVILEGES)
    expect(APP_SCHEME_PRIVILEGES.privileges).toMatchObject({
      standard: true,
      secure: true,
      bypassCSP: false,
    })
    serveAppProtocol(fake.protocol as never, root)
    expect(fake.protocol.handlers.has('app')).toBe(true)
  })

  it('serves index.html and assets with the CSP and nosniff headers', async () => {
    const handle = createAppRequestHandler(root)
    const index = await handle(new Request('app://tokendeck/'))
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(index.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await index.text()).toContain('<title>TokenDeck</title>')
    const js = await handle(new Request('app://tokendeck/assets/app.js'))
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(js.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
  })

  it('never serves a file outside the root, and refuses other hosts and methods', async () => {
    const handle = createAppRequestHandler(root)
    for (const url of [
      'app://tokendeck/../tokendeck-secret.txt',
      'app://tokendeck/%2e%2e/tokendeck-secret.txt',
      'app://tokendeck/..%2ftokendeck-secret.txt',
      'app://tokendeck/missing.js',
      'app://other/index.html',
    ]) {
      const r = await handle(new Request(url))
      expect(r.status, url).toBeGreaterThanOrEqual(400)
      expect(await r.text()).not.toContain('outside')
      expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    }
    const post = await handle(new Request('app://tokendeck/index.html', { method: 'POST' }))
    expect(post.status).toBe(405)
  })

  it('sends the same policy the renderer declares in its <meta>', () => {
    const html = fs.readFileSync(path.resolve('src/renderer/index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html)
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY)
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'none'")
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/)
  })

  it('serves the real renderer build when there is one', async () => {
    const out = path.resolve('out/renderer')
    if (!fs.existsSync(path.join(out, 'index.html'))) return
    const r = await createAppRequestHandler(out)(new Request('app://tokendeck/index.html'))
    expect(r.status).toBe(200)
    expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
  })
})
