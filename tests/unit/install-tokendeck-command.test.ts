// "Install the tokendeck command" (Settings › Command line), with real files in a temp HOME: the
// launcher is written once (mode 0755, tagged as TokenDeck's), is idempotent, never replaces or
// removes a file TokenDeck did not write (a planted file or symlink included), refuses a folder
// another user could change, says whether terminals will find it, asks first on macOS, and
// really runs: `sh` executes it against a stand-in app binary that, like index.main.ts, runs the
// built CLI with what follows the marker.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { cliInstallActions, type CliInstallDeps } from '../../src/main/actions/cli-install'
import {
  CLI_MARKER,
  LAUNCHER_TAG,
  appCommand,
  cliArgs,
  launcherPlace,
  launcherText,
} from '../../src/main/platform/cli-launcher'
import { CLI } from '../helpers/cli'
import { tempDir } from '../helpers/vault'

const posix = process.platform !== 'win32'
const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string }

let home: string
let bin: string
const APP = '/opt/TokenDeck/tokendeck'

beforeEach(() => {
  home = tempDir('tokendeck-home-')
  bin = path.join(home, '.local', 'bin')
})

function actions(o: Partial<CliInstallDeps> = {}) {
  return cliInstallActions({
    platform: 'linux',
    env: { HOME: home, PATH: '/usr/local/bin:/usr/bin:/bin', SHELL: '/bin/bash' },
    home,
    appCommand: [APP],
    ...o,
  })
}

