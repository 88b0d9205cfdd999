// `tokendeck agent start` belongs in a shell profile (issue 19): a second start while an agent
// serves the vault asks for no passphrase, starts nothing, names the running agent's pid and
// exits 0; `eval "$(tokendeck agent start -s)"` in the real sh, dash, bash and zsh, and
// `tokendeck agent start -c | source` in the real fish, set TOKENDECK_AGENT_SOCK to exactly the
// endpoint, whatever its path holds (spaces, quotes, $, `, \, !, globs, non-ASCII); an agent of
// another vault answering at that endpoint is refused rather than taken for this vault's.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { agentEndpoint } from '../../src/main/agent/endpoint'
import { cshQuote, exportLine, shQuote } from '../../src/main/cli/shell-quote'
import { CLI, cliVaultPerFile, runCli, cheapVault } from '../helpers/cli'
import { TEST_PASSPHRASE, tempDir } from '../helpers/vault'

const shared = cliVaultPerFile()

/** No passphrase anywhere: only an agent already running can make a command succeed. */
const NO_PASS = { TOKENDECK_PASSPHRASE: undefined }

/** A directory name every shell would read otherwise, were it not quoted. */
const AWKWARD = `it's "q" $HOME \`id\` \\ !1 *?[a] ~ #;&|<> é=%@`

/** Runs `script` in a real shell with the CLI at hand as "$NODE" "$CLI"; its stdout. */
function inShell(
  shell: string,
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(shell, ['-c', script], {
      // A UTF-8 locale, as a login shell has (fish in the C locale re-encodes non-ASCII bytes).
      env: { PATH: process.env.PATH, LANG: 'C.UTF-8', NODE: process.execPath, CLI, ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end()
  })
}

describe('agent start in a shell profile', { timeout: 120_000 }, () => {
  it('a second start names the running agent and exits 0, without a passphrase', async () => {
    const first = await runCli(['agent', 'start', '--json'], shared.dir)
    expect(first.code).toBe(0)
    const started = JSON.parse(first.stdout) as { endpoint: string; pid: number }
    expect(started).toMatchObject({ alreadyRunning: false })
    try {
      const again = await runCli(['agent', 'start', '--json'], shared.dir, { env: NO_PASS })
      expect(again.code).toBe(0)
      expect(JSON.parse(again.stdout)).toEqual({ ...started, alreadyRunning: true })
      const text = await runCli(['agent', 'start'], shared.dir, { env: NO_PASS })
      expect(text).toMatchObject({ code: 0, stdout: `TOKENDECK_AGENT_SOCK=${started.endpoint}\n` })
      expect(text.stderr).toBe(
        `tokendeck: an agent already serves this vault (pid ${started.pid}); nothing was started.\n`,
      )
      // The one agent still answers: no second one took its socket.
      const status = await runCli(['agent', 'status', '--json'], shared.dir, { env: NO_PASS })
      expect(JSON.parse(status.stdout)).toMatchObject({ pid: started.pid, unlocked: true })
      const both = await runCli(['agent', 'start', '-s', '-c'], shared.dir, { env: NO_PASS })
      expect(both.code).toBe(2)
      expect(both.stdout).toBe('')
    } finally {
      expect((await runCli(['agent', 'stop'], shared.dir, { env: NO_PASS })).code).toBe(0)
    }
  })

  it('eval of -s (sh, dash, bash, zsh) and -c (fish) gives back an awkward endpoint exactly', async () => {
    // The endpoint under $XDG_RUNTIME_DIR, in a folder named to trip every shell up.
    const runtime = path.join(tempDir('td-'), AWKWARD)
    fs.mkdirSync(runtime, { mode: 0o700 })
    const env = { HOME: tempDir(), TOKENDECK_VAULT: shared.dir, XDG_RUNTIME_DIR: runtime }
    const endpoint = agentEndpoint(shared.dir, env)
    expect(endpoint.startsWith(runtime)).toBe(true)
    const profile = `eval "$("$NODE" "$CLI" agent start -s)"; printf %s "$TOKENDECK_AGENT_SOCK"`
    // The first shell starts it (the passphrase from the environment, as a prompt would).
    const first = await inShell('bash', profile, { ...env, TOKENDECK_PASSPHRASE: TEST_PASSPHRASE })
    expect(first).toMatchObject({ code: 0, stdout: endpoint })
    try {
      expect(fs.statSync(endpoint).isSocket()).toBe(true)
      // Every later shell: no passphrase, the same line.
      for (const shell of ['sh', 'dash', 'bash', 'zsh']) {
        const r = await inShell(shell, profile, env)
        expect(r, shell).toMatchObject({ code: 0, stdout: endpoint })
        expect(r.stderr, shell).toMatch(/already serves this vault \(pid \d+\)/)
      }
      const fish = await inShell(
        'fish',
        '$NODE $CLI agent start -c | source; printf %s $TOKENDECK_AGENT_SOCK',
        env,
      )
      expect(fish).toMatchObject({ code: 0, stdout: endpoint })
      // Without $XDG_RUNTIME_DIR, only the variable the line set leads a command to the agent.
      const h = await inShell(
        'bash',
        `eval "$("$NODE" "$CLI" agent start -s 2>/dev/null)"; unset XDG_RUNTIME_DIR; "$NODE" "$CLI" header acme`,
        env,
      )
      expect(h).toMatchObject({ code: 0 })
      expect(h.stdout).toMatch(/^Authorization: Token [0-9a-f]{40}\n$/)
    } finally {
      await runCli(['agent', 'stop'], shared.dir, { env })
    }
  })

  it('refuses an agent of another vault at the endpoint, and a path eval cannot give back', async () => {
    const endpoint = path.join(tempDir('td-'), 'run', 'a.sock')
    const env = { TOKENDECK_AGENT_SOCK: endpoint }
    const other = path.join(tempDir(), 'other-vault')
    await cheapVault(other)
    expect((await runCli(['agent', 'start'], other, { env })).code).toBe(0)
    try {
      const mine = await runCli(['agent', 'start', '-s'], shared.dir, {
        env: { ...env, ...NO_PASS },
      })
      expect(mine.code).toBe(2)
      expect(mine.stdout).toBe('')
      expect(mine.stderr).toContain(`serves another vault, ${other}; nothing was started`)
    } finally {
      await runCli(['agent', 'stop'], other, { env })
    }
    const newline = path.join(tempDir('td-'), 'a\nb', 'a.sock')
    const bad = await runCli(['agent', 'start', '-s'], shared.dir, {
      env: { TOKENDECK_AGENT_SOCK: newline },
    })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/control character/)
    expect(fs.existsSync(newline)).toBe(false)
  })
})

describe('the quoting', () => {
  it('sh quoting is one word; csh quoting escapes all but plain characters; controls refused', () => {
    expect(shQuote(`a'b`)).toBe(`'a'\\''b'`)
    expect(exportLine('sh', '/run/x')).toBe(`export TOKENDECK_AGENT_SOCK='/run/x';`)
    expect(cshQuote('/a b/$x!é')).toBe('/a\\ b/\\$x\\!é')
    expect(exportLine('csh', '/run/x')).toBe('setenv TOKENDECK_AGENT_SOCK /run/x;')
    expect(exportLine('sh', '/a\nb')).toBeNull()
    expect(exportLine('csh', '/a\tb')).toBeNull()
  })
})
