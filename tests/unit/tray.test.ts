// The tray glue against the faked electron Tray/Menu/Notification/clipboard and a real AppCore
// over the real sandbox providers: clicking an account puts its header on the (fake) clipboard.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeTimers } from '../mocks/timers'

vi.mock('electron', () => import('../mocks/electron'))

const fake = await import('../mocks/electron')
const { AppCore } = await import('../../src/main/app-core')
const { AppGateway } = await import('../../src/main/app-gateway')
const { freePort } = await import('../helpers/free-port')
const { ClipboardGuard } = await import('../../src/main/clipboard-guard')
const { electronClipboardPort } = await import('../../src/main/clipboard.main')
const { TrayController, TRAY_REFRESH_MS, trayImage } = await import('../../src/main/tray.main')
const { createHttpClient } = await import('../../src/main/providers/http-client')
const { startSandbox } = await import('../../src/main/sandbox')
const { systemClock } = await import('../../src/shared/clock')
const { electronNotifications } = await import('../../src/main/electron/notification.main')

let root: string
let timers: FakeTimers
let guard: InstanceType<typeof ClipboardGuard>
let core: InstanceType<typeof AppCore>
let gateway: InstanceType<typeof AppGateway>
let tray: InstanceType<typeof TrayController>
let fakeTray: InstanceType<typeof fake.Tray>
const shown: string[] = []
let quits = 0

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-tray-'))
  timers = new FakeTimers()
  guard = new ClipboardGuard(electronClipboardPort('linux'), { timers })
  let n = 0
  core = new AppCore({
    vaultDir: path.join(root, 'vault'),
    demoDir: () => path.join(root, `demo-${++n}`),
    clock: systemClock,
    platform: 'linux',
    safeStorage: null,
    clipboard: guard,
    http: createHttpClient({ defaultDeadlineMs: 3000 }),
    startSandbox: () => startSandbox(),
  })
  gateway = new AppGateway({ core, clipboard: guard, log: () => {} })
  tray = new TrayController({
    core,
    gateway,
    notifications: electronNotifications(),
    clock: systemClock,
    showWindow: () => shown.push('window'),
    quit: () => quits++,
    platform: 'linux',
    timers,
  })
  tray.start()
  fakeTray = fake.Tray.all.at(-1)!
})

afterAll(async () => {
  tray.dispose()
  await gateway.close()
  await core.dispose()
  fs.rmSync(root, { recursive: true, force: true })
})

beforeEach(() => {
  fake.Notification.shown.length = 0
  shown.length = 0
})

async function settle() {
  await tray.idle()
  await guard.idle()
}

