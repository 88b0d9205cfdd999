// A live lock holder is never taken over, even on a starved machine: the concurrency scenarios of
// refresh-cli.test.ts and cli.test.ts (real CLI processes, some through the agent, some opening
// the vault themselves) run beside a CPU hog (busy loops, twice the core count), and the process
// holding the organization's mint lock is frozen (SIGSTOP) while the server holds its request, for
// longer than the old 10 s stale time, as a process the scheduler starves or a laptop lid closed
// mid-login would be. Still
// exactly one refresh (no second refresh with a rotated token, which makes an OAuth 2.1 server
// end the whole token family) or one login, and one header printed by every process.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { addTpstreamsAccount, CLI, runCli, type CliRun, cheapVault } from '../helpers/cli'
import { tempDir } from '../helpers/vault'

const PROFILE = path.resolve('tests/fixtures/profiles/oauth-sandbox.json')
const NO_PASS = { TOKENDECK_PASSPHRASE: undefined }
/** Longer than the stale time the old locks.ts applied to live holders (10 s). */
const FREEZE_MS = 10_500
/** The server holds each login or refresh this long, so its holder is seen holding the lock. */
const SERVER_DELAY_MS = 1_500
/** 65 s access tokens: with the default 60 s margin, within it about 5 s after issue. */
const ACCESS_TTL_MS = 65_000
/** What the refresh issues: outside the margin for as long as the test runs (refresh-cli.test.ts). */
const REFRESHED_TTL_MS = 5 * 60_000

let sb: SandboxSet
beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox({ oauth: { accessTtlMs: ACCESS_TTL_MS } })
})
afterAll(async () => {
  await sb.close()
})

/** Busy loops on every core, twice over, until stopped. */
function cpuHog(): { stop(): void } {
  const hogs: ChildProcess[] = Array.from({ length: os.availableParallelism() * 2 }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  )
  return { stop: () => hogs.forEach((h) => h.kill('SIGKILL')) }
}

function ownerOf(lock: string): { pid: number; token: string } | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(lock, 'owner'), 'utf8')) as {
      pid: number
      token: string
    }
  } catch {
    return null
  }
}

/** Only processes of this test: the built CLI (its commands and the agent it started). */
function isOurCli(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(CLI)
  } catch {
    return false
  }
}

/**
 * Once `sent()` (the login or refresh reached the server, which holds its answer), freezes the
 * process holding the mint lock in `dir` for FREEZE_MS, then lets it go on. `frozen` is its pid
 * once that happened.
 */
function freezeMintHolder(
  dir: string,
  sent: () => boolean,
): { frozen: Promise<number | null>; stop(): void } {
  let stopped = false
  let held: number | null = null
  const frozen = (async () => {
    while (!stopped) {
      if (!sent()) {
        await new Promise((r) => setTimeout(r, 2))
        continue
      }
      for (const name of fs.readdirSync(dir)) {
        if (!/^\.mint-[0-9a-f]+\.lock$/.test(name)) continue
        const lock = path.join(dir, name)
        const owner = ownerOf(lock)
        if (!owner || !isOurCli(owner.pid)) continue
        process.kill(owner.pid, 'SIGSTOP')
        held = owner.pid
        if (ownerOf(lock)?.token !== owner.token) {
          // It let go before it stopped: not the moment wanted.
          process.kill(owner.pid, 'SIGCONT')
          held = null
          continue
        }
        await new Promise((r) => setTimeout(r, FREEZE_MS))
        process.kill(owner.pid, 'SIGCONT')
        held = null
        return owner.pid
      }
      await new Promise((r) => setTimeout(r, 2))
    }
    return null
  })()
  return {
    frozen,
    stop() {
      stopped = true
      if (held !== null) process.kill(held, 'SIGCONT')
    },
  }
}

/** Runs `runs` beside the hog and the freezer; returns their results and the frozen pid. */
async function underLoad(dir: string, sent: () => boolean, runs: () => Promise<CliRun>[]) {
  const hog = cpuHog()
  const freezer = freezeMintHolder(dir, sent)
  try {
    const results = await Promise.all(runs())
    freezer.stop()
    return { results, frozen: await freezer.frozen }
  } finally {
    freezer.stop()
    hog.stop()
  }
}

const skip = process.platform !== 'linux'

