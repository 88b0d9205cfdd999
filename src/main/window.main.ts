// The main window and its guards: locked-down webPreferences, no navigation away from the app, no
// new windows, no <webview>, every permission denied, and links opened in the browser only when
// they are https to an allow-listed host. Closing the window hides it (the app lives in the tray).
import { BrowserWindow, shell, type Session, type WebContents } from 'electron'
import { APP_INDEX_URL, isAppUrl } from './security/app-url'
import { isAllowedExternal } from './security/external-url'

export interface WindowOptions {
  preload: string
  /** ELECTRON_RENDERER_URL in development (electron-vite dev); null loads app://tokendeck. */
  devServerUrl: string | null
  allowList: readonly string[]
  devTools: boolean
  log?: (line: string) => void
  /** Opens a URL in the user's browser (shell.openExternal in the app). */
  openExternal?: (url: string) => Promise<void>
}

/** Opens `url` in the browser only if it passes the allow-list; says whether it did. */
export function openExternalSafely(
  url: string,
  allowList: readonly string[],
  open: (url: string) => Promise<void>,
  log: (line: string) => void = () => {},
): boolean {
  if (!isAllowedExternal(url, allowList)) {
    log('window: refused to open a link that is not on the allow-list')
    return false
  }
  open(url).catch(() => log('window: the browser did not open the link'))
  return true
}

const guarded = new WeakSet<WebContents>()

/**
 * Navigation, new-window and webview guards on one webContents. Idempotent: index.main.ts applies
 * it to every webContents the app ever creates ('web-contents-created'), AppWindows to its own.
 */
export function guardContents(contents: WebContents, o: WindowOptions): void {
  if (guarded.has(contents)) return
  guarded.add(contents)
  const log = o.log ?? (() => {})
  const open = o.openExternal ?? ((url: string) => shell.openExternal(url))
  const inApp = (url: string) => isAppUrl(url, o.devServerUrl)

  contents.on('will-navigate', (event) => {
    if (inApp(event.url)) return
    event.preventDefault()
    log('window: blocked a navigation away from the app')
    openExternalSafely(event.url, o.allowList, open, log)
  })
  contents.on('will-frame-navigate', (event) => {
    if (inApp(event.url)) return
    event.preventDefault()
    log('window: blocked a frame navigation away from the app')
  })
  contents.on('will-redirect', (event) => {
    if (inApp(event.url)) return
    event.preventDefault()
    log('window: blocked a redirect away from the app')
  })
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
    log('window: blocked a <webview>')
  })
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url, o.allowList, open, log)
    return { action: 'deny' }
  })
}

/** Denies every permission request and check, device access and downloads for a session. */
export function guardSession(ses: Session, log: (line: string) => void = () => {}): void {
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`window: denied a permission request (${permission})`)
    callback(false)
  })
  ses.setPermissionCheckHandler(() => false)
  ses.setDevicePermissionHandler(() => false)
  ses.on('will-download', (event) => {
    event.preventDefault()
    log('window: blocked a download')
  })
}

/** Owns the app's windows: which webContents are ours, showing, hiding and quitting. */
export class AppWindows {
  private main: BrowserWindow | null = null
  private readonly contents = new Set<WebContents>()
  /** Set on before-quit: closing then really closes instead of hiding. */
  quitting = false

  constructor(private readonly o: WindowOptions) {}

  /** True when `contents` belongs to a window this app created (and still has). */
  owns(contents: WebContents): boolean {
    return this.contents.has(contents)
  }

  get window(): BrowserWindow | null {
    return this.main
  }

  /** Creates the main window (hidden until ready) and loads the renderer. */
  create(): BrowserWindow {
    if (this.main && !this.main.isDestroyed()) return this.main
    // Written out here (not built elsewhere) so the static scan (Electronegativity) sees it.
    const win = new BrowserWindow({
      width: 1100,
      height: 720,
      minWidth: 720,
      minHeight: 480,
      show: false,
      title: 'TokenDeck',
      autoHideMenuBar: true,
      webPreferences: {
        preload: this.o.preload,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        // Middle-click would otherwise try to open links in new windows.
        disableBlinkFeatures: 'Auxclick',
        navigateOnDragDrop: false,
        safeDialogs: true,
        spellcheck: false,
        devTools: this.o.devTools,
      },
    })
    const contents = win.webContents
    this.contents.add(contents)
    guardContents(contents, this.o)
    win.on('close', (event) => {
      if (this.quitting) return
      event.preventDefault()
      win.hide()
    })
    win.on('closed', () => {
      this.contents.delete(contents)
      if (this.main === win) this.main = null
    })
    win.once('ready-to-show', () => win.show())
    this.main = win
    void win.loadURL(this.o.devServerUrl ?? APP_INDEX_URL).catch(() => {
      this.o.log?.('window: the renderer did not load')
    })
    return win
  }

  /** Brings the main window up, creating it if needed. */
  show(): BrowserWindow {
    const win = this.main && !this.main.isDestroyed() ? this.main : this.create()
    if (win.isMinimized()) win.restore()
    win.show()
    win.focus()
    return win
  }

  /** Sends an event to the app's own windows only. */
  send(channel: string, payload?: unknown): void {
    for (const contents of this.contents) {
      if (!contents.isDestroyed()) contents.send(channel, payload)
    }
  }
}
