// Where the agent of a vault listens, and the checks on that place: a Unix domain socket in a
// directory of the user's own (mode 0700), under $XDG_RUNTIME_DIR or beside the vault; a named
// pipe on Windows. TOKENDECK_AGENT_SOCK overrides. Light on purpose: the CLI's agent path uses it.
// The client checks the socket file too: a socket of its own user, never a link.
import fs from 'node:fs'
import path from 'node:path'
import { fail, ok, type Result } from '../../shared/result'

/** The endpoint the agent of `vaultDir` listens on (the CLI looks there first). */
export function agentEndpoint(
  vaultDir: string,
  env: NodeJS.ProcessEnv,
  platform = process.platform,
): string {
  const override = env.TOKENDECK_AGENT_SOCK
  if (override) return override
  // node:crypto is loaded only when a name needs the hash: it is a tenth of a quick `header`.
  const id = () =>
    process
      .getBuiltinModule('node:crypto')
      .createHash('sha256')
      .update(path.resolve(vaultDir))
      .digest('hex')
      .slice(0, 16)
  if (platform === 'win32') return `\\\\.\\pipe\\tokendeck-agent-${id()}`
  const runtime = env.XDG_RUNTIME_DIR
  if (runtime && path.isAbsolute(runtime) && fs.existsSync(runtime)) {
    return path.join(runtime, 'tokendeck', `agent-${id()}.sock`)
  }
  return path.join(path.resolve(vaultDir), '.agent', 'agent.sock')
}

/**
 * Creates the socket's directory (mode 0700) if needed and refuses one that another user owns or
 * that group or others can write: there, someone else could replace the socket.
 */
export function prepareEndpointDir(socketPath: string, platform = process.platform): Result<void> {
  if (platform === 'win32') return ok(undefined)
  const dir = path.dirname(socketPath)
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  } catch (e) {
    return fail('INTERNAL', `Could not create ${dir}: ${(e as Error).message.slice(0, 120)}`)
  }
  return checkEndpointDir(dir)
}

/** The directory is the user's own and nobody else can write it. */
export function checkEndpointDir(dir: string): Result<void> {
  let st: fs.Stats
  try {
    st = fs.lstatSync(dir)
  } catch {
    return fail('AGENT_UNSAFE', `${dir} does not exist.`)
  }
  const uid = process.getuid?.()
  if (!st.isDirectory())
    return fail('AGENT_UNSAFE', `${dir} is not a directory; the agent does not start there.`)
  if (uid !== undefined && st.uid !== uid) {
    return fail('AGENT_UNSAFE', `${dir} belongs to another user; the agent does not start there.`)
  }
  if ((st.mode & 0o022) !== 0) {
    return fail(
      'AGENT_UNSAFE',
      `${dir} can be written by group or others (mode ${(st.mode & 0o777).toString(8)}); the agent does not start there. Run chmod 700 on it.`,
    )
  }
  return ok(undefined)
}

/**
 * The socket file itself, for a client about to connect: a socket (not a symlink, not another
 * kind of file) owned by this user, in a directory checkEndpointDir accepts. `null` when there is
 * none (no agent). Only its owner can have bound it there, as only its owner can write that
 * directory: the closest to checking the listening peer that Node allows (it has no
 * SO_PEERCRED), without a native module.
 */
export function checkEndpointSocket(socketPath: string): Result<void> | null {
  let st: fs.Stats
  try {
    st = fs.lstatSync(socketPath)
  } catch {
    return null
  }
  const dir = checkEndpointDir(path.dirname(socketPath))
  if (!dir.ok) return dir
  if (st.isSymbolicLink()) {
    return fail('AGENT_UNSAFE', `${socketPath} is a symbolic link; the CLI talks only to a socket.`)
  }
  if (!st.isSocket()) {
    return fail('AGENT_UNSAFE', `${socketPath} is not a socket; the CLI does not talk to it.`)
  }
  const uid = process.getuid?.()
  if (uid !== undefined && st.uid !== uid) {
    return fail(
      'AGENT_UNSAFE',
      `${socketPath} belongs to another user; the CLI does not talk to it.`,
    )
  }
  return ok(undefined)
}
