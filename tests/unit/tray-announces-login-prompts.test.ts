// The tray over a real AppCore and the faked electron Tray/Notification: a login waiting for the
// person in a browser is announced once per step (the device code and where to enter it, or
// "continue in your browser"), clicking the notification brings the window up, and the words
// never hold more than the prompt's view (no device code, no verifier: the hub has none).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeTimers } from '../mocks/timers'

vi.mock('electron', () => import('../mocks/electron'))

const fake = await import('../mocks/electron')
const { AppCore } = await import('../../src/main/app-core')
const { TrayController } = await import('../../src/main/tray.main')
const { electronNotifications } = await import('../../src/main/electron/notification.main')
const { loginPromptNotice } = await import('../../src/main/notifications')
const { systemClock } = await import('../../src/shared/clock')

let root: string
let core: InstanceType<typeof AppCore>
let tray: InstanceType<typeof TrayController>
const shown: string[] = []

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-tray-login-'))
  core = new AppCore({
    vaultDir: path.join(root, 'vault'),
    demoDir: () => path.join(root, 'demo'),
    clock: systemClock,
    platform: 'linux',
    safeStorage: null,
    clipboard: { copy: () => {} },
  })
  tray = new TrayController({
    core,
    notifications: electronNotifications(),
    clock: systemClock,
    showWindow: () => shown.push('window'),
    quit: () => {},
    platform: 'linux',
    timers: new FakeTimers(),
  })
  tray.start()
})

afterAll(async () => {
  tray.dispose()
  await core.dispose()
  fs.rmSync(root, { recursive: true, force: true })
})

beforeEach(() => {
  fake.Notification.shown.length = 0
  fake.Notification.instances.length = 0
  shown.length = 0
})

const account = { accountId: 'acc-1', label: 'dev@acme', provider: 'Acme OAuth' }

describe('the tray and a login waiting in the browser', () => {
  it('announces the device code and its page once; a click shows the window', () => {
    // The very hub the engine shows its steps on (one per app, shared with the demo vault).
    const run = core.current.prompts.begin(account)
    const step = {
      kind: 'device' as const,
      url: 'https://auth.acme.test/device',
      userCode: 'WDJB-MJHT',
      expiresAt: Date.now() + 600_000,
    }
    run.interaction.show(step)
    run.interaction.show(step)
    expect(fake.Notification.shown).toEqual([
      {
        title: 'Sign in to Acme OAuth as dev@acme',
        body: 'Enter code WDJB-MJHT at auth.acme.test.',
      },
    ])
    expect(shown).toEqual([])
    fake.Notification.instances[0]!.emit('click')
    expect(shown).toEqual(['window'])
    // A new code (the engine started over) is announced again.
    run.interaction.show({ ...step, userCode: 'BCDF-GHJK' })
    expect(fake.Notification.shown.at(-1)?.body).toBe('Enter code BCDF-GHJK at auth.acme.test.')
    run.end('done')
  })

  it('a browser sign-in says to continue in the browser', () => {
    const run = core.current.prompts.begin(account)
    run.interaction.show({
      kind: 'browser',
      url: 'http://127.0.0.1:41234/oauth/authorize?state=abc',
      userCode: null,
      expiresAt: Date.now() + 300_000,
    })
    expect(fake.Notification.shown).toEqual([
      { title: 'Sign in to Acme OAuth as dev@acme', body: 'Continue in your browser.' },
    ])
    fake.Notification.instances[0]!.emit('click')
    expect(shown).toEqual(['window'])
    run.end('cancelled')
  })

  it('a login that ends before it needs the person is not announced', () => {
    const run = core.current.prompts.begin(account)
    run.end('done')
    expect(fake.Notification.shown).toEqual([])
  })

  it('the words hold the host only, not the page’s query', () => {
    const n = loginPromptNotice({
      id: 'p',
      ...account,
      kind: 'device',
      url: 'https://auth.acme.test/device?user_code=WDJB-MJHT&x=1',
      userCode: 'WDJB-MJHT',
      expiresAt: 0,
    })
    expect(n.body).toBe('Enter code WDJB-MJHT at auth.acme.test.')
    expect(n.onClick).toBeUndefined()
  })
})
