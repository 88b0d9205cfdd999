// Packaging: the electron-builder config (parsed the way electron-builder parses it, validated
// against its own JSON schema), the icons, and the afterPack hook's fuses, run for real against a
// stand-in binary that carries a fuse wire.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses'
import { describe, expect, it } from 'vitest'
import * as trayIcons from '../../src/main/platform/tray-icon-data'

const require = createRequire(import.meta.url)
// electron-builder's own YAML parser and schema validator (its dependencies), so the test reads
// the config exactly as the builder will.
const yaml = require('js-yaml') as { load(text: string): unknown }
const Ajv = require('ajv') as new (o: object) => {
  addKeyword(k: string): void
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown }
}
const { fuseSettings, toFuseConfig, electronBinaryPath } = require('../../build/fuses.cjs') as {
  fuseSettings(env: Record<string, string | undefined>): Record<string, boolean>
  toFuseConfig(
    s: Record<string, boolean>,
    options: typeof FuseV1Options,
    version: typeof FuseVersion,
    o?: { resetAdHocDarwinSignature?: boolean },
  ): Record<string | number, unknown>
  electronBinaryPath(dir: string, platform: string, names: object): string
}
const afterPack = (
  require('../../build/after-pack.cjs') as { default: (c: object) => Promise<void> }
).default

interface BuilderConfig {
  files: string[]
  asar: boolean
  afterPack: string
  directories: { buildResources: string; output: string }
  linux: { target: string[]; icon: string; executableName: string }
  mac: { target: string[]; icon: string }
  win: { target: string[]; icon: string }
}
const config = yaml.load(fs.readFileSync('electron-builder.yml', 'utf8')) as BuilderConfig

function pngSize(file: string): { width: number; height: number } {
  const b = fs.readFileSync(file)
  expect(b.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) }
}

describe('electron-builder.yml', () => {
  it('is valid against electron-builder’s schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false })
    ajv.addKeyword('typeof')
    const validate = ajv.compile(require('app-builder-lib/scheme.json') as object)
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true)
    expect(validate({ ...config, noSuchOption: true })).toBe(false)
  })

  it('targets AppImage + deb, dmg and nsis; packs only out/** and package.json into asar', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.mac.target).toEqual(['dmg'])
    expect(config.win.target).toEqual(['nsis'])
    expect(config.files).toEqual(['out/**', 'package.json'])
    expect(config.asar).toBe(true)
    expect(fs.existsSync(config.afterPack)).toBe(true)
    // package.json's main must be inside what is packed.
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as {
      main: string
      build?: unknown
      scripts: Record<string, string>
    }
    expect(pkg.main.replace(/^\.\//, '')).toMatch(/^out\//)
    expect(pkg.build).toBeUndefined()
    expect(pkg.scripts['dist']).toBe('electron-vite build && electron-builder')
  })

  it('has a 512x512 app icon and 16/32 px tray icons matching the embedded copies', () => {
    for (const p of ['linux', 'mac', 'win'] as const) expect(config[p].icon).toBe('build/icon.png')
    expect(pngSize('build/icon.png')).toEqual({ width: 512, height: 512 })
    const pairs = [
      ['build/tray/trayTemplate.png', trayIcons.TRAY_TEMPLATE_16, 16],
      ['build/tray/trayTemplate@2x.png', trayIcons.TRAY_TEMPLATE_32, 32],
      ['build/tray/tray.png', trayIcons.TRAY_COLOR_16, 16],
      ['build/tray/tray@2x.png', trayIcons.TRAY_COLOR_32, 32],
    ] as const
    for (const [file, b64, size] of pairs) {
      expect(pngSize(file)).toEqual({ width: size, height: size })
      expect(fs.readFileSync(file).toString('base64'), file).toBe(b64)
    }
  })
})

describe('fuses', () => {
  it('release builds turn off RunAsNode, NODE_OPTIONS and --inspect; asar only, checked', () => {
    expect(fuseSettings({})).toEqual({
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      GrantFileProtocolExtraPrivileges: false,
    })
  })

  it('the e2e variant (TOKENDECK_E2E_BUILD=1) differs only in keeping --inspect', () => {
    const release = fuseSettings({})
    const e2e = fuseSettings({ TOKENDECK_E2E_BUILD: '1' })
    expect(e2e).toEqual({ ...release, EnableNodeCliInspectArguments: true })
    expect(fuseSettings({ TOKENDECK_E2E_BUILD: 'yes' })).toEqual(release)
  })

  it('maps onto @electron/fuses’ V1 wire by index', () => {
    const c = toFuseConfig(fuseSettings({}), FuseV1Options, FuseVersion)
    expect(c['version']).toBe(FuseVersion.V1)
    expect(c[FuseV1Options.RunAsNode]).toBe(false)
    expect(c[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false)
    expect(c[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true)
    expect(c[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBeUndefined()
    expect(() => toFuseConfig({ NoSuchFuse: true }, FuseV1Options, FuseVersion)).toThrow()
  })

  it('finds the binary per platform', () => {
    const names = { productFilename: 'TokenDeck', executableName: 'tokendeck' }
    expect(electronBinaryPath('/o', 'linux', names)).toBe(path.join('/o', 'tokendeck'))
    expect(electronBinaryPath('/o', 'win32', names)).toBe(path.join('/o', 'TokenDeck.exe'))
    expect(electronBinaryPath('/o', 'darwin', names)).toBe(path.join('/o', 'TokenDeck.app'))
  })

  it.each([
    ['release', undefined, '0'],
    ['e2e', '1', '1'],
  ])('the afterPack hook flips the wire of a packaged binary (%s)', async (_n, e2e, inspect) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-pack-'))
    const before = process.env['TOKENDECK_E2E_BUILD']
    try {
      // A stand-in for the Electron binary: padding, the fuse sentinel, version 1, 9 fuses in
      // Electron's default states, padding.
      const wire = Buffer.from('101100011', 'ascii')
      fs.writeFileSync(
        path.join(dir, 'tokendeck'),
        Buffer.concat([
          Buffer.alloc(4096, 7),
          Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'),
          Buffer.from([1, wire.length]),
          wire,
          Buffer.alloc(4096, 7),
        ]),
      )
      if (e2e) process.env['TOKENDECK_E2E_BUILD'] = e2e
      else delete process.env['TOKENDECK_E2E_BUILD']
      await afterPack({
        appOutDir: dir,
        electronPlatformName: 'linux',
        arch: 1,
        packager: { appInfo: { productFilename: 'TokenDeck' }, executableName: 'tokendeck' },
      })
      const flipped = await getCurrentFuseWire(path.join(dir, 'tokendeck'))
      const state = (o: FuseV1Options) => String.fromCharCode(flipped[o] as number)
      expect(state(FuseV1Options.RunAsNode)).toBe('0')
      expect(state(FuseV1Options.EnableCookieEncryption)).toBe('1')
      expect(state(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe('0')
      expect(state(FuseV1Options.EnableNodeCliInspectArguments)).toBe(inspect)
      expect(state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe('1')
      expect(state(FuseV1Options.OnlyLoadAppFromAsar)).toBe('1')
      expect(state(FuseV1Options.LoadBrowserProcessSpecificV8Snapshot)).toBe('0')
      expect(state(FuseV1Options.GrantFileProtocolExtraPrivileges)).toBe('0')
      expect(state(FuseV1Options.WasmTrapHandlers)).toBe('1')
    } finally {
      if (before === undefined) delete process.env['TOKENDECK_E2E_BUILD']
      else process.env['TOKENDECK_E2E_BUILD'] = before
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