function value<T>(r: { ok: true; value: T } | { ok: false; code: string; message: string }): T {
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`)
  return r.value
}

describe.runIf(posix)('installing the command (Linux: ~/.local/bin)', () => {
  it('writes an executable launcher tagged as TokenDeck’s, then writes nothing the second time', () => {
    const a = actions()
    expect(value(a.status())).toMatchObject({ state: 'absent', file: path.join(bin, 'tokendeck') })
    const first = value(a.install())
    expect(first.changed).toBe(true)
    expect(first.command).toMatchObject({ state: 'installed', folder: bin, needsConsent: false })
    const file = path.join(bin, 'tokendeck')
    const st = fs.statSync(file)
    expect(st.mode & 0o777).toBe(0o755)
    const text = fs.readFileSync(file, 'utf8')
    expect(text.split('\n')[1]).toContain(LAUNCHER_TAG)
    expect(text).toContain(
      `exec '${APP}' --ozone-platform=headless --disable-gpu ${CLI_MARKER} "$@"`,
    )

    const again = value(a.install())
    expect(again.changed).toBe(false)
    const st2 = fs.statSync(file)
    expect([st2.ino, st2.mtimeMs]).toEqual([st.ino, st.mtimeMs])
  })

  it('says the folder is not on PATH, and the line for the user’s shell profile', () => {
    const bash = value(actions().install()).command
    expect(bash.onPath).toBe(false)
    expect(bash.pathAdvice).toEqual({
      file: '~/.bashrc',
      line: 'export PATH="$HOME/.local/bin:$PATH"',
    })
    const zsh = actions({ env: { PATH: '/usr/bin', SHELL: '/usr/bin/zsh' } })
    expect(value(zsh.status()).pathAdvice).toEqual({
      file: '~/.zshrc',
      line: 'export PATH="$HOME/.local/bin:$PATH"',
    })
    const fish = actions({ env: { PATH: '/usr/bin', SHELL: '/usr/bin/fish' } })
    expect(value(fish.status()).pathAdvice).toEqual({
      file: null,
      line: 'fish_add_path $HOME/.local/bin',
    })
    const on = actions({ env: { PATH: `/usr/bin:${bin}/`, SHELL: '/bin/bash' } })
    expect(value(on.status())).toMatchObject({ onPath: true, pathAdvice: null })
    const tilde = actions({ env: { PATH: '/usr/bin:~/.local/bin', SHELL: '/bin/bash' } })
    expect(value(tilde.status()).onPath).toBe(true)
  })

  it('names another tokendeck a terminal would find first on PATH', () => {
    const other = tempDir('tokendeck-other-bin-')
    fs.writeFileSync(path.join(other, 'tokendeck'), '#!/bin/sh\necho not ours\n', { mode: 0o755 })
    const notExecutable = tempDir('tokendeck-plain-')
    fs.writeFileSync(path.join(notExecutable, 'tokendeck'), 'just a file', { mode: 0o644 })
    const a = actions({ env: { PATH: `${notExecutable}:${other}:${bin}`, SHELL: '/bin/sh' } })
    expect(value(a.install()).command).toMatchObject({
      onPath: true,
      shadowedBy: path.join(other, 'tokendeck'),
    })
    const first = actions({ env: { PATH: `${bin}:${other}`, SHELL: '/bin/sh' } })
    expect(value(first.status()).shadowedBy).toBeNull()
  })

  it('refuses to replace a file it did not write, and names it', () => {
    fs.mkdirSync(bin, { recursive: true })
    const file = path.join(bin, 'tokendeck')
    fs.writeFileSync(file, '#!/bin/sh\necho my own tokendeck\n', { mode: 0o755 })
    const a = actions()
    expect(value(a.status()).state).toBe('foreign')
    const r = a.install()
    expect(r).toMatchObject({ ok: false, code: 'CONFLICT' })
    expect(!r.ok && r.message).toContain(file)
    expect(fs.readFileSync(file, 'utf8')).toBe('#!/bin/sh\necho my own tokendeck\n')
    expect(a.remove()).toMatchObject({ ok: false, code: 'CONFLICT' })
    expect(fs.existsSync(file)).toBe(true)
  })

  it('a planted symlink to a launcher-looking file is not followed, replaced or removed', () => {
    // The attacker's file carries the tag: only what is AT the path counts, and that is a link.
    const elsewhere = path.join(tempDir('tokendeck-attacker-'), 'target')
    const planted = `#!/bin/sh\n# ${LAUNCHER_TAG}\necho attacker\n`
    fs.writeFileSync(elsewhere, planted, { mode: 0o755 })
    fs.mkdirSync(bin, { recursive: true })
    fs.symlinkSync(elsewhere, path.join(bin, 'tokendeck'))
    const a = actions()
    expect(value(a.status()).state).toBe('foreign')
    expect(a.install()).toMatchObject({ ok: false, code: 'CONFLICT' })
    expect(a.remove()).toMatchObject({ ok: false, code: 'CONFLICT' })
    expect(fs.lstatSync(path.join(bin, 'tokendeck')).isSymbolicLink()).toBe(true)
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe(planted)
  })

  it('refuses a folder other users could write (or a link to one); writes nothing', () => {
    fs.mkdirSync(bin, { recursive: true })
    fs.chmodSync(bin, 0o777)
    const r = actions().install()
    expect(r).toMatchObject({ ok: false, code: 'UNSAFE_PATH' })
    expect(!r.ok && r.message).toMatch(/can be written by every user/)
    expect(fs.readdirSync(bin)).toEqual([])

    const shared = tempDir('tokendeck-shared-')
    fs.chmodSync(shared, 0o775)
    fs.rmSync(bin, { recursive: true })
    fs.symlinkSync(shared, bin)
    expect(actions().install()).toMatchObject({ ok: false, code: 'UNSAFE_PATH' })
    expect(fs.readdirSync(shared)).toEqual([])
  })

  it('an app that moved: its launcher reads outdated and is rewritten; remove takes only its own', () => {
    value(actions().install())
    const moved = actions({ appCommand: ['/home/me/Apps/TokenDeck.AppImage'] })
    expect(value(moved.status()).state).toBe('outdated')
    expect(value(moved.install())).toMatchObject({ changed: true, command: { state: 'installed' } })
    expect(fs.readFileSync(path.join(bin, 'tokendeck'), 'utf8')).toContain(
      "exec '/home/me/Apps/TokenDeck.AppImage' ",
    )
    expect(value(moved.remove())).toMatchObject({ changed: true, command: { state: 'absent' } })
    expect(fs.existsSync(path.join(bin, 'tokendeck'))).toBe(false)
    expect(value(moved.remove()).changed).toBe(false)
  })

  it('an app path a launcher cannot hold safely is refused', () => {
    const r = actions({ appCommand: ['/opt/Token\nDeck/x'] }).install()
    expect(r).toMatchObject({ ok: false, code: 'UNSUPPORTED' })
    expect(actions({ appCommand: ['relative/app'] }).install()).toMatchObject({ ok: false })
    expect(fs.existsSync(path.join(bin, 'tokendeck'))).toBe(false)
  })
})

