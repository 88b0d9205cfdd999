// The HTTP host under every sandbox server: listen on loopback, route, count, apply faults, close.
import http from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { applyFault, FaultSwitch } from './faults'
import type { FaultRoute } from './faults'
import { readBody, writeReply } from './http-util'
import type { Reply, SandboxRequest } from './http-util'
import type { SandboxStats, SetFaultOptions } from './types'
import type { Echo, Fault } from './faults'

/** One endpoint of a provider: its path pattern, method, fault route and handler. */
export interface Route {
  kind: Exclude<FaultRoute, 'any'>
  method: 'GET' | 'POST'
  /** Matched against the path without its query string; groups become `params`. */
  pattern: RegExp
  handle: (req: SandboxRequest, params: string[]) => Reply | Promise<Reply>
}

/** What a provider tells the host about itself. */
export interface HostSpec {
  routes: Route[]
  notFound: (req: SandboxRequest) => Reply
  methodNotAllowed: (req: SandboxRequest) => Reply
  /** Request body over the size limit. */
  tooLarge: () => Reply
  /** A 200 success in the provider's shape with a CRLF-injected token (`token-crlf` fault). */
  crlfReply: () => Reply
  /** The provider's failure answer echoing the request (`echo` fault) on `route`. */
  echoReply: (echo: Echo, route: Route['kind'] | null) => Reply
  /** Takes a request before routing (streaming endpoints); true when it did. No faults apply. */
  raw?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean
}

/** A running host: what every SandboxServer delegates to. */
export interface Host {
  readonly baseUrl: string
  readonly stats: SandboxStats
  setFault(fault: Fault | null, opts?: SetFaultOptions): void
  close(): Promise<void>
}

const STAT_OF: Record<Route['kind'], keyof SandboxStats | null> = {
  login: 'loginRequests',
  signup: 'signupRequests',
  logout: 'logoutRequests',
  refresh: 'refreshRequests',
  protected: null,
  authorize: null,
}

function pathOf(req: IncomingMessage): string {
  const raw = req.url ?? '/'
  const q = raw.indexOf('?')
  return q === -1 ? raw : raw.slice(0, q)
}

function queryOf(req: IncomingMessage): URLSearchParams {
  const raw = req.url ?? '/'
  const q = raw.indexOf('?')
  return new URLSearchParams(q === -1 ? '' : raw.slice(q + 1))
}

/** Starts a host on 127.0.0.1 with an OS-chosen port. */
export async function startHost(spec: HostSpec): Promise<Host> {
  const stats: SandboxStats = {
    loginRequests: 0,
    signupRequests: 0,
    logoutRequests: 0,
    refreshRequests: 0,
  }
  const faults = new FaultSwitch()
  const sockets = new Set<Socket>()
  const closing = new AbortController()

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req)
    if (spec.raw?.(req, res, path)) return
    let params: string[] = []
    const route = spec.routes.find((r) => {
      const m = r.pattern.exec(path)
      if (m) params = m.slice(1).map((p) => decodeURIComponent(p))
      return m !== null
    })
    const stat = route ? STAT_OF[route.kind] : null
    if (stat) stats[stat] += 1
    const fault = faults.take(route?.kind ?? null)

    const io = {
      req,
      res,
      closing: closing.signal,
      crlfReply: spec.crlfReply,
      echoReply: (echo: Echo) => spec.echoReply(echo, route?.kind ?? null),
    }
    if (fault && (fault.kind === 'reset' || fault.kind === 'hang')) {
      // Neither reads the body nor runs the route, so `respond` is never called.
      const respond = (): Promise<Reply> => Promise.reject(new Error(`${fault.kind}: no reply`))
      await applyFault(fault, { ...io, body: Buffer.alloc(0), respond })
      return
    }
    let body: Buffer
    try {
      body = await readBody(req)
    } catch (err) {
      if (err instanceof Error && err.message === 'too-large') writeReply(res, spec.tooLarge())
      return
    }
    const sreq: SandboxRequest = {
      method: req.method ?? 'GET',
      path,
      query: queryOf(req),
      headers: req.headers,
      body,
    }
    const respond = async (): Promise<Reply> => {
      if (!route) return spec.notFound(sreq)
      if (route.method !== sreq.method) return spec.methodNotAllowed(sreq)
      return route.handle(sreq, params)
    }
    if (fault) await applyFault(fault, { ...io, body, respond })
    else writeReply(res, await respond())
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch(() => {
      writeReply(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: 'error' })
    })
  })
  // A hung request must stay hung until close(), however long a test takes.
  server.requestTimeout = 0
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('clientError', (_err, socket) => socket.destroy())

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo

  let closed: Promise<void> | null = null
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stats,
    setFault: (fault, opts) => faults.set(fault, opts),
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort()
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
      return closed
    },
  }
}
