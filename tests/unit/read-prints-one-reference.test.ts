// `tokendeck read tokendeck://L/token` (or /header) prints exactly one reference's value, like
// `op read` (issue 19): the bare token or the header value the sandbox accepts, nothing else on
// stdout; a newline after it only at a terminal (a real pty), none with -n; through the agent
// without a passphrase; a reference that does not parse is refused before any token is asked.
import { describe, expect, it } from 'vitest'
import { CLI, cliVaultPerFile, runCli } from '../helpers/cli'
import { atTerminal as runAtTerminal } from '../helpers/terminal'
import { TEST_PASSPHRASE, tempDir } from '../helpers/vault'

const shared = cliVaultPerFile()

const NO_PASS = { TOKENDECK_PASSPHRASE: undefined }

/** `tokendeck ARGS` at a real terminal (stdin, stdout and stderr a pseudo-terminal). */
function atTerminal(args: string[]) {
  return runAtTerminal([process.execPath, CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: tempDir(), TOKENDECK_VAULT: shared.dir },
  })
}

async function accepted(authorization: string): Promise<number> {
  const res = await fetch(`${shared.sb.tpstreams.baseUrl}/api/v1/acme/assets/`, {
    headers: { Authorization: authorization },
  })
  return res.status
}

describe('tokendeck read', { timeout: 120_000 }, () => {
  it('prints the token or the header value alone, with no newline into a pipe', async () => {
    const token = await runCli(['read', 'tokendeck://acme/token'], shared.dir)
    expect(token).toMatchObject({ code: 0, stderr: '' })
    expect(token.stdout).toMatch(/^[0-9a-f]{40}$/)
    const header = await runCli(['read', 'tokendeck://acme/header'], shared.dir)
    expect(header.stdout).toBe(`Token ${token.stdout}`)
    expect(await accepted(header.stdout)).toBe(200)
    // The shorter forms `run --env` takes, and JSON.
    expect((await runCli(['read', 'acme/header'], shared.dir)).stdout).toBe(header.stdout)
    expect((await runCli(['read', 'ACME'], shared.dir)).stdout).toBe(token.stdout)
    const json = await runCli(['read', 'tokendeck://acme/header', '--json'], shared.dir)
    expect(JSON.parse(json.stdout)).toEqual({
      label: 'acme',
      kind: 'header',
      value: header.stdout,
      expiresAt: null,
    })
  })

  it('through the agent, without a passphrase; a newline only at a terminal, none with -n', async () => {
    expect((await runCli(['agent', 'start'], shared.dir)).code).toBe(0)
    try {
      const viaAgent = await runCli(['read', 'tokendeck://acme/token'], shared.dir, {
        env: NO_PASS,
      })
      expect(viaAgent).toMatchObject({ code: 0, stderr: '' })
      expect(viaAgent.stdout).toMatch(/^[0-9a-f]{40}$/)
      // At a terminal (the agent: no passphrase prompt), the value and a line break.
      const shown = await atTerminal(['read', 'tokendeck://acme/token'])
      expect(shown).toEqual({ code: 0, out: `${viaAgent.stdout}\r\n` })
      const bare = await atTerminal(['read', '-n', 'tokendeck://acme/token'])
      expect(bare).toEqual({ code: 0, out: viaAgent.stdout })
    } finally {
      await runCli(['agent', 'stop'], shared.dir, { env: NO_PASS })
    }
  })

  it('a reference that does not parse, or names no account: exit 2, nothing on stdout', async () => {
    const logins = shared.sb.tpstreams.stats.loginRequests
    for (const ref of ['tokendeck://acme/secret', 'tokendeck://acme', 'tokendeck:/acme/token']) {
      const r = await runCli(['read', ref], shared.dir, {
        env: { TOKENDECK_PASSPHRASE: TEST_PASSPHRASE },
      })
      expect(r.code, ref).toBe(2)
      expect(r.stdout, ref).toBe('')
      expect(r.stderr, ref).toMatch(/read takes tokendeck:\/\/LABEL\/token/)
    }
    const nobody = await runCli(['read', 'tokendeck://nobody/token'], shared.dir)
    expect(nobody).toMatchObject({ code: 2, stdout: '' })
    expect(shared.sb.tpstreams.stats.loginRequests).toBe(logins)
  })
})
