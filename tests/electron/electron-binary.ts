// Where the Electron binary is, found WITHOUT require('electron'): that entry point tries to
// download the binary when it is missing (it does not honour ELECTRON_SKIP_BINARY_DOWNLOAD).
// Returns the path, or the reason it is not there, for test.skip().
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

export type ElectronBinary = { path: string } | { skip: string }

export function electronBinary(): ElectronBinary {
  // A packaged e2e build (TOKENDECK_E2E_BUILD=1 npm run dist) can be tested instead.
  const packaged = process.env['TOKENDECK_E2E_APP']
  if (packaged) {
    return fs.existsSync(packaged)
      ? { path: packaged }
      : { skip: `TOKENDECK_E2E_APP=${packaged} does not exist` }
  }
  const dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'))
  const pathFile = path.join(dir, 'path.txt')
  // `npm run test:electron` installs it first (build/ensure-electron.mjs); this is reached when
  // Playwright runs this config directly.
  const reason =
    'Electron binary not installed (node_modules/electron has no dist/ yet): run ' +
    '`npm run test:electron`, which downloads it first, or `node node_modules/electron/install.js`.'
  if (!fs.existsSync(pathFile)) return { skip: reason }
  const exe = path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim())
  return fs.existsSync(exe) ? { path: exe } : { skip: reason }
}
