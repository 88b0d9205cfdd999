// Test fixture: this repository as a new user has it right after `npm install` on a machine where
// Electron's binary was never downloaded. The working tree's files are copied (uncommitted changes
// included); node_modules links to this checkout's packages, except node_modules/electron (a copy
// without dist/ or path.txt, so its installer writes there and nowhere else) and electron-vite (a
// copy, so that it resolves that electron rather than this checkout's).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const ROOT = path.resolve(import.meta.dirname, '../..')

/**
 * The packages the lockfile installs for `dependencies` (not dev), by name: what `npm pack`
 * bundles. npm bundles only real folders, never links, so a clone to be packed copies these.
 */
export function runtimePackages(): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>
  }
  return Object.entries(lock.packages)
    .filter(([k, v]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(k) && !v.dev && !v.devOptional)
    .map(([k]) => k.slice('node_modules/'.length))
}

export function freshClone(o: { prefix?: string; copy?: readonly string[] } = {}): string {
  const COPIED = new Set(['electron', 'electron-vite', ...(o.copy ?? [])])
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), o.prefix ?? 'tokendeck-clone-'))
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: ROOT, encoding: 'utf8' },
  )
    .split('\0')
    .filter(Boolean)
  for (const f of files) {
    const from = path.join(ROOT, f)
    if (!fs.existsSync(from)) continue // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true })
    fs.copyFileSync(from, path.join(dir, f))
    fs.chmodSync(path.join(dir, f), fs.statSync(from).mode & 0o777)
  }
  const real = path.join(ROOT, 'node_modules')
  const mods = path.join(dir, 'node_modules')
  fs.mkdirSync(path.join(mods, '.bin'), { recursive: true })
  const scoped = new Set([...COPIED].filter((n) => n.startsWith('@')).map((n) => n.split('/')[0]!))
  const names = fs
    .readdirSync(real)
    .flatMap((name) =>
      scoped.has(name) ? fs.readdirSync(path.join(real, name)).map((n) => `${name}/${n}`) : [name],
    )
  for (const name of names) {
    if (name === '.bin' || name.startsWith('.')) continue
    fs.mkdirSync(path.dirname(path.join(mods, name)), { recursive: true })
    if (COPIED.has(name)) {
      const from = path.join(real, name)
      // Never the binary a developer may have downloaded here: the copy is a fresh install.
      const unfresh =
        name === 'electron' ? new Set([path.join(from, 'dist'), path.join(from, 'path.txt')]) : null
      fs.cpSync(from, path.join(mods, name), { recursive: true, filter: (s) => !unfresh?.has(s) })
    } else {
      fs.symlinkSync(path.join(real, name), path.join(mods, name))
    }
  }
  // The same relative links as npm made: they now reach the copies where there are copies.
  for (const bin of fs.readdirSync(path.join(real, '.bin'))) {
    fs.symlinkSync(fs.readlinkSync(path.join(real, '.bin', bin)), path.join(mods, '.bin', bin))
  }
  return dir
}

/** The Electron version and the release file name @electron/get asks for on this machine. */
export function electronRelease(): { version: string; file: string } {
  const { version } = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8'),
  ) as { version: string }
  return { version, file: `electron-v${version}-${process.platform}-${process.arch}.zip` }
}
