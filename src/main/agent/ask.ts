// Asking the agent, as bytes on its socket: the request as lines (parts when it is long), and
// the first line of the answer parsed as JSON, not yet checked. No schema here, so this loads
// node:net and no zod: agent/client.ts checks every answer against the protocol's schema, and
// the CLI's quick path (cli/quick-header.ts) checks the one answer it expects by hand.
import fs from 'node:fs'
import net from 'node:net'
import tty from 'node:tty'
import { fail, ok, type Result } from '../../shared/result'
import type { OpName, OpRequest } from '../client/operations'
import { checkEndpointSocket } from './endpoint'
import type { AgentClient } from './protocol'

export const AGENT_PROTOCOL = 1
/** The longest line either side accepts (request or answer), in bytes. */
export const MAX_LINE = 64 * 1024
/** The longest request sent as parts (a profile import of 256 KiB, escaped), in bytes. */
export const MAX_ASSEMBLED = 1024 * 1024

/** The request without its envelope (the client adds version, id and who it is). */
export type AgentAsk = { [K in OpName]: { op: K } & OpRequest<K> }[OpName] | { op: 'stop' }

/** Chunks of a part: a line of a part stays far below MAX_LINE, escaped as JSON. */
const PART = 16 * 1024

/** The request as lines: one, or its parts when it is longer than a line. */
function linesOf(id: string, request: object): string[] | null {
  const line = JSON.stringify(request)
  if (Buffer.byteLength(line) < MAX_LINE) return [`${line}\n`]
  if (line.length > MAX_ASSEMBLED) return null
  const parts = Math.ceil(line.length / PART)
  return Array.from({ length: parts }, (_, part) => {
    const chunk = line.slice(part * PART, (part + 1) * PART)
    return `${JSON.stringify({ v: AGENT_PROTOCOL, id, part, parts, chunk })}\n`
  })
}

/** What this process tells the agent about itself. */
export function describeClient(command: string): AgentClient {
  let terminal = ''
  let session = process.env.TERM_SESSION_ID ?? ''
  try {
    if (tty.isatty(0)) terminal = fs.readlinkSync('/proc/self/fd/0')
  } catch {
    /* not Linux: no terminal name */
  }
  try {
    // /proc/self/stat: "pid (comm) state ppid pgrp session ..."; comm may hold spaces.
    const stat = fs.readFileSync('/proc/self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    session ||= fields[3] ?? ''
  } catch {
    /* not Linux */
  }
  return {
    pid: process.pid,
    tty: terminal.slice(0, 200),
    session: session.slice(0, 200),
    command: command.slice(0, 200),
  }
}

/**
 * Asks the agent at `endpoint` and gives back the first line of its answer, parsed as JSON but
 * not yet checked. `null` when no agent is there (no socket, or nothing listening): the caller
 * then opens the vault itself. A failure when one is there but cannot be read.
 */
export function askAgentLine(
  endpoint: string,
  ask: AgentAsk,
  o: { command: string; timeoutMs?: number },
): Promise<Result<unknown> | null> {
  if (process.platform !== 'win32') {
    // Nothing is sent unless the endpoint is a socket of this user in a directory of its own.
    const safe = checkEndpointSocket(endpoint)
    if (safe === null || !safe.ok) return Promise.resolve(safe)
  }
  const id = `${process.pid}-${Date.now()}`
  const request = { v: AGENT_PROTOCOL, id, client: describeClient(o.command), ...ask }
  const lines = linesOf(id, request)
  if (!lines) return Promise.resolve(fail('VALIDATION_FAILED', 'The request is too long.'))
  return new Promise((resolve) => {
    let settled = false
    let text = ''
    const done = (r: Result<unknown> | null) => {
      if (settled) return
      settled = true
      socket.destroy()
      resolve(r)
    }
    const socket = net.connect(endpoint)
    socket.setEncoding('utf8')
    socket.setTimeout(o.timeoutMs ?? 120_000, () =>
      done(fail('AGENT_UNAVAILABLE', `The agent at ${endpoint} did not answer in time.`)),
    )
    socket.once('connect', () => socket.write(lines.join('')))
    socket.on('error', (e: NodeJS.ErrnoException) => {
      const absent = e.code === 'ENOENT' || e.code === 'ECONNREFUSED'
      done(
        absent
          ? null
          : fail('AGENT_UNAVAILABLE', `The agent at ${endpoint} failed (${e.code ?? 'error'}).`),
      )
    })
    socket.on('data', (chunk: string) => {
      text += chunk
      const i = text.indexOf('\n')
      if (i < 0) {
        if (text.length > MAX_LINE * 16)
          done(fail('AGENT_UNAVAILABLE', 'The agent answered too much.'))
        return
      }
      let raw: unknown
      try {
        raw = JSON.parse(text.slice(0, i))
      } catch {
        return done(fail('AGENT_UNAVAILABLE', 'The agent answered something that is not JSON.'))
      }
      done(ok(raw))
    })
    socket.on('end', () => done(fail('AGENT_UNAVAILABLE', 'The agent closed the connection.')))
  })
}
