// The tray icon and its quick-login menu: Electron glue over tray-menu.ts. Clicking an account
// copies its header through AppCore (reusing a valid token, minting only when needed) and a
// notification says what happened. The menu follows every vault change, the gateway's changes
// and a one-minute timer. A login waiting in the browser gets a notification (the code and where
// to enter it, or "continue in your browser"); clicking it brings the window up.
import {
  Menu,
  nativeImage,
  Tray,
  type MenuItemConstructorOptions,
  type NativeImage,
} from 'electron'
import type { Clock } from '../shared/clock'
import { cannotRenewWarnings } from '../shared/state'
import type { AppSession } from './app-core'
import type { AppGateway } from './app-gateway'
import {
  TRAY_COLOR_16,
  TRAY_COLOR_32,
  TRAY_TEMPLATE_16,
  TRAY_TEMPLATE_32,
} from './platform/tray-icon-data'
import { realTimers, type IntervalTimers } from './platform/timers'
import type { LoginPromptEvent } from '../shared/login-prompt'
import { copyNotice, loginPromptNotice, type NotificationPort } from './notifications'
import {
  buildTrayMenu,
  trayTooltip,
  type TrayAction,
  type TrayItem,
  type TrayMenuInput,
  type TrayVaultState,
} from './tray-menu'

export interface TrayDeps {
  core: AppSession
  notifications: NotificationPort
  /** The app's gateway, shown as one line while it runs (or failed to). */
  gateway?: Pick<AppGateway, 'summary' | 'onChange'>
  clock: Clock
  /** Brings the main window up (creating it if needed). */
  showWindow: () => void
  quit: () => void
  platform?: string
  timers?: IntervalTimers
  log?: (line: string) => void
  maxAccounts?: number
}

export const TRAY_REFRESH_MS = 60_000

/** The tray's icon image: a template on macOS, a color icon elsewhere; 1x and 2x. */
export function trayImage(platform: string): NativeImage {
  const mac = platform === 'darwin'
  const img = nativeImage.createFromBuffer(
    Buffer.from(mac ? TRAY_TEMPLATE_16 : TRAY_COLOR_16, 'base64'),
    { scaleFactor: 1 },
  )
  img.addRepresentation({
    scaleFactor: 2,
    buffer: Buffer.from(mac ? TRAY_TEMPLATE_32 : TRAY_COLOR_32, 'base64'),
  })
  if (mac) img.setTemplateImage(true)
  return img
}

/** What the tray shows right now, read from the core (secret-free views only). */
export function trayInput(
  core: AppSession,
  now: number,
  gateway?: Pick<AppGateway, 'summary'>,
): TrayMenuInput {
  const summary = gateway?.summary() ?? { state: 'off' }
  const gw = summary.state === 'off' ? {} : { gateway: summary }
  const status = core.status()
  const state: TrayVaultState = !status.vault.exists
    ? 'no-vault'
    : !status.vault.unlocked
      ? 'locked'
      : status.demo
        ? 'demo'
        : 'unlocked'
  if (state === 'no-vault' || state === 'locked') {
    return { state, accounts: [], organizations: [], now, ...gw }
  }
  const accounts = core.actions.views.accounts()
  const organizations = core.actions.views.organizations()
  const settings = core.actions.settings.get()
  const warnMs = settings.ok ? settings.value.warnBeforeMinutes * 60_000 : 0
  const warnings = accounts.ok ? cannotRenewWarnings(accounts.value, now, warnMs) : []
  return {
    state,
    accounts: accounts.ok ? accounts.value : [],
    organizations: organizations.ok ? organizations.value : [],
    now,
    ...gw,
    ...(warnings.length > 0 ? { warnings: warnings.map((w) => w.text) } : {}),
  }
}

/** Owns the tray icon, its menu and the quick-login clicks. */
export class TrayController {
  private tray: Tray | null = null
  private timer: unknown = null
  private unsubscribe: () => void = () => {}
  private unsubscribeGateway: () => void = () => {}
  private unsubscribeLogins: () => void = () => {}
  /** The step each login prompt was last announced with (a new step is announced again). */
  private readonly announced = new Map<string, string>()
  private lastTemplate: MenuItemConstructorOptions[] = []
  private readonly timers: IntervalTimers
  private readonly log: (line: string) => void
  /** Every copy started from the tray, so tests and quit can wait for them. */
  private inflight = new Set<Promise<void>>()

