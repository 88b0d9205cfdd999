import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startTestApp, type TestApp } from '../helpers/app'

vi.mock('electron', () => import('../mocks/electron'))

const fake = await import('../mocks/electron')
const { registerIpc, isTrustedSender, UNTRUSTED_SENDER_MESSAGE } =
  await import('../../src/main/ipc/register.main')
const { AppWindows } = await import('../../src/main/window.main')
const { INVOKE, INVOKE_CHANNELS, EVENTS } = await import('../../src/shared/ipc/channels')
const { CONTRACT, resultSchema } = await import('../../src/shared/ipc/schemas')

let app: TestApp
let windows: InstanceType<typeof AppWindows>
let win: InstanceType<typeof fake.BrowserWindow>
let unregister: () => void
const calls: string[] = []
const logs: string[] = []

beforeAll(async () => {
  app = await startTestApp()
  windows = new AppWindows({ preload: 'p', devServerUrl: null, allowList: [], devTools: false })
  win = windows.create() as unknown as InstanceType<typeof fake.BrowserWindow>
  // Wrap the real table to see whether a handler ran.
  const table = { ...app.handlers }
  for (const c of INVOKE_CHANNELS) {
    const real = table[c]
    table[c] = (payload) => {
      calls.push(c)
      return real(payload)
    }
  }
  unregister = registerIpc(table, { owns: (c) => windows.owns(c), devServerUrl: null }, (l) =>
    logs.push(l),
  )
})
afterAll(async () => {
  unregister()
  await app.close()
})

function eventFrom(contents: unknown, frameUrl: string, parent: unknown = null) {
  const frame = new fake.FakeFrame(frameUrl)
  frame.parent = parent as never
  return { sender: contents, senderFrame: frame }
}

describe('registerIpc', () => {
  it('registers every channel of the contract', () => {
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort())
    expect(Object.keys(CONTRACT).sort()).toEqual([...INVOKE_CHANNELS].sort())
  })

  it('a trusted sender reaches the real handler table', async () => {
    const r = await fake.ipcMain.invoke(
      INVOKE.appStatus,
      eventFrom(win.webContents, 'app://tokendeck/index.html'),
    )
    expect(resultSchema(CONTRACT[INVOKE.appStatus].response).parse(r)).toMatchObject({
      ok: true,
      value: { vault: { exists: false } },
    })
    expect(calls).toEqual([INVOKE.appStatus])
    // Malformed payloads still get the table's own validation.
    const bad = (await fake.ipcMain.invoke(
      INVOKE.copyHeader,
      eventFrom(win.webContents, 'app://tokendeck/index.html'),
      { accountId: 5 },
    )) as { code: string }
    expect(bad.code).toBe('VALIDATION_FAILED')
  })

  it.each([
    [
      'a webContents the app did not create',
      () => new fake.BrowserWindow({}).webContents,
      'app://tokendeck/index.html',
      null,
    ],
    ['no webContents at all', () => null, 'app://tokendeck/index.html', null],
    ['a frame on another origin', () => win.webContents, 'https://evil.example/', null],
    ['a file: frame', () => win.webContents, 'file:///tmp/x.html', null],
    ['a look-alike host', () => win.webContents, 'app://tokendeck.evil/index.html', null],
    [
      'a subframe',
      () => win.webContents,
      'app://tokendeck/index.html',
      new fake.FakeFrame('app://tokendeck/'),
    ],
  ])('refuses %s without calling the handler', async (_name, sender, url, parent) => {
    calls.length = 0
    logs.length = 0
    const r = (await fake.ipcMain.invoke(INVOKE.vaultCreate, eventFrom(sender(), url, parent), {
      protection: 'passphrase',
      passphrase: 'a long enough passphrase',
    })) as { ok: boolean; code: string; message: string }
    expect(r).toEqual({ ok: false, code: 'VALIDATION_FAILED', message: UNTRUSTED_SENDER_MESSAGE })
    expect(calls).toEqual([])
    expect(logs).toEqual([`ipc: refused ${INVOKE.vaultCreate} from an untrusted sender`])
    expect(app.core.status().vault.exists).toBe(false)
  })

  it('refuses a window that was closed (its webContents is no longer ours)', async () => {
    const windows2 = new AppWindows({
      preload: 'p',
      devServerUrl: null,
      allowList: [],
      devTools: false,
    })
    const w2 = windows2.create() as unknown as InstanceType<typeof fake.BrowserWindow>
    windows2.quitting = true
    w2.close()
    expect(
      isTrustedSender(eventFrom(w2.webContents, 'app://tokendeck/') as never, {
        owns: (c) => windows2.owns(c),
        devServerUrl: null,
      }),
    ).toBe(false)
  })

  it('trusts the dev server origin only in development', () => {
    const e = eventFrom(win.webContents, 'http://localhost:5173/') as never
    const owns = (c: unknown) => windows.owns(c as never)
    expect(isTrustedSender(e, { owns, devServerUrl: null })).toBe(false)
    expect(isTrustedSender(e, { owns, devServerUrl: 'http://localhost:5173' })).toBe(true)
    expect(isTrustedSender(e, { owns, devServerUrl: 'http://localhost:5174' })).toBe(false)
  })
})

