// The app's data folder: `vault` inside the folder Electron's app.getPath('userData') gives the
// app ("TokenDeck") on each platform, which is also the CLI's default vault.
import { describe, expect, it } from 'vitest'
import { defaultVaultDir, localStateDir } from '../../src/main/app-identity'

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

describe('localStateDir: what this machine remembers, outside every vault folder', () => {
  it('Linux: $XDG_STATE_HOME/tokendeck, else ~/.local/state/tokendeck; never inside the vault', () => {
    const home = '/home/ada'
    expect(localStateDir({ platform: 'linux', env: {}, home })).toBe(
      '/home/ada/.local/state/tokendeck',
    )
    expect(localStateDir({ platform: 'linux', env: { XDG_STATE_HOME: '/s' }, home })).toBe(
      '/s/tokendeck',
    )
    const vault = defaultVaultDir({ platform: 'linux', env: {}, home })
    expect(localStateDir({ platform: 'linux', env: {}, home }).startsWith(vault)).toBe(false)
  })

  it('macOS: beside the vault folder, not in it; Windows: %LOCALAPPDATA% (never roaming)', () => {
    expect(localStateDir({ platform: 'darwin', env: {}, home: '/Users/ada' })).toBe(
      '/Users/ada/Library/Application Support/TokenDeck/state',
    )
    expect(
      localStateDir({ platform: 'win32', env: { LOCALAPPDATA: 'D:\\Local' }, home: 'C:\\u' }),
    ).toBe('D:\\Local\\TokenDeck\\state')
    expect(localStateDir({ platform: 'win32', env: {}, home: 'C:\\u' })).toBe(
      'C:\\u\\AppData\\Local\\TokenDeck\\state',
    )
  })

  it('TOKENDECK_STATE_DIR overrides it on every platform', () => {
    const env = { TOKENDECK_STATE_DIR: '/tmp/td-state' }
    expect(localStateDir({ platform: 'linux', env, home: '/h' })).toBe('/tmp/td-state')
    expect(localStateDir({ platform: 'darwin', env, home: '/h' })).toBe('/tmp/td-state')
  })
})
