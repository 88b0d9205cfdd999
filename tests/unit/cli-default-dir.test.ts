// The CLI's vault folder: --vault, then TOKENDECK_VAULT, then the app's own vault folder (where the
// app keeps its vault), so the CLI and the app open one vault by default.
import { describe, expect, it } from 'vitest'
import path from 'node:path'
import { resolveVaultDir } from '../../src/main/cli/default-dir'

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
