// The gateway's connections to the accounts' servers: undici (Node's own HTTP client, the one
// under fetch), pooled per origin with keep-alive, because per request it costs about half of
// node:http's client (measured in bench/gateway.ts). Certificates are always verified, whatever
// NODE_TLS_REJECT_UNAUTHORIZED says; `localhost` is this machine without asking DNS; redirects
// are never followed (undici's request follows none).
import dns from 'node:dns'
import { EventEmitter } from 'node:events'
import type { LookupFunction } from 'node:net'
import type { Readable } from 'node:stream'
import { Agent, type Dispatcher } from 'undici'
import { fail, ok, type Result } from '../../shared/result'
import { loopbackLookup } from '../platform/loopback-lookup'

/** How long the gateway waits for an upstream's response headers. */
export const UPSTREAM_HEADERS_MS = 60_000

const lookup: LookupFunction = (hostname, options, callback) =>
  hostname === 'localhost'
    ? loopbackLookup(hostname, options, callback)
    : dns.lookup(hostname, options, callback)

export interface UpstreamAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Readable
}

/** Ends an exchange: emit 'abort' once, after setting `aborted`. */
export class Cancel extends EventEmitter {
  aborted = false

  abort(): void {
    if (this.aborted) return
    this.aborted = true
    this.emit('abort')
  }
}

function failure(e: unknown, url: URL, aborted: boolean): Result<UpstreamAnswer> {
  const code = (e as { code?: string }).code ?? ''
  if (aborted) return fail('NETWORK_ERROR', 'The client went away.')
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(code)) {
    return fail('TLS_ERROR', `The certificate of ${url.host} could not be verified (${code}).`)
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return fail('NETWORK_TIMEOUT', `${url.host} sent no answer in time.`)
  }
  return fail('NETWORK_ERROR', `Could not reach ${url.host} (${code || 'error'}).`)
}

export class Upstream {
  private readonly agent = new Agent({
    connections: 128,
    keepAliveTimeout: 4_000,
    headersTimeout: UPSTREAM_HEADERS_MS,
    // A body may stream for as long as it takes.
    bodyTimeout: 0,
    connect: { rejectUnauthorized: true, lookup },
  })

  /**
   * One exchange; a failure before the answer is NETWORK_ERROR, NETWORK_TIMEOUT or TLS_ERROR.
   * `cancel` ends it when it emits 'abort' (undici takes an EventEmitter as well as an
   * AbortSignal; an emitter costs a fraction of an AbortController per request).
   */
  send(
    url: URL,
    method: string,
    headers: Record<string, string | string[]>,
    body: Readable | Buffer | null,
    cancel: Cancel,
  ): Promise<Result<UpstreamAnswer>> {
    return this.agent
      .request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        signal: cancel,
      })
      .then(
        (r): Result<UpstreamAnswer> =>
          ok({ status: r.statusCode, headers: r.headers, body: r.body }),
        (e: unknown) => failure(e, url, cancel.aborted),
      )
  }

  close(): Promise<void> {
    return this.agent.destroy()
  }
}
