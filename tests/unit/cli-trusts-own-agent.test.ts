// The CLI trusts only its own agent (issue 18, item 8). A fake agent, as a hostile process would
// run one (a socket server in a temp folder speaking the protocol), is put behind a symlink, a
// socket owned by another user and a plain file: the built CLI sends it nothing. Answering a
// doctored built-in profile (the password no longer secret, an invented "GitHub password"), it
// is never even asked for it: the CLI prompts, at a real terminal (a pty), only for the secrets
// its own copy declares. For an imported profile, which only the agent knows, the CLI never
// prompts at a terminal; piped secrets are read as before.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_PROTOCOL } from '../../src/main/agent/protocol'
import { CLI, runCli } from '../helpers/cli'
import { tempDir } from '../helpers/vault'

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
})

interface Seen {
  op: string
  [k: string]: unknown
}

const servers: net.Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
})

/** A process posing as the agent: answers every request with `answer(req)`, records them all. */
async function fakeAgent(answer: (req: Seen) => unknown) {
  const dir = tempDir('tokendeck-fake-agent-')
  fs.chmodSync(dir, 0o700)
  const endpoint = path.join(dir, 'agent.sock')
  const seen: Seen[] = []
  let connections = 0
  const server = net.createServer((s) => {
    connections++
    let text = ''
    s.setEncoding('utf8')
    s.on('error', () => {})
    s.on('data', (d: string) => {
      text += d
      let i: number
      while ((i = text.indexOf('\n')) >= 0) {
        const req = JSON.parse(text.slice(0, i)) as Seen & { id: string }
        text = text.slice(i + 1)
        seen.push(req)
        s.write(
          `${JSON.stringify({ v: AGENT_PROTOCOL, id: req.id, ok: true, value: answer(req) })}\n`,
        )
      }
    })
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(endpoint, r))
  fs.chmodSync(endpoint, 0o600)
  return { endpoint, dir, seen, connections: () => connections }
}

const PING = {
  pid: 1,
  vaultDir: '/nowhere',
  kind: 'headless',
  startedAt: 0,
  idleTimeoutMinutes: 0,
  unlocked: true,
}
/** An account as the agent's `add` answers it (secret-free). */
function accountView(label: string) {
  return {
    id: 'acc-1',
    label,
    providerId: 'tpstreams',
    providerName: 'TPStreams',
    baseUrl: 'https://app.tpstreams.com',
    username: 'dev@acme.test',
    fields: {},
    organizationId: 'acme',
    orgKey: 'tpstreams|acme',
    remember: true,
    current: null,
    tokens: [],
    createdAt: 0,
  }
}
const HEADER = { label: 'acme', headerName: 'Authorization', value: 'Token stolen', reused: true }

/** The built-in TPStreams profile as a hostile agent would doctor it. */
const DOCTORED_TPSTREAMS = {
  formatVersion: 1,
  id: 'tpstreams',
  name: 'TPStreams',
  baseUrl: 'https://app.tpstreams.com',
  fields: [
    { name: 'username', label: 'Email', kind: 'email', role: 'username' },
    // No longer secret: it would be asked for on the command line, echoed and kept in history.
    { name: 'password', label: 'Password', role: 'organization' },
    { name: 'github_password', label: 'GitHub password', kind: 'secret', role: 'secret' },
  ],
  login: { method: 'POST', path: '/api/auth/login/', encoding: 'json', body: {} },
  token: { path: 'token' },
  auth: { header: 'Authorization', scheme: 'Token' },
  expiry: { source: 'none' },
}

const IMPORTED = JSON.parse(
  fs.readFileSync(path.resolve('tests/fixtures/profiles/oauth-sandbox.json'), 'utf8'),
) as { id: string }

/** The CLI's `accounts add` answered by the fake agent, as the real one would answer `add`. */
function answers(req: Seen): unknown {
  if (req.op === 'ping') return PING
  if (req.op === 'providers') return []
  if (req.op === 'profile') return req.providerId === 'tpstreams' ? DOCTORED_TPSTREAMS : IMPORTED
  if (req.op === 'add') {
    const acc = req.account as { label: string }
    return { account: accountView(acc.label), token: null }
  }
  return HEADER
}

// Runs argv in a new pty (stdin, stdout and stderr a terminal), typing a line at each prompt
// (output ending in ": "); prints the exit code and everything the terminal showed.
const PTY_PY = `
import json, os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b''
typed = 0
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if out.endswith(b': ') and typed < 4:
        os.write(fd, b'typed-at-the-terminal\\r')
        typed += 1
_, status = os.waitpid(pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "out": out.decode("utf8", "replace")}))
`

function atTerminal(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; out: string }> {
  const helper = path.join(tempDir(), 'at_terminal.py')
  fs.writeFileSync(helper, PTY_PY)
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [helper, process.execPath, CLI, ...args], { env })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.once('error', reject)
    child.once('close', () => {
      try {
        resolve(JSON.parse(out) as { code: number; out: string })
      } catch {
        reject(new Error(`the terminal helper failed: ${out.slice(0, 200)}`))
      }
    })
  })
}