describe.skipIf(skip)('one refresh, one login under load', { timeout: 240_000 }, () => {
  it('10 processes (6 through the agent, 4 direct), the refresher frozen: one refresh, one header', async () => {
    const user = DEMO_USERS.oauth[0]!
    const dir = path.join(tempDir(), 'vault')
    await cheapVault(dir)
    expect((await runCli(['providers', 'add', PROFILE], dir)).code).toBe(0)
    const added = await runCli(
      [
        ...['accounts', 'add', '--provider', 'oauth-sandbox', '--base-url', sb.oauth.baseUrl],
        ...['--label', 'api', '--username', user.username, '--remember', '--secret-stdin'],
      ],
      dir,
      { input: `${user.secret}\n` },
    )
    expect(added.code).toBe(0)
    const first = await runCli(['header', 'api'], dir)
    expect(first.code).toBe(0)
    const st = await runCli(['status', 'api', '--json'], dir)
    const t0 = (JSON.parse(st.stdout) as { accounts: { tokens: { expiresAt: number }[] }[] })
      .accounts[0]!.tokens[0]!
    // Into the 60 s renewal margin: the next header call refreshes.
    const waitMs = t0.expiresAt - 60_000 - Date.now() + 300
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs))
    expect((await runCli(['agent', 'start'], dir)).code).toBe(0)
    sb.oauth.setAccessTtlMs(REFRESHED_TTL_MS)
    sb.oauth.setFault({ kind: 'delay', ms: SERVER_DELAY_MS }, { route: 'refresh' })
    const before = { ...sb.oauth.stats }
    try {
      const sent = () => sb.oauth.stats.refreshRequests > before.refreshRequests
      const { results, frozen } = await underLoad(dir, sent, () => [
        ...Array.from({ length: 6 }, () => runCli(['header', 'api'], dir, { env: NO_PASS })),
        ...Array.from({ length: 4 }, () =>
          runCli(['header', 'api'], dir, { env: { TOKENDECK_AGENT: 'off' } }),
        ),
      ])
      expect(frozen, 'a mint lock holder was frozen').not.toBeNull()
      expect(results.map((r) => (r.code === 0 ? 0 : r.stderr))).toEqual(Array(10).fill(0))
      expect(new Set(results.map((r) => r.stdout)).size).toBe(1)
      expect(results[0]!.stdout).not.toBe(first.stdout)
      expect(sb.oauth.stats.refreshRequests - before.refreshRequests).toBe(1)
      expect(sb.oauth.stats.loginRequests - before.loginRequests).toBe(0)
      const token = results[0]!.stdout.trim().replace(/^Authorization: Bearer /, '')
      expect(sb.oauth.isTokenValid(token)).toBe(true)
    } finally {
      sb.oauth.setFault(null)
      sb.oauth.setAccessTtlMs(ACCESS_TTL_MS)
      await runCli(['agent', 'stop'], dir, { env: NO_PASS })
    }
  })

  it('12 processes (6 through the agent, 6 direct) minting, the minter frozen: one login, one header', async () => {
    const tp = DEMO_USERS.tpstreams[0]!
    const dir = path.join(tempDir(), 'vault')
    await cheapVault(dir)
    const added = await addTpstreamsAccount(dir, {
      baseUrl: sb.tpstreams.baseUrl,
      label: 'acme',
      org: tp.organizations![0]!,
      username: tp.username,
      secret: tp.secret,
    })
    expect(added.code).toBe(0)
    expect((await runCli(['agent', 'start'], dir)).code).toBe(0)
    sb.tpstreams.setFault({ kind: 'delay', ms: SERVER_DELAY_MS }, { route: 'login' })
    const before = sb.tpstreams.stats.loginRequests
    try {
      const sent = () => sb.tpstreams.stats.loginRequests > before
      const { results, frozen } = await underLoad(dir, sent, () => [
        ...Array.from({ length: 6 }, () => runCli(['header', 'acme'], dir, { env: NO_PASS })),
        ...Array.from({ length: 6 }, () =>
          runCli(['header', 'acme'], dir, { env: { TOKENDECK_AGENT: 'off' } }),
        ),
      ])
      expect(frozen, 'a mint lock holder was frozen').not.toBeNull()
      expect(results.map((r) => (r.code === 0 ? 0 : r.stderr))).toEqual(Array(12).fill(0))
      expect(new Set(results.map((r) => r.stdout)).size).toBe(1)
      expect(results[0]!.stdout).toMatch(/^Authorization: Token \S+\n$/)
      expect(sb.tpstreams.stats.loginRequests - before).toBe(1)
    } finally {
      sb.tpstreams.setFault(null)
      await runCli(['agent', 'stop'], dir, { env: NO_PASS })
    }
  })
})
