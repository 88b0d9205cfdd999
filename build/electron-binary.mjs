// Electron's binary for `npm start`, `npm run dev`, `npm run demo` and `npm run test:electron`
// (run by build/ensure-electron.mjs). Electron 45 has no install script (it downloads on the
// first require('electron')) and electron-vite only reads node_modules/electron/path.txt, so a
// fresh clone would stop with "Error: Electron uninstall" and a stack trace. When the binary is
// missing this runs Electron's own installer (node_modules/electron/install.js, through
// @electron/get: ELECTRON_MIRROR, ELECTRON_CUSTOM_DIR, electron_config_cache,
// ELECTRON_GET_USE_PROXY apply), and when that cannot work it prints ONE line on stderr saying
// why and what to do, and sets exit code 1.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'

/** The prefix build/electron-download-probe.mjs writes its reports after. */
const PROBE_PREFIX = '[ensure-electron] '
const PROBE = new URL('./electron-download-probe.mjs', import.meta.url)

/** The command to run again, in the words the user typed (npm sets npm_lifecycle_event). */
function again(env) {
  const event = env.npm_lifecycle_event
  if (event === 'start') return '`npm start`'
  if (event) return `\`npm run ${event}\``
  return 'this command'
}

/** The executable path inside node_modules/electron/dist, as Electron's install.js names it. */
export function platformPath(platform) {
  if (platform === 'darwin' || platform === 'mas') return 'Electron.app/Contents/MacOS/Electron'
  if (platform === 'win32') return 'electron.exe'
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') return 'electron'
  return null
}

/** Whether the binary electron-vite would run is there, for this version (install.js's test). */
export function isInstalled(dir, version, platform) {
  const exe = platformPath(platform)
  if (!exe) return false
  try {
    const recorded = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8')
    const installed = fs.readFileSync(path.join(dir, 'dist', 'version'), 'utf8').trim()
    return (
      recorded === exe &&
      installed.replace(/^v/, '') === version &&
      fs.existsSync(path.join(dir, 'dist', exe))
    )
  } catch {
    return false
  }
}

/**
 * Linux: Chromium's setuid sandbox helper when Electron cannot start without it and it is not set
 * up (null: fine, or nothing to tell). Where unprivileged user namespaces are restricted (Ubuntu
 * 23.10+'s AppArmor, Debian's old sysctl), Chromium falls back to `chrome-sandbox`, which must be
 * owned by root with mode 4755, or Electron aborts at start ("SUID sandbox helper ... not
 * configured correctly"). `proc`: where the kernel's settings are (tests give a folder).
 */
export function sandboxProblem(dir, platform, proc = '/proc/sys/kernel') {
  if (platform !== 'linux') return null
  const helper = path.join(dir, 'dist', 'chrome-sandbox')
  let st
  try {
    st = fs.statSync(helper)
  } catch {
    return null
  }
  if (st.uid === 0 && (st.mode & 0o4000) !== 0) return null
  const setting = (name) => {
    try {
      return fs.readFileSync(path.join(proc, name), 'utf8').trim()
    } catch {
      return null
    }
  }
  const restricted =
    setting('apparmor_restrict_unprivileged_userns') === '1' ||
    setting('unprivileged_userns_clone') === '0'
  return restricted ? helper : null
}

/** Set the way Electron's installers always read it: any non-empty value. */
function skipSet(env) {
  return Boolean(env.ELECTRON_SKIP_BINARY_DOWNLOAD)
}

const NETWORK_WORDS = {
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'its name did not resolve: offline?',
  EAI_AGAIN: 'its name did not resolve: offline?',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  ECONNRESET: 'the connection was reset',
  ENETUNREACH: 'the network is unreachable: offline?',
  EHOSTUNREACH: 'the host is unreachable',
}

/** The host of a download address, never its user name or password. */
function hostOf(url) {
  try {
    return new URL(url).host
  } catch {
    return 'the download server'
  }
}

function fileOf(url) {
  try {
    return path.posix.basename(new URL(url).pathname)
  } catch {
    return 'Electron'
  }
}

/**
 * The one line that says why Electron's installer failed and what to do, from what it printed
 * (its stack trace, never shown) and the probe's reports. Pure, for tests.
 */