describe('the tray', () => {
  it('uses a 1x+2x color icon off macOS and a template on macOS', () => {
    const img = fakeTray.image as InstanceType<typeof fake.FakeImage>
    expect(img.reps.map((r) => r.scaleFactor)).toEqual([1, 2])
    expect(img.template).toBe(false)
    expect((trayImage('darwin') as unknown as InstanceType<typeof fake.FakeImage>).template).toBe(
      true,
    )
  })

  it('starts with "no vault", then follows the vault as it changes', async () => {
    expect(fakeTray.labels()).toEqual([
      'No vault yet',
      'Set up TokenDeck…',
      '---',
      'Quit TokenDeck',
    ])
    expect(fakeTray.tooltip).toBe('TokenDeck: no vault yet')
    fakeTray.click('Set up')
    await settle()
    expect(shown).toEqual(['window'])

    const r = await core.actions.protection.create({
      protection: 'passphrase',
      passphrase: 'a long passphrase',
    })
    expect(r.ok).toBe(true)
    expect(fakeTray.labels()[0]).toBe('No accounts yet')
    expect(fakeTray.labels()).toContain('Lock')
  })

  it('shows the gateway while it runs, from its own change (it starts after the vault change)', async () => {
    const port = await freePort()
    const updated = await core.actions.settings.update({ gatewayEnabled: true, gatewayPort: port })
    expect(updated.ok).toBe(true)
    await gateway.sync()
    expect(fakeTray.labels()).toContain(`Gateway on 127.0.0.1:${port}`)
    const off = await core.actions.settings.update({ gatewayEnabled: false })
    expect(off.ok).toBe(true)
    await gateway.sync()
    expect(fakeTray.labels().some((l) => l.startsWith('Gateway'))).toBe(false)
  })

  it('Lock locks; the locked menu offers Unlock…, which opens the window', async () => {
    fakeTray.click('Lock')
    await settle()
    expect(core.status().vault.unlocked).toBe(false)
    expect(fakeTray.labels()).toEqual([
      'TokenDeck is locked',
      'Unlock…',
      '---',
      'Open TokenDeck',
      '---',
      'Quit TokenDeck',
    ])
    fakeTray.click('Unlock…')
    await settle()
    expect(shown).toEqual(['window'])
  })

  it('in demo mode, clicking an account copies its header and tells so, without the token', async () => {
    const started = await core.startDemo()
    expect(started.ok).toBe(true)
    const labels = fakeTray.labels()
    expect(labels[0]).toBe('Demo mode · sandbox providers')
    expect(labels).toContain('acme-prod · active, no expiry')
    expect(labels).toContain('acme-ci · no token')
    expect(labels.some((l) => /^TPStreams · acme — \d+\/20 tokens$/.test(l))).toBe(true)
    expect(labels).toContain('Lock') // as in the window: the demo passphrase is public

    fakeTray.click('acme-prod ·')
    await settle()
    const copied = await fake.clipboard.readText()
    expect(copied).toMatch(/^Authorization: Token [0-9a-f]{40}$/)
    const token = copied.split(' ').at(-1)!
    expect(fake.clipboard.items).toHaveProperty(
      'electron application/osclipboard;format="x-kde-passwordManagerHint"',
      'secret',
    )
    expect(fake.Notification.shown).toEqual([
      { title: 'TokenDeck', body: 'Header for acme-prod copied; clipboard clears in 30 s.' },
    ])
    const res = await fetch(
      `${(core as unknown as { demo: { sandbox: { tpstreams: { baseUrl: string } } } }).demo.sandbox.tpstreams.baseUrl}/api/v1/acme/assets/`,
      { headers: { Authorization: copied.slice('Authorization: '.length) } },
    )
    expect(res.status).toBe(200)

    // A second click reuses the same token (no new mint).
    fakeTray.click('acme-prod ·')
    await settle()
    expect(await fake.clipboard.readText()).toBe(copied)

    // An account without a token mints one; the label updates.
    fakeTray.click('acme-ci ·')
    await settle()
    const ci = await fake.clipboard.readText()
    expect(ci).toMatch(/^Authorization: Token [0-9a-f]{40}$/)
    expect(ci).not.toBe(copied)
    expect(fakeTray.labels()).toContain('acme-ci · active, no expiry')

    expect(JSON.stringify(fake.Notification.shown)).not.toContain(token)
    expect(JSON.stringify(fake.Notification.shown)).not.toContain(ci.split(' ').at(-1)!)
  })

  it('a login that needs a typed secret says so in words and brings the window up to ask', async () => {
    fake.Notification.shown.length = 0
    const before = await fake.clipboard.readText()
    // classic-demo does not remember its password (NO_SECRET): only the window asks for it.
    fakeTray.click('classic-demo ·')
    await settle()
    expect(fake.Notification.shown).toHaveLength(1)
    const n = fake.Notification.shown[0]!
    expect(n.title).toBe('classic-demo needs you to log in')
    expect(n.body).toMatch(/does not remember its password.*window is open to ask/)
    expect(shown).toEqual(['window'])
    expect(await fake.clipboard.readText()).toBe(before)
  })

  it('the clipboard clears after the configured delay', async () => {
    expect(await fake.clipboard.readText()).toMatch(/^Authorization: /)
    timers.advance(30_000)
    await settle()
    expect(await fake.clipboard.readText()).toBe('')
  })

  it('rebuilds the menu every minute (for the "x h left" labels)', () => {
    const builds = vi.spyOn(fake.Menu, 'buildFromTemplate')
    timers.advance(TRAY_REFRESH_MS * 3)
    expect(builds).toHaveBeenCalledTimes(3)
    builds.mockRestore()
  })

  it('Quit quits; dispose removes the icon and the timer', async () => {
    fakeTray.click('Quit')
    await settle()
    expect(quits).toBe(1)
    const pending = timers.pending
    tray.dispose()
    expect(fakeTray.destroyed).toBe(true)
    expect(timers.pending).toBe(pending - 1)
  })
})
