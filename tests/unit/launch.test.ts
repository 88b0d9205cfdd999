// Launch policies and the small wiring pieces of index.main.ts: startup refusal, launch flags,
// the safeStorage adapter, the global shortcut, auto-lock, quit cleanup, demo folders, the store.
import fs from 'node:fs'
import { EventEmitter } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseLaunchArgs, startupRefusal } from '../../src/main/security/startup'
import { electronSafeStorage } from '../../src/main/electron/safe-storage.main'
import { DEFAULT_SHORTCUT, GlobalShortcut } from '../../src/main/platform/global-shortcut'
import { AUTO_LOCK_CHECK_MS, startAutoLock } from '../../src/main/platform/auto-lock'
import { installQuitCleanup } from '../../src/main/platform/quit'
import { DemoDirs } from '../../src/main/platform/demo-dirs'
import { ELECTRON_STORE_CHANNEL, electronStoreFactory } from '../../src/main/platform/store'
import { safeStorageStatus } from '../../src/main/vault'
import { FakeTimers } from '../mocks/timers'
import { startTestApp, type TestApp } from '../helpers/app'

describe('startupRefusal', () => {
  it.each([
    [{ NODE_TLS_REJECT_UNAUTHORIZED: '0' }, true],
    [{ NODE_TLS_REJECT_UNAUTHORIZED: ' 0 ' }, true],
    [{ NODE_TLS_REJECT_UNAUTHORIZED: '1' }, false],
    [{ NODE_TLS_REJECT_UNAUTHORIZED: '' }, false],
    [{}, false],
  ])('%j refused: %s', (env, refused) => {
    const r = startupRefusal(env)
    expect(r !== null).toBe(refused)
    if (r) expect(r).toContain('NODE_TLS_REJECT_UNAUTHORIZED=0')
  })
})

describe('parseLaunchArgs', () => {
  it.each([
    [['/usr/bin/electron', '.', '--demo'], true],
    [['/opt/TokenDeck/tokendeck', '--demo'], true],
    [['/opt/TokenDeck/tokendeck'], false],
    [['/usr/bin/electron', '.'], false],
    [['--demo'], false], // argv[0] is the executable, never a flag
    [['/x', '--demo=false'], false],
    [['/x', '/home/me/--demo-files'], false],
  ])('%j -> demo %s', (argv, demo) => {
    expect(parseLaunchArgs(argv)).toEqual({ demo })
  })
})

describe('the safeStorage adapter', () => {
  const real = {
    available: true,
    backend: 'basic_text' as 'basic_text' | 'gnome_libsecret' | 'kwallet6' | 'unknown',
    isEncryptionAvailable() {
      return this.available
    },
    getSelectedStorageBackend() {
      return this.backend
    },
    encryptString: (s: string) => Buffer.from(s).reverse(),
    decryptString: (b: Buffer) => Buffer.from(b).reverse().toString(),
  }

  it('asks nothing before app ready', () => {
    let ready = false
    const port = electronSafeStorage(real, 'linux', () => ready)
    expect(port.isEncryptionAvailable()).toBe(false)
    expect(port.getSelectedStorageBackend!()).toBe('unknown')
    expect(() => port.encryptString('x')).toThrow('before app ready')
    ready = true
    expect(port.isEncryptionAvailable()).toBe(true)
    expect(port.decryptString(port.encryptString('key'))).toBe('key')
  })

  it('Linux basic_text means a passphrase is required; a keyring means OS protection', () => {
    const port = electronSafeStorage(real, 'linux', () => true)
    real.backend = 'basic_text'
    const basic = safeStorageStatus(port, 'linux')
    expect(basic.available).toBe(false)
    expect(basic.reason).toMatch(/passphrase/)
    real.backend = 'gnome_libsecret'
    expect(safeStorageStatus(port, 'linux')).toEqual({
      available: true,
      backend: 'gnome_libsecret',
    })
    real.backend = 'kwallet6'
    expect(safeStorageStatus(port, 'linux').available).toBe(true)
  })

  it('has no backend question off Linux', () => {
    const port = electronSafeStorage(real, 'darwin', () => true)
    expect(port.getSelectedStorageBackend).toBeUndefined()
    expect(safeStorageStatus(port, 'darwin')).toEqual({ available: true, backend: 'keychain' })
    expect(
      safeStorageStatus(
        electronSafeStorage(real, 'win32', () => true),
        'win32',
      ).backend,
    ).toBe('dpapi')
  })
})

