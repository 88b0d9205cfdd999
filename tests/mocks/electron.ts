// A faked `electron` module for Vitest, in the spirit of electron/fiddle's tests/mocks: just
// enough of each API for the main-process glue to run, and everything it does is recorded.
// Use: vi.mock('electron', () => import('../mocks/electron')), then import { fake } from here.
import { EventEmitter } from 'node:events'
import os from 'node:os'
import path from 'node:path'
import fs from 'node:fs'

type Fn = (...args: never[]) => unknown

/** An Electron-style event object: preventDefault() and the event's own fields. */
export function fakeEvent<T extends object>(fields: T = {} as T) {
  const e = {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      e.defaultPrevented = true
    },
  }
  return e
}

export class FakeFrame {
  parent: FakeFrame | null = null
  constructor(public url: string) {}
  get top(): FakeFrame {
    return this.parent ? this.parent.top : this
  }
}

let nextId = 1

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++
  readonly sent: { channel: string; payload: unknown }[] = []
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null
  mainFrame = new FakeFrame('about:blank')
  destroyed = false
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler
  }
  send(channel: string, payload?: unknown) {
    this.sent.push({ channel, payload })
  }
  isDestroyed() {
    return this.destroyed
  }
  /** Emits `name` with an event object carrying `fields`; returns the event. */
  fire(name: string, fields: object = {}) {
    const e = fakeEvent(fields)
    this.emit(name, e)
    return e
  }
}

export class BrowserWindow extends EventEmitter {
  static readonly all: BrowserWindow[] = []
  readonly webContents = new FakeWebContents()
  readonly loaded: string[] = []
  visible = false
  destroyed = false
  minimized = false
  focused = 0
  constructor(readonly options: { webPreferences?: Record<string, unknown> } & object = {}) {
    super()
    BrowserWindow.all.push(this)
  }
  get webPreferences(): Record<string, unknown> {
    return this.options.webPreferences ?? {}
  }
  static fromWebContents(contents: unknown): BrowserWindow | null {
    return BrowserWindow.all.find((w) => w.webContents === contents && !w.destroyed) ?? null
  }
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.all.filter((w) => !w.destroyed)
  }
  async loadURL(url: string) {
    this.loaded.push(url)
    this.webContents.mainFrame.url = url
  }
  show() {
    this.visible = true
  }
  hide() {
    this.visible = false
  }
  focus() {
    this.focused++
  }
  restore() {
    this.minimized = false
  }
  isMinimized() {
    return this.minimized
  }
  isVisible() {
    return this.visible
  }
  isDestroyed() {
    return this.destroyed
  }
  /** Like a user closing the window: 'close' may be prevented, else the window goes away. */
  close() {
    const e = fakeEvent()
    this.emit('close', e)
    if (e.defaultPrevented) return false
    this.destroyed = true
    this.webContents.destroyed = true
    this.emit('closed')
    return true
  }
}

class Handlers<T extends Fn> {
  readonly map = new Map<string, T>()
}

