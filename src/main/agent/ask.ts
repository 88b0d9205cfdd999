// Asking the agent, as bytes on its socket: the request as lines (parts when it is long), the
// notices it sends meanwhile (a login prompt: handed on, and the wait extended to its expiry), and
// the answer line parsed as JSON, not yet checked. No schema here, so this loads
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
/**
 * The longest an answer is waited for past a login prompt's expiry (the exchange after the last
 * poll), and the longest wait any prompt may ask for (an agent's expiresAt is not trusted further).
 */
const PROMPT_MARGIN_MS = 60_000
const MAX_PROMPT_WAIT_MS = 60 * 60_000

/** A notice line for request `id` (`{v, id, notice}`); checked by its receiver, not here. */
function noticeOf(raw: unknown, id: string): unknown {
  if (typeof raw !== 'object' || raw === null || !('notice' in raw)) return undefined
  const line = raw as { v?: unknown; id?: unknown; notice?: unknown }
  return line.v === AGENT_PROTOCOL && line.id === id ? (line.notice ?? null) : undefined
}

/** How long to wait for the answer after a notice: until its prompt expires, and a margin. */
function waitAfter(notice: unknown, idleMs: number): number {
  const expiresAt = (notice as { loginPrompt?: { expiresAt?: unknown } } | null)?.loginPrompt
    ?.expiresAt
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return idleMs
  const until = Math.min(expiresAt - Date.now(), MAX_PROMPT_WAIT_MS) + PROMPT_MARGIN_MS
  return Math.max(idleMs, until)
}

export interface AskLineOptions {
  command: string
  /** How long the agent may stay silent (default 120 s); a login prompt extends it (waitAfter). */
  timeoutMs?: number
  /**
   * Each notice the agent sends before the answer (a login prompt), as parsed JSON, not yet
   * checked. Without it, a notice is skipped all the same: the answer is the first other line.
   */
  onNotice?: (notice: unknown) => void
}

export function askAgentLine(
  endpoint: string,
  ask: AgentAsk,
  o: AskLineOptions,
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
    const idleMs = o.timeoutMs ?? 120_000
    socket.setTimeout(idleMs, () =>
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
      let i: number
      while (!settled && (i = text.indexOf('\n')) >= 0) {
        let raw: unknown
        try {
          raw = JSON.parse(text.slice(0, i))
        } catch {
          return done(fail('AGENT_UNAVAILABLE', 'The agent answered something that is not JSON.'))
        }
        text = text.slice(i + 1)
        const notice = noticeOf(raw, id)
        if (notice === undefined) return done(ok(raw))
        // A person has something to do (a code to enter, a page to sign in at): wait for it.
        socket.setTimeout(waitAfter(notice, idleMs))
        try {
          o.onNotice?.(notice)
        } catch {
          /* the receiver's failure is its own; the answer is still awaited */
        }
      }
      if (!settled && text.length > MAX_LINE * 16) {
        done(fail('AGENT_UNAVAILABLE', 'The agent answered too much.'))
      }
    })
    socket.on('end', () => done(fail('AGENT_UNAVAILABLE', 'The agent closed the connection.')))
  })
}