describe.runIf(posix)('installing the command (macOS: /usr/local/bin, after consent)', () => {
  it('asks first: nothing is written without consent; with it, the launcher is there', () => {
    const usrLocalBin = tempDir('tokendeck-usr-local-bin-')
    const etcPaths = path.join(home, 'paths')
    fs.writeFileSync(etcPaths, `${usrLocalBin}\n/usr/bin\n/bin\n`)
    const mac = (appCommand: string[]) =>
      actions({
        platform: 'darwin',
        // An app started from Finder has launchd's PATH; terminals add /etc/paths.
        env: { PATH: '/usr/bin:/bin', SHELL: '/bin/zsh' },
        appCommand,
        binDir: usrLocalBin,
        etcPaths,
      })
    const a = mac(['/Applications/TokenDeck.app/Contents/MacOS/TokenDeck'])
    expect(value(a.status())).toMatchObject({ needsConsent: true, onPath: true, state: 'absent' })
    const refused = a.install()
    expect(refused).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' })
    expect(fs.readdirSync(usrLocalBin)).toEqual([])
    expect(value(a.install({ consent: true })).changed).toBe(true)
    const text = fs.readFileSync(path.join(usrLocalBin, 'tokendeck'), 'utf8')
    // No Linux display switches on macOS.
    expect(text).toContain(
      `exec '/Applications/TokenDeck.app/Contents/MacOS/TokenDeck' ${CLI_MARKER} "$@"`,
    )
  })

  // Root may write anywhere: there is nothing to refuse then.
  it.skipIf(process.getuid?.() === 0)(
    'a folder it may not write: says so, with an alias instead',
    () => {
      const ro = tempDir('tokendeck-ro-')
      fs.chmodSync(ro, 0o555)
      const r = actions({ platform: 'darwin', binDir: ro, etcPaths: '/nonexistent' }).install({
        consent: true,
      })
      expect(r).toMatchObject({ ok: false, code: 'UNSUPPORTED' })
      expect(!r.ok && r.message).toMatch(/does not ask for those rights.*alias tokendeck=/)
    },
  )
})

