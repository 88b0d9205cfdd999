// The app's data folder: `vault` inside the folder Electron's app.getPath('userData') gives the
// app ("TokenDeck") on each platform, which is also the CLI's default vault.
import { describe, expect, it } from 'vitest'
import { defaultVaultDir } from '../../src/main/app-identity'

describe('defaultVaultDir', () => {
  it('Linux: $XDG_CONFIG_HOME/TokenDeck/vault, else ~/.config/TokenDeck/vault', () => {
    const home = '/home/ada'
    expect(defaultVaultDir({ platform: 'linux', env: {}, home })).toBe(
      '/home/ada/.config/TokenDeck/vault',
    )
    expect(defaultVaultDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '' }, home })).toBe(
      '/home/ada/.config/TokenDeck/vault',
    )
    expect(defaultVaultDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/srv/cfg' }, home })).toBe(
      '/srv/cfg/TokenDeck/vault',
    )
    expect(defaultVaultDir({ platform: 'freebsd', env: {}, home })).toBe(
      '/home/ada/.config/TokenDeck/vault',
    )
  })

  it('macOS: ~/Library/Application Support/TokenDeck/vault (XDG is ignored)', () => {
    expect(
      defaultVaultDir({ platform: 'darwin', env: { XDG_CONFIG_HOME: '/x' }, home: '/Users/ada' }),
    ).toBe('/Users/ada/Library/Application Support/TokenDeck/vault')
  })

  it('Windows: %APPDATA%\\TokenDeck\\vault, else ~\\AppData\\Roaming\\TokenDeck\\vault', () => {
    const home = 'C:\\Users\\ada'
    expect(
      defaultVaultDir({
        platform: 'win32',
        env: { APPDATA: 'D:\\Roaming' },
        home,
      }),
    ).toBe('D:\\Roaming\\TokenDeck\\vault')
    expect(defaultVaultDir({ platform: 'win32', env: {}, home })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\TokenDeck\\vault',
    )
  })
})