function envFor(endpoint: string): NodeJS.ProcessEnv {
  const home = tempDir('tokendeck-cli-home-')
  return {
    PATH: process.env.PATH,
    HOME: home,
    TOKENDECK_VAULT: path.join(home, 'vault'),
    TOKENDECK_AGENT_SOCK: endpoint,
  }
}

const ADD = ['accounts', 'add', '--label', 'acme', '--username', 'dev@acme.test', '--secret-stdin']

describe('the CLI talks only to its own agent', { timeout: 60_000 }, () => {
  it('an endpoint that is a symlink to a listening agent: AGENT_UNSAFE, nothing sent', async () => {
    const agent = await fakeAgent(answers)
    const elsewhere = tempDir('tokendeck-link-')
    fs.chmodSync(elsewhere, 0o700)
    const link = path.join(elsewhere, 'agent.sock')
    fs.symlinkSync(agent.endpoint, link)
    const r = await runCli(['header', 'acme'], undefined, {
      env: { TOKENDECK_AGENT_SOCK: link, TOKENDECK_PASSPHRASE: undefined },
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/is a symbolic link/)
    expect(r.stdout).toBe('')
    expect(agent.connections()).toBe(0)
  })

  it.skipIf(process.getuid?.() !== 0)(
    'a socket another user owns, in a folder of ours: AGENT_UNSAFE, nothing sent',
    async () => {
      const agent = await fakeAgent(answers)
      fs.lchownSync(agent.endpoint, 65534, 65534)
      const r = await runCli(['header', 'acme'], undefined, {
        env: { TOKENDECK_AGENT_SOCK: agent.endpoint, TOKENDECK_PASSPHRASE: undefined },
      })
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/belongs to another user/)
      expect(r.stdout).toBe('')
      expect(agent.connections()).toBe(0)
    },
  )

  it('a plain file where the socket should be: AGENT_UNSAFE', async () => {
    const dir = tempDir('tokendeck-plain-')
    fs.chmodSync(dir, 0o700)
    const file = path.join(dir, 'agent.sock')
    fs.writeFileSync(file, '')
    const r = await runCli(['status'], undefined, {
      env: { TOKENDECK_AGENT_SOCK: file, TOKENDECK_PASSPHRASE: undefined },
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/is not a socket/)
  })

  it('a doctored built-in profile is never asked for; the terminal shows only its own prompt', async () => {
    const agent = await fakeAgent(answers)
    const r = await atTerminal(
      [...ADD, '--provider', 'tpstreams', '--org', 'acme'],
      envFor(agent.endpoint),
    )
    expect(r.code).toBe(0)
    expect(r.out).toContain('Password: ')
    expect(r.out).not.toMatch(/GitHub/)
    expect(r.out).toContain('Added account "acme"')
    // The agent was reached (the providers it has), then asked to add; never for the profile.
    expect(agent.seen.map((s) => s.op)).toEqual(['providers', 'add'])
    const fields = (agent.seen[1]!.account as { fields: Record<string, string> }).fields
    expect(fields).toEqual({
      username: 'dev@acme.test',
      organization_id: 'acme',
      password: 'typed-at-the-terminal',
    })
  })

  it('an imported profile, which only the agent knows: no prompt at a terminal, piped secrets read', async () => {
    const agent = await fakeAgent(answers)
    const env = envFor(agent.endpoint)
    const r = await atTerminal([...ADD, '--provider', IMPORTED.id], env)
    expect(r.code).toBe(2)
    expect(r.out).toMatch(/does not prompt for a secret an agent describes/)
    expect(r.out).not.toMatch(/Password: /)
    expect(agent.seen.map((s) => s.op)).toEqual(['profile'])
    // Piped, as a script does: one line per secret field, no prompt shown.
    const home = env.HOME!
    const piped = await runCli([...ADD, '--provider', IMPORTED.id], undefined, {
      home,
      env: { TOKENDECK_AGENT_SOCK: agent.endpoint, TOKENDECK_PASSPHRASE: undefined },
      input: 'from-a-pipe\n',
    })
    expect(piped.code).toBe(0)
    expect(piped.stderr).toBe('')
    expect(agent.seen.map((s) => s.op)).toEqual(['profile', 'profile', 'add'])
    const fields = (agent.seen[2]!.account as { fields: Record<string, string> }).fields
    expect(fields).toEqual({ username: 'dev@acme.test', password: 'from-a-pipe' })
  })
})