export function explainFailure({ stderr, reports, version, env }) {
  const retry = again(env)
  const mirrorHint = env.ELECTRON_MIRROR
    ? 'check ELECTRON_MIRROR (and ELECTRON_CUSTOM_DIR)'
    : 'check the network, or set ELECTRON_MIRROR to a mirror you can reach'
  const failed = reports.find((r) => r.code)
  if (failed) {
    const why =
      NETWORK_WORDS[failed.code] ?? `${failed.code}${failed.detail ? `: ${failed.detail}` : ''}`
    const proxy =
      env.HTTPS_PROXY || env.https_proxy ? ' (a proxy needs ELECTRON_GET_USE_PROXY=1)' : ''
    return (
      `Could not download Electron ${version}: ${hostOf(failed.url)} could not be reached (${why}). ` +
      `To fix: ${mirrorHint}${proxy}, then run ${retry} again.`
    )
  }
  const refused = reports.find((r) => typeof r.status === 'number' && r.status >= 400)
  if (refused) {
    return (
      `Could not download Electron ${version}: ${hostOf(refused.url)} answered ` +
      `${refused.status}${refused.statusText ? ` ${refused.statusText}` : ''} for ${fileOf(refused.url)}. ` +
      `To fix: ${env.ELECTRON_MIRROR ? mirrorHint : 'try again later, or set ELECTRON_MIRROR to a mirror'}, then run ${retry} again.`
    )
  }
  if (
    /ChecksumMismatchError|NoChecksumFoundError|ChecksumParseError|did not match expected checksum/.test(
      stderr,
    )
  ) {
    return (
      `The Electron ${version} download does not match Electron's published checksum, so nothing was ` +
      `installed (the server or a proxy sent another file). To fix: ${mirrorHint}, then run ${retry} again.`
    )
  }
  if (/ENOSPC/.test(stderr)) {
    return `Could not install Electron ${version}: no space left on the disk. To fix: free some space (about 300 MB), then run ${retry} again.`
  }
  const denied = /(EACCES|EPERM|EROFS)[^\n]*?'([^'\n]+)'/.exec(stderr)
  if (denied) {
    return (
      `Could not install Electron ${version}: ${denied[2]} may not be written (${denied[1]}). ` +
      `To fix: make node_modules writable for you (or reinstall it with npm install), then run ${retry} again.`
    )
  }
  const platform =
    /(Electron builds are not available on platform[^\n]*|does not have a published [^\n.]*)/.exec(
      stderr,
    )
  if (platform) return `Electron ${version} cannot run here: ${platform[1]}.`
  const first = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('at ') && l !== 'Error')
  return (
    `Electron's installer failed${first ? ` (${first.slice(0, 200)})` : ''}. ` +
    `To see its whole output, run: node node_modules/electron/install.js`
  )
}

function fail(line) {
  process.stderr.write(`${line}\n`)
  process.exitCode = 1
}

/** Says, before Electron aborts with a stack of its own, that its sandbox needs setting up. */
function checkSandbox(dir, platform, env) {
  const helper = sandboxProblem(dir, platform)
  if (!helper) return
  const shown = path.relative(process.cwd(), helper) || helper
  fail(
    "Electron's sandbox cannot start here: this system restricts unprivileged user namespaces " +
      `(Ubuntu 23.10+ AppArmor), so Chromium needs ${shown} owned by root with mode 4755. ` +
      `To fix (the sandbox stays on): sudo chown root:root ${shown} && sudo chmod 4755 ${shown}, ` +
      `then run ${again(env)} again.`,
  )
}

/** Runs Electron's install.js with the probe loaded; resolves with what it printed. */
function runInstaller(dir, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', PROBE.href, path.join(dir, 'install.js')], {
      cwd: dir,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    child.on('error', (e) => resolve({ code: 1, stderr: `${stderr}\n${e.message}` }))
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }))
  })
}

export async function ensureElectron(env = process.env) {
  // `npm run test:electron` against a packaged build (TOKENDECK_E2E_APP) needs no dev Electron;
  // electron-vite runs ELECTRON_EXEC_PATH instead of node_modules/electron when it is set.
  if (env.TOKENDECK_E2E_APP) return
  if (env.ELECTRON_EXEC_PATH) {
    if (fs.existsSync(env.ELECTRON_EXEC_PATH)) return
    return fail(
      `ELECTRON_EXEC_PATH is set to ${env.ELECTRON_EXEC_PATH}, which does not exist: unset it, or point it at an Electron binary.`,
    )
  }
  let dir
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'))
  } catch {
    return fail('Electron is not in node_modules: run `npm install` first.')
  }
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
  const platform = env.ELECTRON_INSTALL_PLATFORM || env.npm_config_platform || os.platform()
  if (isInstalled(dir, version, platform)) return checkSandbox(dir, platform, env)
  if (skipSet(env)) {
    return fail(
      `Electron's binary is not installed, and ELECTRON_SKIP_BINARY_DOWNLOAD is set, so it was not downloaded. ` +
        `To fix: unset ELECTRON_SKIP_BINARY_DOWNLOAD and run ${again(env)} again (or run: node node_modules/electron/install.js).`,
    )
  }
  // A real download takes a while (about 100 MB): say so, on stdout, unless it fails at once.
  const notice = setTimeout(() => {
    process.stdout.write(`Downloading Electron ${version} (once; it is kept in its cache)...\n`)
  }, 1500)
  const run = await runInstaller(dir, env)
  clearTimeout(notice)
  const reports = []
  const rest = []
  for (const line of run.stderr.split('\n')) {
    if (!line.startsWith(PROBE_PREFIX)) rest.push(line)
    else {
      try {
        reports.push(JSON.parse(line.slice(PROBE_PREFIX.length)))
      } catch {
        /* a torn line: ignore */
      }
    }
  }
  if (run.code === 0 && isInstalled(dir, version, platform)) return checkSandbox(dir, platform, env)
  if (run.code === 0) {
    return fail(
      `Electron's installer finished, but ${path.join(dir, 'dist')} holds no Electron ${version}. ` +
        'To fix: delete node_modules/electron, run `npm install`, then try again.',
    )
  }
  fail(explainFailure({ stderr: rest.join('\n'), reports, version, env }))
}