describe('the launcher’s text and place (Windows, and the pure parts)', () => {
  it('Windows: tokendeck.cmd under %LOCALAPPDATA%\\TokenDeck\\bin, CRLF, % escaped', () => {
    const place = launcherPlace('win32', { LocalAppData: 'C:\\Users\\me\\AppData\\Local' }, 'C:\\x')
    expect(place).toEqual({
      folder: 'C:\\Users\\me\\AppData\\Local\\TokenDeck\\bin',
      file: 'C:\\Users\\me\\AppData\\Local\\TokenDeck\\bin\\tokendeck.cmd',
      needsConsent: false,
    })
    const text = launcherText('win32', ['C:\\Program Files\\100%\\TokenDeck.exe'])
    expect(text.split('\r\n')).toEqual([
      '@echo off',
      `rem ${LAUNCHER_TAG}. Runs the tokendeck command line bundled with the app.`,
      'rem Remove it in TokenDeck (Settings > Command line), or delete this file.',
      'setlocal',
      'set ELECTRON_RUN_AS_NODE=',
      `"C:\\Program Files\\100%%\\TokenDeck.exe" ${CLI_MARKER} %*`,
      '',
    ])
    const a = cliInstallActions({
      platform: 'win32',
      env: { Path: 'C:\\Windows;C:\\Users\\me\\AppData\\Local\\TokenDeck\\bin\\' },
      home: 'C:\\Users\\me',
      appCommand: ['C:\\App\\TokenDeck.exe'],
    })
    // A spelling with a trailing separator and another case is the same folder.
    expect(value(a.status())).toMatchObject({ onPath: true, pathAdvice: null })
    const off = cliInstallActions({
      platform: 'win32',
      env: { PATH: 'C:\\Windows', LOCALAPPDATA: "C:\\Users\\o'neil\\AppData\\Local" },
      home: "C:\\Users\\o'neil",
      appCommand: ['C:\\App\\TokenDeck.exe'],
    })
    expect(value(off.status()).pathAdvice?.line).toBe(
      "[Environment]::SetEnvironmentVariable('Path', [Environment]::GetEnvironmentVariable(" +
        "'Path', 'User') + ';C:\\Users\\o''neil\\AppData\\Local\\TokenDeck\\bin', 'User')",
    )
  })

  it('the app finds the marker; the launcher starts the packaged binary, an AppImage, or dev Electron', () => {
    expect(cliArgs(['/opt/app', '--ozone-platform=headless', CLI_MARKER, 'header', 'x'])).toEqual([
      'header',
      'x',
    ])
    expect(cliArgs(['/opt/app', '--demo'])).toBeNull()
    const base = { platform: 'linux', execPath: '/opt/T/tokendeck', appPath: '/r', env: {} }
    expect(appCommand({ ...base, packaged: true })).toEqual(['/opt/T/tokendeck'])
    expect(
      appCommand({
        ...base,
        packaged: true,
        execPath: '/tmp/.mount_TokenDXYZ/tokendeck',
        env: { APPIMAGE: '/home/me/TokenDeck.AppImage' },
      }),
    ).toEqual(['/home/me/TokenDeck.AppImage'])
    expect(appCommand({ ...base, packaged: false })).toEqual(['/opt/T/tokendeck', '/r'])
  })
})

/** Runs `cmd args` with `env`; resolves with its exit code and output. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe.runIf(posix)('the installed launcher runs the app’s bundled CLI', () => {
  it('`tokendeck --version` through sh and through PATH, with the app binary a stand-in', async () => {
    // The stand-in does what index.main.ts does with the marker: run the CLI with what follows
    // it. It records what came before the marker (the Linux display switches).
    const appDir = tempDir('tokendeck-app-')
    const seen = path.join(appDir, 'seen')
    const app = path.join(appDir, 'TokenDeck app')
    fs.writeFileSync(
      app,
      [
        '#!/bin/sh',
        `echo "ELECTRON_RUN_AS_NODE=\${ELECTRON_RUN_AS_NODE-unset}" > '${seen}'`,
        `while [ $# -gt 0 ] && [ "$1" != '${CLI_MARKER}' ]; do echo "$1" >> '${seen}'; shift; done`,
        `[ "$1" = '${CLI_MARKER}' ] || { echo 'no marker' >&2; exit 99; }`,
        'shift',
        `exec '${process.execPath}' '${CLI}' "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    )
    value(actions({ appCommand: [app] }).install())
    const launcher = path.join(bin, 'tokendeck')
    const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: home, ELECTRON_RUN_AS_NODE: '1' }
    const viaSh = await run('sh', [launcher, '--version'], env)
    expect(viaSh).toEqual({ code: 0, stdout: `tokendeck ${version}\n`, stderr: '' })
    // The launcher cleared ELECTRON_RUN_AS_NODE and put the display switches before the marker.
    expect(fs.readFileSync(seen, 'utf8')).toBe(
      'ELECTRON_RUN_AS_NODE=unset\n--ozone-platform=headless\n--disable-gpu\n',
    )
    const viaPath = await run('tokendeck', ['version', '--json'], env)
    expect(viaPath.code).toBe(0)
    expect(JSON.parse(viaPath.stdout)).toEqual({ name: 'tokendeck', version })
    // The CLI's exit code comes back through the launcher.
    const bad = await run('tokendeck', ['no-such-command'], env)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('Unknown command "no-such-command"')
  })
})
