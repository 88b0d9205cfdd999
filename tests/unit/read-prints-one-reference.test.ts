// `tokendeck read tokendeck://L/token` (or /header) prints exactly one reference's value, like
// `op read` (issue 19): the bare token or the header value the sandbox accepts, nothing else on
// stdout; a newline after it only at a terminal (a real pty), none with -n; through the agent
// without a passphrase; a reference that does not parse is refused before any token is asked.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { CLI, cliVaultPerFile, runCli } from '../helpers/cli'
import { TEST_PASSPHRASE, tempDir } from '../helpers/vault'

const shared = cliVaultPerFile()

const NO_PASS = { TOKENDECK_PASSPHRASE: undefined }

// Runs argv with stdin, stdout and stderr a new pty; prints the exit code and what it showed.
const PTY_PY = `
import json, os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b''
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "out": out.decode("utf8", "replace")}))
`

function atTerminal(args: string[]): Promise<{ code: number; out: string }> {
  const helper = path.join(tempDir(), 'at_terminal.py')
  fs.writeFileSync(helper, PTY_PY)
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [helper, process.execPath, CLI, ...args], {
      env: { PATH: process.env.PATH, HOME: tempDir(), TOKENDECK_VAULT: shared.dir },
    })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.once('error', reject)
    child.once('close', () => resolve(JSON.parse(out) as { code: number; out: string }))
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
