// electron-builder afterPack hook: flips the Electron fuses of the packaged binary (before it is
// signed and put into an installer). See build/fuses.cjs for which, and docs/desktop.md for why.
'use strict'
/* eslint-disable @typescript-eslint/no-require-imports -- electron-builder require()s its hooks */
const { fuseSettings, toFuseConfig, electronBinaryPath } = require('./fuses.cjs')

exports.default = async function afterPack(context) {
  // @electron/fuses is an ES module.
  const { flipFuses, FuseV1Options, FuseVersion } = await import('@electron/fuses')
  const platform = context.electronPlatformName
  const binary = electronBinaryPath(context.appOutDir, platform, {
    productFilename: context.packager.appInfo.productFilename,
    executableName: context.packager.executableName,
  })
  const settings = fuseSettings(process.env)
  // An arm64 macOS binary must be re-signed (ad hoc) after its bytes change, or it will not start
  // unsigned; electron-builder signs it properly afterwards when a certificate is configured.
  const config = toFuseConfig(settings, FuseV1Options, FuseVersion, {
    // Arch (builder-util): 3 = arm64, 4 = universal.
    resetAdHocDarwinSignature: platform === 'darwin' && (context.arch === 3 || context.arch === 4),
  })
  await flipFuses(binary, config)
  const flags = Object.entries(settings)
    .map(([name, on]) => `${name}=${on ? 'on' : 'off'}`)
    .join(' ')
  console.log(`  • fuses flipped on ${binary}: ${flags}`)
}