describe('the global shortcut', () => {
  function portWith(refuse: string[] = []) {
    const registered = new Map<string, () => void>()
    return {
      registered,
      register(acc: string, cb: () => void) {
        if (refuse.includes(acc)) return false
        if (acc === 'Throw') throw new Error('bad accelerator')
        registered.set(acc, cb)
        return true
      },
      unregister(acc: string) {
        registered.delete(acc)
      },
    }
  }

  it('registers, re-registers on change, disables with an empty string', () => {
    const port = portWith()
    let pressed = 0
    const s = new GlobalShortcut(port, () => pressed++)
    s.apply(DEFAULT_SHORTCUT)
    port.registered.get(DEFAULT_SHORTCUT)!()
    expect(pressed).toBe(1)
    s.apply('Alt+Shift+T')
    expect([...port.registered.keys()]).toEqual(['Alt+Shift+T'])
    s.apply('')
    expect(port.registered.size).toBe(0)
    expect(s.current).toBeNull()
  })

  it('a refused or invalid accelerator is logged, not fatal', () => {
    const logs: string[] = []
    const port = portWith(['Ctrl+C'])
    const s = new GlobalShortcut(
      port,
      () => {},
      (l) => logs.push(l),
    )
    expect(() => s.apply('Ctrl+C')).not.toThrow()
    expect(() => s.apply('Throw')).not.toThrow()
    expect(s.current).toBeNull()
    expect(logs.filter((l) => l.includes('could not register'))).toHaveLength(2)
  })

  describe('following the vault setting', () => {
    let app: TestApp
    beforeAll(async () => {
      app = await startTestApp()
    })
    afterAll(async () => {
      await app.close()
    })

    it('uses the default while locked, the setting once unlocked, and re-registers on change', async () => {
      const port = portWith()
      const s = new GlobalShortcut(port, () => {})
      s.follow(app.core)
      expect(s.current).toBe(DEFAULT_SHORTCUT)
      const created = await app.core.actions.protection.create({
        protection: 'passphrase',
        passphrase: 'a long passphrase',
      })
      expect(created.ok).toBe(true)
      expect(
        await app.core.current.vault.updateSettings({ globalShortcut: 'Alt+K' }),
      ).toMatchObject({ ok: true })
      expect(s.current).toBe('Alt+K')
      expect([...port.registered.keys()]).toEqual(['Alt+K'])
      expect(await app.core.current.vault.updateSettings({ globalShortcut: '' })).toMatchObject({
        ok: true,
      })
      expect(port.registered.size).toBe(0)
      await app.core.lock()
      expect(port.registered.size).toBe(0) // locked: the last choice stays
    })
  })
})

describe('auto-lock', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp()
    const created = await app.core.actions.protection.create({
      protection: 'passphrase',
      passphrase: 'a long passphrase',
    })
    expect(created.ok).toBe(true)
  })
  afterAll(async () => {
    await app.close()
  })

  it('locks on suspend and on lock-screen, and checks inactivity every 30 s', async () => {
    const timers = new FakeTimers()
    const power = new EventEmitter()
    const ticks: number[] = []
    const realTick = app.core.tick.bind(app.core)
    app.core.tick = () => {
      ticks.push(timers.now())
      return realTick()
    }
    const stop = startAutoLock(app.core, power as never, timers)
    timers.advance(AUTO_LOCK_CHECK_MS * 2)
    expect(ticks).toHaveLength(2)
    power.emit('suspend')
    expect(app.core.status().vault.unlocked).toBe(false)
    const unlocked = await app.core.actions.protection.unlock({
      method: 'passphrase',
      passphrase: 'a long passphrase',
    })
    expect(unlocked.ok).toBe(true)
    power.emit('lock-screen')
    expect(app.core.status().vault.unlocked).toBe(false)
    stop()
    expect(power.listenerCount('suspend')).toBe(0)
    expect(timers.pending).toBe(0)
  })

  it('never auto-locks the demo vault (public credentials behind a public passphrase)', async () => {
    const r = await app.core.startDemo()
    expect(r.ok).toBe(true)
    const power = new EventEmitter()
    const stop = startAutoLock(app.core, power as never, new FakeTimers())
    power.emit('suspend')
    expect(app.core.status().vault.unlocked).toBe(true)
    stop()
  })
})

describe('quit cleanup', () => {
  it('holds the first will-quit until cleanup ran, then quits once', async () => {
    const app = new EventEmitter() as EventEmitter & { quit(): void }
    let quits = 0
    app.quit = () => {
      quits++
      // Electron emits will-quit again on the second quit.
      const e = { prevented: false, preventDefault: () => (e.prevented = true) }
      app.emit('will-quit', e)
      expect(e.prevented).toBe(false)
    }
    const order: string[] = []
    let release: () => void = () => {}
    installQuitCleanup(
      app,
      () =>
        new Promise<void>((r) => {
          order.push('cleanup')
          release = r
        }),
    )
    const first = { prevented: false, preventDefault: () => (first.prevented = true) }
    app.emit('will-quit', first)
    expect(first.prevented).toBe(true)
    const again = { prevented: false, preventDefault: () => (again.prevented = true) }
    app.emit('will-quit', again) // while running: still held, cleanup not run twice
    expect(again.prevented).toBe(true)
    expect(order).toEqual(['cleanup'])
    expect(quits).toBe(0)
    release()
    await new Promise((r) => setImmediate(r))
    expect(quits).toBe(1)
  })

  it('gives up on a cleanup that hangs', async () => {
    const app = new EventEmitter() as EventEmitter & { quit(): void }
    let quits = 0
    app.quit = () => quits++
    const logs: string[] = []
    installQuitCleanup(app, () => new Promise<void>(() => {}), {
      timeoutMs: 10,
      log: (l) => logs.push(l),
    })
    app.emit('will-quit', { preventDefault() {} })
    await new Promise((r) => setTimeout(r, 50))
    expect(quits).toBe(1)
    expect(logs).toEqual(['quit: cleanup timed out'])
  })
})

describe('demo folders and the store factory', () => {
  it('creates demo folders in the temp dir and removes them all', () => {
    const dirs = new DemoDirs()
    const a = dirs.create()
    const b = dirs.create()
    fs.writeFileSync(`${a}/vault.json`, '{}')
    expect(a).not.toBe(b)
    dirs.removeAll()
    expect(fs.existsSync(a) || fs.existsSync(b)).toBe(false)
    expect(dirs.created).toEqual([])
  })

  it('removes electron-store’s sync IPC listener after building a store', () => {
    const ipc = new EventEmitter()
    class FakeStore {
      constructor(readonly options: unknown) {
        ipc.on(ELECTRON_STORE_CHANNEL, () => {})
      }
    }
    const factory = electronStoreFactory(FakeStore, ipc)
    const store = factory({ cwd: '/tmp/x' } as never) as unknown as FakeStore
    expect(store.options).toEqual({ cwd: '/tmp/x' })
    expect(ipc.listenerCount(ELECTRON_STORE_CHANNEL)).toBe(0)
  })
})