describe('the preload', () => {
  beforeAll(async () => {
    await import('../../src/preload/index')
  })

  it('exposes only window.tokendeck, the intent-level API', () => {
    expect([...fake.contextBridge.exposed.keys()]).toEqual(['tokendeck'])
    const api = fake.contextBridge.exposed.get('tokendeck') as Record<string, unknown>
    expect(Object.keys(api).sort()).toEqual(
      [
        'accounts',
        'agent',
        'app',
        'cliCommand',
        'events',
        'gateway',
        'ledger',
        'logins',
        'onFocusSearch',
        'onStateChanged',
        'providers',
        'settings',
        'tokens',
        'vault',
      ].sort(),
    )
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/invoke|ipc|send/i)
  })

  it('invokes only contract channels', async () => {
    const { preloadInvoke } = await import('../../src/preload/index')
    fake.ipcRenderer.invoked.length = 0
    const invoke = preloadInvoke(fake.ipcRenderer as never)
    await invoke(INVOKE.snapshot, undefined)
    await expect(invoke('electron-store-get-data', undefined)).rejects.toThrow('channel refused')
    await expect(invoke('vault:not-a-channel', undefined)).rejects.toThrow('channel refused')
    expect(fake.ipcRenderer.invoked.map((i) => i.channel)).toEqual([INVOKE.snapshot])
  })

  it('hands the page the payload, never the IpcRendererEvent, and can unsubscribe', async () => {
    const api = fake.contextBridge.exposed.get('tokendeck') as {
      onStateChanged(l: (reason: string) => void): () => void
      onFocusSearch(l: (...args: unknown[]) => void): () => void
      gateway: { onChanged(l: (...args: unknown[]) => void): () => void }
    }
    const reasons: string[] = []
    const focusArgs: unknown[][] = []
    const gatewayArgs: unknown[][] = []
    const off = api.onStateChanged((r) => reasons.push(r))
    api.onFocusSearch((...args) => focusArgs.push(args))
    const offGateway = api.gateway.onChanged((...args) => gatewayArgs.push(args))
    const event = { sender: fake.ipcRenderer }
    fake.ipcRenderer.emit(EVENTS.stateChanged, event, { reason: 'vault' })
    fake.ipcRenderer.emit(EVENTS.focusSearch, event)
    fake.ipcRenderer.emit(EVENTS.gatewayChanged, event)
    off()
    offGateway()
    fake.ipcRenderer.emit(EVENTS.stateChanged, event, { reason: 'later' })
    fake.ipcRenderer.emit(EVENTS.gatewayChanged, event)
    expect(reasons).toEqual(['vault'])
    expect(focusArgs).toEqual([[]])
    expect(gatewayArgs).toEqual([[]])
    const { preloadSubscribe } = await import('../../src/preload/index')
    const seen: unknown[] = []
    preloadSubscribe(fake.ipcRenderer as never)('vault:other', (p) => seen.push(p))
    fake.ipcRenderer.emit('vault:other', event, 1)
    expect(seen).toEqual([])
  })

  it("hands the page the login prompts only as the contract's views", () => {
    const api = fake.contextBridge.exposed.get('tokendeck') as {
      logins: { onChanged(l: (prompts: unknown[]) => void): () => void }
    }
    const heard: unknown[][] = []
    const off = api.logins.onChanged((p) => heard.push(p))
    const event = { sender: fake.ipcRenderer }
    const prompt = {
      id: 'p1',
      accountId: 'a1',
      label: 'dev',
      provider: 'Acme',
      kind: 'device',
      url: 'https://auth.acme.test/device',
      userCode: 'WDJB-MJHT',
      expiresAt: 1,
    }
    fake.ipcRenderer.emit(EVENTS.loginPrompts, event, [prompt])
    // A view with more in it than the contract names (a device code) does not reach the page.
    fake.ipcRenderer.emit(EVENTS.loginPrompts, event, [{ ...prompt, deviceCode: 'dc-secret' }])
    fake.ipcRenderer.emit(EVENTS.loginPrompts, event, [])
    off()
    fake.ipcRenderer.emit(EVENTS.loginPrompts, event, [prompt])
    expect(heard).toEqual([[prompt], []])
  })

  it('turns a refused or failing invoke into a Result, not an exception', async () => {
    fake.ipcRenderer.reply = () => {
      throw new Error('boom')
    }
    const api = fake.contextBridge.exposed.get('tokendeck') as {
      app: { status(): Promise<{ ok: boolean; code?: string }> }
    }
    expect(await api.app.status()).toMatchObject({ ok: false, code: 'INTERNAL' })
  })
})
