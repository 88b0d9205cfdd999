// The composition root: builds the services and wires them to the Electron glue (*.main.ts files).
// Order: run as the `tokendeck` command when the installed launcher started this binary (and do
// nothing else); refuse unsafe environments, take the single-instance lock, declare app:// (all
// before ready); then serve app://, build the core, the agent, the gateway and the IPC table,
// open the window, the tray, the global shortcut, the auto-lock and keep-ready renewal, and clean
// up (renewal, agent, gateway, clipboard, demo) on quit.
import os from 'node:os'
import path from 'node:path'
import {
  app,
  dialog,
  globalShortcut,
  ipcMain,
  powerMonitor,
  protocol,
  safeStorage,
  session,
  shell,
} from 'electron'
import ElectronStore from 'electron-store'
import { systemClock } from '../shared/clock'
import { EVENTS } from '../shared/ipc/channels'
import { cliInstallActions } from './actions/cli-install'
import { agentEndpoint } from './agent/endpoint'
import { AppAgent } from './app-agent'
import { AppCore } from './app-core'
import { AppGateway } from './app-gateway'
import { APP_NAME, VAULT_FOLDER } from './app-identity'
import { ClipboardGuard } from './clipboard-guard'
import { electronClipboardPort } from './clipboard.main'
import { registerAppScheme, serveAppProtocol } from './electron/app-protocol.main'
import { electronNotifications } from './electron/notification.main'
import { electronSafeStorage } from './electron/safe-storage.main'
import { createHandlers } from './ipc/handlers'
import { LoginPages } from './login-pages'
import { registerIpc } from './ipc/register.main'
import { startAutoLock } from './platform/auto-lock'
import { appCommand, cliArgs } from './platform/cli-launcher'
import { runCommandLine } from './platform/cli-mode'
import { DemoDirs } from './platform/demo-dirs'
import { GlobalShortcut } from './platform/global-shortcut'
import { installQuitCleanup } from './platform/quit'
import { electronStoreFactory } from './platform/store'
import { realTimers } from './platform/timers'
import { Renewal, renewalCorePort } from './renewal'
import { BUILTIN_PROFILES } from './providers/registry'
import { startSandbox } from './sandbox'
import { externalAllowList } from './security/external-url'
import { parseLaunchArgs, startupRefusal } from './security/startup'
import { TrayController } from './tray.main'
import { AppWindows, guardContents, guardSession } from './window.main'

const log = (line: string) => console.log(`[tokendeck] ${line}`)

