// LoginPages over a real LoginPrompts hub and the real IPC handler table: a browser sign-in's page
// opens once by itself, a device page only when asked; the window asks by a prompt's id and can
// never name a URL; a profile that points a prompt at file:, javascript:, a custom scheme or plain
// http to another host gets nothing opened; the window hears the full list on every change; the
// user code is copied until it expires.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loginActions } from '../../src/main/actions/logins'
import type { ActionDeps } from '../../src/main/actions/context'
import { LoginPages } from '../../src/main/login-pages'
import { LoginPrompts } from '../../src/main/providers/login-prompts'
import { INVOKE } from '../../src/shared/ipc/channels'
import type { LoginPromptView } from '../../src/shared/login-prompt'
import { RecordingCopier, startTestApp, type TestApp } from '../helpers/app'

const now = 1_800_000_000_000
const clock = { now: () => now }

function setup() {
  const hub = new LoginPrompts()
  const logins = loginActions({ services: () => ({ prompts: hub }) } as unknown as ActionDeps)
  const opened: string[] = []
  const sent: LoginPromptView[][] = []
  const copier = new RecordingCopier()
  const pages = new LoginPages({
    logins,
    openExternal: async (url) => {
      opened.push(url)
    },
    clipboard: copier,
    clock,
    send: (p) => sent.push(p),
  })
  pages.start()
  const account = { accountId: 'acc-1', label: 'dev', provider: 'Acme' }
  return { hub, pages, opened, sent, copier, account }
}

describe('LoginPages', () => {
  it('opens a browser sign-in page once, by itself, and tells the window each change', () => {
    const { hub, opened, sent, account } = setup()
    const run = hub.begin(account)
    const url = 'https://login.example.com/authorize?client_id=x&state=s'
    run.interaction.show({ kind: 'browser', url, userCode: null, expiresAt: now + 300_000 })
    // The engine shows the same step again: the page is not opened a second time.
    run.interaction.show({ kind: 'browser', url, userCode: null, expiresAt: now + 300_000 })
    expect(opened).toEqual([url])
    expect(sent.at(-1)).toEqual([expect.objectContaining({ kind: 'browser', url })])
    run.end('done')
    expect(sent.at(-1)).toEqual([])
  })

  it('does not open a device page by itself; open(id) opens that prompt’s own page', () => {
    const { hub, pages, opened, account } = setup()
    const run = hub.begin(account)
    const url = 'http://127.0.0.1:8080/device'
    run.interaction.show({ kind: 'device', url, userCode: 'WDJB-MJHT', expiresAt: now + 60_000 })
    expect(opened).toEqual([])
    const id = hub.list()[0]!.id
    expect(pages.open(id)).toEqual({ ok: true, value: null })
    expect(opened).toEqual([url])
    expect(pages.open('no-such-prompt')).toMatchObject({ ok: false, code: 'NOT_FOUND' })
    run.end('cancelled')
    // Over: its page is not opened any more.
    expect(pages.open(id)).toMatchObject({ ok: false, code: 'NOT_FOUND' })
    expect(opened).toEqual([url])
  })

  it.each([
    'file:///etc/passwd',
    'javascript:alert(document.cookie)',
    'vscode://evil/run?cmd=rm',
    'smb://attacker.example/share',
    'http://attacker.example/device',
    'https://user:pass@login.example.com/authorize',
    'https://login.example.com/device#frag',
    'not a url',
  ])('a hostile profile’s page %s is never opened, by itself or on request', (url) => {
    const { hub, pages, opened, account } = setup()
    const run = hub.begin(account)
    run.interaction.show({ kind: 'browser', url, userCode: null, expiresAt: now + 60_000 })
    const id = hub.list()[0]!.id
    expect(pages.open(id)).toMatchObject({ ok: false, code: 'URL_REFUSED' })
    expect(opened).toEqual([])
    run.end('failed')
  })

  it('copies the user code until it expires; a browser prompt has no code to copy', () => {
    const { hub, pages, copier, account } = setup()
    const dev = hub.begin(account)
    dev.interaction.show({
      kind: 'device',
      url: 'https://example.com/device',
      userCode: 'WDJB-MJHT',
      expiresAt: now + 90_500,
    })
    const web = hub.begin(account)
    web.interaction.show({
      kind: 'browser',
      url: 'https://example.com/authorize',
      userCode: null,
      expiresAt: now + 60_000,
    })
    const [d, w] = hub.list()
    expect(pages.copyCode(d!.id)).toEqual({ ok: true, value: null })
    expect(copier.copies).toEqual([{ text: 'WDJB-MJHT', clearAfterSeconds: 91 }])
    expect(pages.copyCode(w!.id)).toMatchObject({ ok: false, code: 'NOT_FOUND' })
    dev.end('done')
    web.end('done')
  })
})

describe('the window’s login channels (a compromised renderer)', () => {
  let app: TestApp
  beforeAll(async () => {
    app = await startTestApp({ clock })
  })
  afterAll(() => app.close())

  it('cannot hand main a URL to open: the request takes an id and nothing else', async () => {
    const hub = app.core.current.prompts
    const run = hub.begin({ accountId: 'acc-1', label: 'dev', provider: 'Acme' })
    const url = 'https://example.com/device'
    run.interaction.show({ kind: 'device', url, userCode: 'BCDF-GHJK', expiresAt: now + 60_000 })
    const id = hub.list()[0]!.id
    const evil = await app.handlers[INVOKE.loginsOpen]({ id, url: 'file:///etc/passwd' })
    expect(evil).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' })
    expect(await app.handlers[INVOKE.loginsOpen]({ id: 'file:///etc/passwd' })).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
    })
    expect(app.opened).toEqual([])
    expect(await app.handlers[INVOKE.loginsOpen]({ id })).toEqual({ ok: true, value: null })
    expect(app.opened).toEqual([url])

    const listed = await app.handlers[INVOKE.loginsList](undefined)
    expect(listed).toEqual({
      ok: true,
      value: [expect.objectContaining({ id, userCode: 'BCDF-GHJK' })],
    })
    expect(await app.handlers[INVOKE.loginsCancel]({ id })).toEqual({ ok: true, value: null })
    expect(run.interaction.signal.aborted).toBe(true)
    run.end('failed')
    expect(await app.handlers[INVOKE.loginsList](undefined)).toEqual({ ok: true, value: [] })
    expect(await app.handlers[INVOKE.loginsCancel]({ id })).toMatchObject({ code: 'NOT_FOUND' })
  })
})
