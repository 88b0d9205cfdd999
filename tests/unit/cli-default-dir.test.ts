// The CLI's default vault folder: `vault` inside the folder Electron's app.getPath('userData')
// gives the app ("TokenDeck"), where the app keeps its vault, so the CLI and the app open one.
import { describe, expect, it } from 'vitest'
import path from 'node:path'
import { defaultVaultDir, resolveVaultDir } from '../../src/main/cli/default-dir'

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

describe('resolveVaultDir', () => {
  const inputs = { platform: 'linux', env: { TOKENDECK_VAULT: '/env/vault' }, home: '/h' }

  it('prefers --vault, then TOKENDECK_VAULT, then the default', () => {
    expect(resolveVaultDir('/flag/vault', inputs)).toBe(path.resolve('/flag/vault'))
    expect(resolveVaultDir(undefined, inputs)).toBe(path.resolve('/env/vault'))
    expect(resolveVaultDir(undefined, { ...inputs, env: {} })).toBe('/h/.config/TokenDeck/vault')
  })

  it('makes a relative --vault absolute', () => {
    expect(resolveVaultDir('rel/dir', inputs)).toBe(path.resolve('rel/dir'))
  })
})
