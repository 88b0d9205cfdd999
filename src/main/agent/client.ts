// The CLI's side of the agent: finds the agent of a vault and asks it one thing. Small on
// purpose (node:net, the mini zod protocol): a call through the agent loads no store, no schema
// compiler, no key derivation and no provider engine.
import fs from 'node:fs'
import net from 'node:net'
import tty from 'node:tty'
import { ERROR_CODES, fail, ok, type ErrorCode, type Result } from '../../shared/result'
import { checkEndpointSocket } from './endpoint'
import type { OpName, OpRequest } from '../client/operations'
import {
  AGENT_PROTOCOL,
  MAX_ASSEMBLED,
  MAX_LINE,
  responseSchema,
  type AgentClient,
} from './protocol'

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
 * Asks the agent at `endpoint`. `null` when no agent is there (no socket, or nothing listening):
 * the caller then opens the vault itself. A failure when one is there but answers badly.
 */
export function askAgent(
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
      const r = responseSchema.safeParse(raw)
      if (!r.success)
        return done(fail('AGENT_PROTOCOL', 'The agent answered outside the protocol.'))
      const res = r.data
      if (!res.ok) {
        const extra = {
          ...(res.fields ? { fields: res.fields } : {}),
          ...(res.details ? { details: res.details } : {}),
        }
        return done(fail(asCode(res.code), res.message, extra))
      }
      done(ok(res.value))
    })
    socket.on('end', () => done(fail('AGENT_UNAVAILABLE', 'The agent closed the connection.')))
  })
}

function asCode(code: string): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL'
}