class IpcMain extends EventEmitter {
  readonly handlers = new Handlers<(event: unknown, payload: unknown) => unknown>().map
  handle(channel: string, fn: (event: unknown, payload: unknown) => unknown) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`)
    this.handlers.set(channel, fn)
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel)
  }
  /** What the renderer's ipcRenderer.invoke would do, with a chosen sender. */
  async invoke(channel: string, event: unknown, payload?: unknown) {
    const h = this.handlers.get(channel)
    if (!h) throw new Error(`No handler registered for '${channel}'`)
    return h(event, payload)
  }
}
export const ipcMain = new IpcMain()

class IpcRenderer extends EventEmitter {
  readonly invoked: { channel: string; payload: unknown }[] = []
  reply: (channel: string, payload: unknown) => unknown = () => ({ ok: true, value: null })
  async invoke(channel: string, payload: unknown) {
    this.invoked.push({ channel, payload })
    return this.reply(channel, payload)
  }
}
export const ipcRenderer = new IpcRenderer()

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown) {
    this.exposed.set(key, api)
  },
}

class App extends EventEmitter {
  isPackaged = false
  ready = false
  singleInstance = true
  sandboxEnabled = false
  quits = 0
  exitCode: number | null = null
  userData = ''
  /** Calls to requestSingleInstanceLock. */
  lockRequests = 0
  /** macOS's Dock (undefined elsewhere in Electron; here always, recording hide()). */
  readonly dock = {
    hides: 0,
    hide() {
      this.hides++
    },
  }
  private readyResolve: () => void = () => {}
  private readyPromise = new Promise<void>((r) => (this.readyResolve = r))
  /** Test helper: back to a fresh, not-ready app. */
  reset() {
    this.removeAllListeners()
    this.isPackaged = false
    this.ready = false
    this.singleInstance = true
    this.sandboxEnabled = false
    this.quits = 0
    this.exitCode = null
    this.userData = ''
    this.lockRequests = 0
    this.dock.hides = 0
    this.name = 'tokendeck'
    this.paths.clear()
    this.readyPromise = new Promise<void>((r) => (this.readyResolve = r))
  }
  whenReady() {
    return this.readyPromise
  }
  isReady() {
    return this.ready
  }
  /** Test helper: the 'ready' moment. */
  fireReady() {
    this.ready = true
    this.readyResolve()
    this.emit('ready')
  }
  name = 'tokendeck'
  readonly paths = new Map<string, string>()
  /** Every path is one temp folder unless set with setPath (like userData in the app). */
  getPath(name: string) {
    const set = this.paths.get(name)
    if (set) return set
    if (!this.userData) this.userData = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-fake-'))
    return this.userData
  }
  setPath(name: string, value: string) {
    if (this.ready && name === 'userData') throw new Error('set userData before ready')
    this.paths.set(name, value)
  }
  getName() {
    return this.name
  }
  setName(name: string) {
    this.name = name
  }
  getVersion() {
    return '0.1.0'
  }
  requestSingleInstanceLock() {
    this.lockRequests++
    return this.singleInstance
  }
  getAppPath() {
    return process.cwd()
  }
  enableSandbox() {
    this.sandboxEnabled = true
  }
  quit() {
    this.quits++
  }
  exit(code = 0) {
    this.exitCode = code
  }
}
export const app = new App()

export const protocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
  registerSchemesAsPrivileged(schemes: unknown[]) {
    this.privileged.push(...schemes)
  },
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>) {
    this.handlers.set(scheme, handler)
  },
}

export class FakeSession extends EventEmitter {
  permissionRequestHandler: Fn | null = null
  permissionCheckHandler: Fn | null = null
  devicePermissionHandler: Fn | null = null
  setPermissionRequestHandler(h: Fn | null) {
    this.permissionRequestHandler = h
  }
  setPermissionCheckHandler(h: Fn | null) {
    this.permissionCheckHandler = h
  }
  setDevicePermissionHandler(h: Fn | null) {
    this.devicePermissionHandler = h
  }
}
export const session = { defaultSession: new FakeSession() }

export const shell = {
  opened: [] as string[],
  async openExternal(url: string) {
    this.opened.push(url)
  },
}

export class ClipboardItem {
  readonly types: string[]
  constructor(readonly items: Record<string, unknown>) {
    this.types = Object.keys(items)
  }
}

/** An in-memory clipboard holding the last write (text or ClipboardItems). */
export const clipboard = {
  items: null as Record<string, unknown> | null,
  writes: [] as Record<string, unknown>[],
  clears: 0,
  async writeText(text: string) {
    this.items = { 'text/plain': text }
    this.writes.push(this.items)
  },
  async readText() {
    const t = this.items?.['text/plain']
    return typeof t === 'string' ? t : ''
  },
  async write(data: ClipboardItem[]) {
    const merged: Record<string, unknown> = {}
    for (const item of data) Object.assign(merged, item.items)
    this.items = merged
    this.writes.push(merged)
  },
  async has(type: string) {
    return this.items !== null && type in this.items
  },
  clear() {
    this.items = null
    this.clears++
  },
}

export class FakeImage {
  readonly reps: { scaleFactor: number; bytes: number }[] = []
  template = false
  addRepresentation(o: { scaleFactor: number; buffer?: Buffer }) {
    this.reps.push({ scaleFactor: o.scaleFactor, bytes: o.buffer?.length ?? 0 })
  }
  setTemplateImage(on: boolean) {
    this.template = on
  }
  isEmpty() {
    return this.reps.length === 0
  }
}
export const nativeImage = {
  createFromBuffer(buffer: Buffer, o: { scaleFactor?: number } = {}) {
    const img = new FakeImage()
    img.addRepresentation({ scaleFactor: o.scaleFactor ?? 1, buffer })
    return img
  },
  createEmpty() {
    return new FakeImage()
  },
}

export interface FakeMenuItem {
  label?: string
  type?: string
  enabled?: boolean
  click?: () => void
}
export class Menu {
  constructor(readonly items: FakeMenuItem[]) {}
  static buildFromTemplate(template: FakeMenuItem[]) {
    return new Menu(template)
  }
}

export class Tray extends EventEmitter {
  static readonly all: Tray[] = []
  menu: Menu | null = null
  tooltip = ''
  destroyed = false
  constructor(readonly image: unknown) {
    super()
    Tray.all.push(this)
  }
  setContextMenu(menu: Menu | null) {
    this.menu = menu
  }
  setToolTip(t: string) {
    this.tooltip = t
  }
  destroy() {
    this.destroyed = true
  }
  /** Test helper: the labels of the current menu. */
  labels(): string[] {
    return (this.menu?.items ?? []).map((i) => (i.type === 'separator' ? '---' : (i.label ?? '')))
  }
  /** Test helper: clicks the first enabled item whose label starts with `prefix`. */
  click(prefix: string) {
    const item = this.menu?.items.find((i) => i.label?.startsWith(prefix) && i.click)
    if (!item?.click) throw new Error(`no clickable tray item "${prefix}" in ${this.labels()}`)
    item.click()
  }
}

export class Notification extends EventEmitter {
  static supported = true
  static readonly shown: { title?: string; body?: string }[] = []
  /** Every notification shown, newest last (a test clicks one with emit('click')). */
  static readonly instances: Notification[] = []
  static isSupported() {
    return Notification.supported
  }
  constructor(readonly options: { title?: string; body?: string }) {
    super()
  }
  show() {
    Notification.shown.push({ title: this.options.title, body: this.options.body })
    Notification.instances.push(this)
  }
}

export const globalShortcut = {
  registered: new Map<string, () => void>(),
  refuse: new Set<string>(),
  register(accelerator: string, cb: () => void) {
    if (this.refuse.has(accelerator)) return false
    this.registered.set(accelerator, cb)
    return true
  },
  unregister(accelerator: string) {
    this.registered.delete(accelerator)
  },
  unregisterAll() {
    this.registered.clear()
  },
  /** Test helper: presses the shortcut. */
  press(accelerator: string) {
    const cb = this.registered.get(accelerator)
    if (!cb) throw new Error(`${accelerator} is not registered`)
    cb()
  },
}

export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret',
  isEncryptionAvailable() {
    return this.available
  },
  getSelectedStorageBackend() {
    return this.backend
  },
  encryptString(plain: string) {
    return Buffer.from(Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a))
  },
  decryptString(enc: Buffer) {
    return Buffer.from(enc.map((b) => b ^ 0x5a)).toString('utf8')
  },
}

export const powerMonitor = new EventEmitter()

export const dialog = {
  errors: [] as { title: string; content: string }[],
  showErrorBox(title: string, content: string) {
    this.errors.push({ title, content })
  },
}

/** Puts every fake back to its initial state (the mocked module is shared across resetModules). */
export function resetElectronFake(): void {
  app.reset()
  BrowserWindow.all.length = 0
  Tray.all.length = 0
  Notification.shown.length = 0
  Notification.instances.length = 0
  Notification.supported = true
  ipcMain.handlers.clear()
  ipcMain.removeAllListeners()
  ipcRenderer.invoked.length = 0
  ipcRenderer.removeAllListeners()
  contextBridge.exposed.clear()
  protocol.privileged.length = 0
  protocol.handlers.clear()
  session.defaultSession = new FakeSession()
  shell.opened.length = 0
  clipboard.items = null
  clipboard.writes.length = 0
  clipboard.clears = 0
  globalShortcut.registered.clear()
  globalShortcut.refuse.clear()
  safeStorage.available = true
  safeStorage.backend = 'gnome_libsecret'
  powerMonitor.removeAllListeners()
  dialog.errors.length = 0
}

const electron = {
  app,
  BrowserWindow,
  ClipboardItem,
  clipboard,
  contextBridge,
  dialog,
  globalShortcut,
  ipcMain,
  ipcRenderer,
  Menu,
  nativeImage,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
}
export default electron
