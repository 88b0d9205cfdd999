// What the CLI says for a login that waits for a person, and when it opens the browser
// (cli/login-prompt-words.ts): the code and the page in plain words; a browser only for a person
// at a terminal with a display, never in CI or with TOKENDECK_NO_BROWSER; only an http(s) URL that
// stays one argument, with no credentials in it, is ever handed to another program.
import { describe, expect, it } from 'vitest'
import {
  browserOpener,
  expiresInWords,
  isOpenableUrl,
  loginPromptLine,
} from '../../src/main/cli/login-prompt-words'
import type { LoginPromptView } from '../../src/shared/login-prompt'

const now = 1_800_000_000_000
const device: LoginPromptView = {
  id: 'p1',
  accountId: 'a1',
  label: 'dev',
  provider: 'Acme',
  kind: 'device',
  url: 'https://acme.test/device',
  userCode: 'WDJB-MJHT',
  expiresAt: now + 15 * 60_000,
}

describe('the words of a login prompt', () => {
  it('a device prompt names the provider, the label, the page and the code', () => {
    expect(loginPromptLine(device, now)).toBe(
      'To log in to Acme as dev, open https://acme.test/device and enter the code WDJB-MJHT (expires in 15 min).',
    )
  })

  it('a browser prompt gives the URL to continue at', () => {
    const line = loginPromptLine(
      { ...device, kind: 'browser', userCode: null, url: 'https://acme.test/authorize?x=1' },
      now,
    )
    expect(line).toContain('continue in your browser: https://acme.test/authorize?x=1 (')
    expect(line).not.toContain('code')
  })

  it('time left rounds up to whole minutes, then seconds, then expired', () => {
    expect(expiresInWords(14 * 60_000 + 1)).toBe('15 min')
    expect(expiresInWords(45_000)).toBe('45 s')
    expect(expiresInWords(0)).toBe('expired')
    expect(loginPromptLine({ ...device, expiresAt: now - 1 }, now)).toMatch(/\(expired\)\.$/)
  })
})

describe('whether the CLI opens a browser', () => {
  const linux = { platform: 'linux', env: { DISPLAY: ':0' }, stderrIsTerminal: true }

  it('xdg-open on Linux with a display, open on macOS, rundll32 on Windows (no shell)', () => {
    expect(browserOpener(linux)).toEqual({ command: 'xdg-open', args: [] })
    expect(browserOpener({ ...linux, env: { WAYLAND_DISPLAY: 'wayland-0' } })?.command).toBe(
      'xdg-open',
    )
    expect(browserOpener({ ...linux, platform: 'darwin', env: {} })).toEqual({
      command: 'open',
      args: [],
    })
    expect(browserOpener({ ...linux, platform: 'win32', env: {} })).toEqual({
      command: 'rundll32',
      args: ['url.dll,FileProtocolHandler'],
    })
  })

  it('never without a display on Linux, without a terminal, in CI or with TOKENDECK_NO_BROWSER', () => {
    expect(browserOpener({ ...linux, env: {} })).toBeNull()
    expect(browserOpener({ ...linux, env: { DISPLAY: '' } })).toBeNull()
    expect(browserOpener({ ...linux, stderrIsTerminal: false })).toBeNull()
    expect(browserOpener({ ...linux, env: { DISPLAY: ':0', CI: 'true' } })).toBeNull()
    expect(browserOpener({ ...linux, env: { DISPLAY: ':0', TOKENDECK_NO_BROWSER: '' } })).toBeNull()
    for (const platform of ['darwin', 'win32']) {
      expect(browserOpener({ ...linux, platform, env: { TOKENDECK_NO_BROWSER: '1' } })).toBeNull()
      expect(browserOpener({ ...linux, platform, stderrIsTerminal: false })).toBeNull()
    }
  })

  it('only a web page that stays one argument is opened', () => {
    expect(isOpenableUrl('https://acme.test/device?user_code=WDJB-MJHT')).toBe(true)
    expect(isOpenableUrl('http://127.0.0.1:8080/oauth/authorize?a=1&b=2')).toBe(true)
    for (const bad of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      '--help',
      '-https://acme.test',
      'https://acme.test/ --new-window',
      'https://acme.test/\nrm',
      'https://acme.test/"&calc',
      'https://user:pass@acme.test/',
      'ms-settings:',
      // Plain http only to this machine, as for every request TokenDeck sends.
      'http://acme.test/device',
      `https://acme.test/${'a'.repeat(5000)}`,
    ]) {
      expect(isOpenableUrl(bad), bad).toBe(false)
    }
  })
})
