// The CLI's default vault folder: the same folder Electron's app.getPath('userData') gives
// an app named "TokenDeck", so the CLI and the app open one vault.
import { describe, expect, it } from 'vitest'
import path from 'node:path'
import { defaultVaultDir, resolveVaultDir } from '../../src/main/cli/default-dir'

describe('defaultVaultDir', () => {
  it('Linux: $XDG_CONFIG_HOME/TokenDeck, else ~/.config/TokenDeck', () => {
    const home = '/home/ada'
    expect(defaultVaultDir({ platform: 'linux', env: {}, home })).toBe(
      '/home/ada/.config/TokenDeck',
    )
    expect(defaultVaultDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '' }, home })).toBe(
      '/home/ada/.config/TokenDeck',
    )
    expect(defaultVaultDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/srv/cfg' }, home })).toBe(
      '/srv/cfg/TokenDeck',
    )
    expect(defaultVaultDir({ platform: 'freebsd', env: {}, home })).toBe(
      '/home/ada/.config/TokenDeck',
    )
  })

  it('macOS: ~/Library/Application Support/TokenDeck (XDG is ignored)', () => {
    expect(
      defaultVaultDir({ platform: 'darwin', env: { XDG_CONFIG_HOME: '/x' }, home: '/Users/ada' }),
    ).toBe('/Users/ada/Library/Application Support/TokenDeck')
  })

  it('Windows: %APPDATA%\\TokenDeck, else ~\\AppData\\Roaming\\TokenDeck', () => {
    const home = 'C:\\Users\\ada'
    expect(
      defaultVaultDir({
        platform: 'win32',
        env: { APPDATA: 'D:\\Roaming' },
        home,
      }),
    ).toBe('D:\\Roaming\\TokenDeck')
    expect(defaultVaultDir({ platform: 'win32', env: {}, home })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\TokenDeck',
    )
  })
})

describe('resolveVaultDir', () => {
  const inputs = { platform: 'linux', env: { TOKENDECK_VAULT: '/env/vault' }, home: '/h' }

  it('prefers --vault, then TOKENDECK_VAULT, then the default', () => {
    expect(resolveVaultDir('/flag/vault', inputs)).toBe(path.resolve('/flag/vault'))
    expect(resolveVaultDir(undefined, inputs)).toBe(path.resolve('/env/vault'))
    expect(resolveVaultDir(undefined, { ...inputs, env: {} })).toBe('/h/.config/TokenDeck')
  })

  it('makes a relative --vault absolute', () => {
    expect(resolveVaultDir('rel/dir', inputs)).toBe(path.resolve('rel/dir'))
  })
})
