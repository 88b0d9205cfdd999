// Which Electron fuses a TokenDeck build flips, as plain data (unit-tested), and how that maps onto
// @electron/fuses' FuseV1 config. Used by build/after-pack.cjs.
'use strict'
/* eslint-disable @typescript-eslint/no-require-imports -- loaded by electron-builder's require() */
const path = require('node:path')

/**
 * The fuse settings by name. Release builds close every door a local attacker could use to run
 * code inside TokenDeck's process (and so reach the unlocked vault): no ELECTRON_RUN_AS_NODE, no
 * NODE_OPTIONS/NODE_EXTRA_CA_CERTS, no --inspect, only the integrity-checked app.asar.
 * TOKENDECK_E2E_BUILD=1 keeps --inspect working, which Playwright's _electron.launch needs; such a
 * build is for tests only and is never shipped.
 */
function fuseSettings(env = process.env) {
  const e2e = env.TOKENDECK_E2E_BUILD === '1'
  return {
    RunAsNode: false,
    EnableCookieEncryption: true,
    EnableNodeOptionsEnvironmentVariable: false,
    EnableNodeCliInspectArguments: e2e,
    EnableEmbeddedAsarIntegrityValidation: true,
    OnlyLoadAppFromAsar: true,
    // The app is served from app://, never file://.
    GrantFileProtocolExtraPrivileges: false,
    // LoadBrowserProcessSpecificV8Snapshot and WasmTrapHandlers stay at Electron's defaults.
  }
}

/** Turns named settings into the numeric-keyed config flipFuses() takes. */
function toFuseConfig(
  settings,
  FuseV1Options,
  FuseVersion,
  { resetAdHocDarwinSignature = false } = {},
) {
  const config = { version: FuseVersion.V1, resetAdHocDarwinSignature }
  for (const [name, value] of Object.entries(settings)) {
    const index = FuseV1Options[name]
    if (typeof index !== 'number') throw new Error(`unknown fuse ${name}`)
    config[index] = value
  }
  return config
}

/** The Electron binary inside an electron-builder output folder. */
function electronBinaryPath(appOutDir, platform, names) {
  if (platform === 'darwin' || platform === 'mas') {
    return path.join(appOutDir, `${names.productFilename}.app`)
  }
  if (platform === 'win32') return path.join(appOutDir, `${names.productFilename}.exe`)
  return path.join(appOutDir, names.executableName)
}

module.exports = { fuseSettings, toFuseConfig, electronBinaryPath }