  constructor(private readonly deps: TrayDeps) {
    this.timers = deps.timers ?? realTimers
    this.log = deps.log ?? (() => {})
  }

  start(): void {
    if (this.tray) return
    this.tray = new Tray(trayImage(this.deps.platform ?? process.platform))
    this.unsubscribe = this.deps.core.onChange(() => this.refresh())
    this.unsubscribeGateway = this.deps.gateway?.onChange(() => this.refresh()) ?? (() => {})
    this.unsubscribeLogins = this.deps.core.actions.logins.subscribe((e) => this.loginChanged(e))
    this.timer = this.timers.setInterval(() => this.refresh(), TRAY_REFRESH_MS)
    this.refresh()
  }

  /** Announces a login prompt once per step; forgets it when the login ends. */
  private loginChanged(e: LoginPromptEvent): void {
    if (e.type === 'ended') {
      this.announced.delete(e.id)
      return
    }
    const step = `${e.prompt.kind} ${e.prompt.url} ${e.prompt.userCode ?? ''}`
    if (this.announced.get(e.prompt.id) === step) return
    this.announced.set(e.prompt.id, step)
    this.log(`tray: a ${e.prompt.kind} sign-in waits`)
    this.deps.notifications.show(loginPromptNotice(e.prompt, () => this.deps.showWindow()))
  }

  /** Rebuilds the menu from the current state. */
  refresh(): void {
    if (!this.tray) return
    let items: TrayItem[]
    let state: TrayVaultState
    try {
      const input = trayInput(this.deps.core, this.deps.clock.now(), this.deps.gateway)
      state = input.state
      items = buildTrayMenu({
        ...input,
        ...(this.deps.maxAccounts ? { maxAccounts: this.deps.maxAccounts } : {}),
      })
    } catch (e) {
      this.log(`tray: could not read the vault (${(e as Error)?.name ?? 'error'})`)
      state = 'locked'
      items = buildTrayMenu({ state, accounts: [], organizations: [], now: 0 })
    }
    this.lastTemplate = items.map((item) => this.toTemplate(item))
    this.tray.setToolTip(trayTooltip(state))
    this.tray.setContextMenu(Menu.buildFromTemplate(this.lastTemplate))
  }

  /** The template behind the current menu (for tests and diagnostics). */
  get template(): readonly MenuItemConstructorOptions[] {
    return this.lastTemplate
  }

  /** Runs a menu action; never throws. */
  run(action: TrayAction): Promise<void> {
    const p = this.perform(action).catch((e: unknown) => {
      this.log(`tray: ${action.kind} failed (${(e as Error)?.name ?? 'error'})`)
    })
    this.inflight.add(p)
    void p.finally(() => this.inflight.delete(p))
    return p
  }

  /** Resolves when every started action has finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.inflight])
  }

  private async perform(action: TrayAction): Promise<void> {
    switch (action.kind) {
      case 'copy': {
        const r = await this.deps.core.actions.tokens.copyHeader(action.accountId, 'tray')
        this.log(r.ok ? 'tray: header copied' : `tray: copy refused (${r.code})`)
        this.deps.notifications.show(copyNotice(action.label, r))
        // An eviction's confirmation, a typed code or password: only the window asks for them.
        if (!r.ok && (r.code === 'EVICTION_NEEDS_CONFIRMATION' || r.code === 'NO_SECRET'))
          this.deps.showWindow()
        this.refresh()
        return
      }
      case 'lock':
        await this.deps.core.lock()
        this.refresh()
        return
      case 'open':
      case 'unlock':
        this.deps.showWindow()
        return
      case 'quit':
        this.deps.quit()
        return
    }
  }

  private toTemplate(item: TrayItem): MenuItemConstructorOptions {
    if (item.type === 'separator') return { type: 'separator' }
    // On Windows "&" marks a mnemonic; an account label may contain one.
    const label =
      (this.deps.platform ?? process.platform) === 'win32'
        ? item.label.replaceAll('&', '&&')
        : item.label
    if (item.type === 'header') return { label, enabled: false }
    const action = item.action
    return { label, click: () => void this.run(action) }
  }

  dispose(): void {
    this.unsubscribe()
    this.unsubscribeGateway()
    this.unsubscribeLogins()
    this.announced.clear()
    if (this.timer !== null) this.timers.clearInterval(this.timer)
    this.timer = null
    this.tray?.destroy()
    this.tray = null
  }
}