function main(): void {
  // Started by the `tokendeck` launcher (Settings › Command line): be that command and nothing
  // else. Not ELECTRON_RUN_AS_NODE: that fuse is off (docs/desktop.md, "The tokendeck command").
  const cli = cliArgs(process.argv)
  if (cli) {
    void runCommandLine(cli, { exit: (code) => app.exit(code), hideDock: () => app.dock?.hide() })
    return
  }
  const refusal = startupRefusal(process.env)
  if (refusal) {
    log('startup: refused (unsafe environment)')
    dialog.showErrorBox('TokenDeck will not start', refusal)
    app.exit(1)
    return
  }
  if (!app.requestSingleInstanceLock()) {
    log('startup: another TokenDeck is running; handing over to it')
    app.quit()
    return
  }
  // package.json's name is "tokendeck"; the app (and so the CLI's default vault folder, see
  // src/main/app-identity.ts) lives in "<appData>/TokenDeck" in development and packaged alike.
  app.setName(APP_NAME)
  app.setPath('userData', path.join(app.getPath('appData'), APP_NAME))
  app.enableSandbox()
  registerAppScheme(protocol)

  const args = parseLaunchArgs(process.argv)
  const here = import.meta.dirname
  const devServerUrl =
    !app.isPackaged && process.env['ELECTRON_RENDERER_URL']
      ? process.env['ELECTRON_RENDERER_URL']
      : null
  const windowOptions = {
    preload: path.join(here, '../preload/index.cjs'),
    devServerUrl,
    allowList: externalAllowList(BUILTIN_PROFILES),
    devTools: !app.isPackaged,
    log,
  }
  const windows = new AppWindows(windowOptions)
  // Every webContents, ours or not (devtools, anything unexpected), gets the navigation guards.
  app.on('web-contents-created', (_event, contents) => guardContents(contents, windowOptions))
  let ready = false
  app.on('second-instance', () => {
    if (ready) windows.show()
  })
  app.on('before-quit', () => {
    windows.quitting = true
  })
  // The app lives in the tray: closing the last window does not quit.
  app.on('window-all-closed', () => {})
  app.on('activate', () => {
    if (ready) windows.show()
  })

  const started = app.whenReady().then(async () => {
    ready = true
    serveAppProtocol(protocol, path.join(here, '../renderer'), log)
    guardSession(session.defaultSession, log)

    const demoDirs = new DemoDirs()
    const guard = new ClipboardGuard(electronClipboardPort(process.platform), { log })
    const vaultDir = path.join(app.getPath('userData'), VAULT_FOLDER)
    const core = new AppCore({
      vaultDir,
      demoDir: () => demoDirs.create(),
      clock: systemClock,
      platform: process.platform,
      safeStorage: electronSafeStorage(safeStorage, process.platform, () => app.isReady()),
      clipboard: guard,
      storeFactory: electronStoreFactory(ElectronStore, ipcMain),
      startSandbox: () => startSandbox(),
    })
    // The agent: the CLI and helpers ask this app; a new terminal session is approved here.
    const agent: AppAgent = new AppAgent({
      core,
      endpoint: agentEndpoint(vaultDir, process.env),
      vaultDir,
      clock: systemClock,
      notify: () => {
        if (agent.approvals.pending().length > 0) windows.show()
        windows.send(EVENTS.agentChanged)
      },
      log,
      // LoginPages opens a browser sign-in's page here: a CLI asking through the app does not.
      opensBrowser: (p) => p.kind === 'browser',
    })
    // The gateway: runs while the user's vault says so (Settings), follows every vault change.
    const gateway = new AppGateway({ core, clipboard: guard, log })
    // "Install the tokendeck command": a launcher that starts this very binary as the CLI.
    const cliCommand = cliInstallActions({
      platform: process.platform,
      env: process.env,
      home: os.homedir(),
      appCommand: appCommand({
        packaged: app.isPackaged,
        platform: process.platform,
        execPath: process.execPath,
        appPath: app.getAppPath(),
        env: process.env,
      }),
    })
    // Logins waiting in the browser: the window's dialog follows them; a browser sign-in's page
    // opens by itself, once (the person asked for the login here or through the agent).
    const loginPages = new LoginPages({
      logins: core.actions.logins,
      openExternal: (url) => shell.openExternal(url),
      clipboard: guard,
      clock: systemClock,
      send: (prompts) => windows.send(EVENTS.loginPrompts, prompts),
      log,
    })
    registerIpc(
      createHandlers(core, log, { agent: agent.approvals, gateway, cliCommand, loginPages }),
      { owns: (c) => windows.owns(c), devServerUrl },
      log,
    )
    core.onChange((reason) => windows.send(EVENTS.stateChanged, { reason: reason.slice(0, 100) }))
    gateway.onChange(() => windows.send(EVENTS.gatewayChanged))

    const notifications = electronNotifications(log)
    const tray = new TrayController({
      core,
      notifications,
      gateway,
      clock: systemClock,
      showWindow: () => windows.show(),
      quit: () => app.quit(),
      log,
    })
    const shortcut = new GlobalShortcut(
      globalShortcut,
      () => {
        windows.show()
        windows.send(EVENTS.focusSearch)
      },
      log,
    )
    const stopAutoLock = startAutoLock(core, powerMonitor, realTimers, log)
    // Keep-ready renewals and cannot-renew warnings, on wall-clock time; re-checked on resume.
    const renewal = new Renewal({
      core: renewalCorePort(core),
      clock: systemClock,
      timers: realTimers,
      power: powerMonitor,
      notifications,
      log,
    })
    installQuitCleanup(app, async () => {
      loginPages.dispose()
      renewal.dispose()
      stopAutoLock()
      shortcut.dispose()
      tray.dispose()
      await agent.close()
      await gateway.close()
      await guard.clearOnQuit()
      await core.dispose()
      demoDirs.removeAll()
      log('quit: cleaned up')
    })

    if (args.demo) {
      const r = await core.startDemo()
      log(r.ok ? 'demo: started' : `demo: could not start (${r.code})`)
    }
    windows.create()
    loginPages.start()
    tray.start()
    renewal.start()
    const served = await agent.start()
    if (!served.ok) log(`agent: unavailable (${served.code})`)
    shortcut.follow(core)
    log('startup: ready')
  })
  // A throw while building the app is a bug: say so in one line (never a value) and quit rather
  // than live on half-built (quitting still runs the cleanup if it was installed).
  started.catch((e: unknown) => {
    log(`startup: failed (${e instanceof Error ? e.name : 'error'})`)
    app.quit()
  })
}

main()
