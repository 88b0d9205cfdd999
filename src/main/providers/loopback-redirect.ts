// The loopback redirect of an authorization code login (RFC 8252 §7.3): a one-shot HTTP listener
// on 127.0.0.1 that takes exactly one answer on its path, checks `state`, and closes. Anything
// else (a favicon, another path) gets a 404 and the listener goes on waiting.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { serverText } from '../../shared/redact'
import { fail, ok, type Result } from '../../shared/result'
import { secretEquals } from '../security/secret-equals'

export interface RedirectAnswer {
  code: string
}

export interface LoopbackRedirect {
  /** `http://127.0.0.1:<port><path>`, for the authorization request. */
  uri: string
  /** The one answer: the code, or why there is none. The listener is closed by then. */
  answer: Promise<Result<RedirectAnswer>>
  close(): void
}

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'"

function page(res: http.ServerResponse, status: number, title: string, text: string): void {
  const body =
    `<!doctype html><meta charset="utf-8"><title>${title}</title>` +
    '<body style="font:16px system-ui;margin:3rem;max-width:36rem">' +
    `<h1 style="font-size:1.3rem">${title}</h1><p>${text}</p></body>`
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': PAGE_CSP,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    connection: 'close',
  })
  res.end(body)
}

/**
 * Listens for the browser's return on 127.0.0.1 (`port` 0: one the OS picks). The answer settles
 * once: the code when `state` matches; a failure for a wrong state, an error the server sent
 * back (`access_denied`...), the deadline, or `signal`.
 */
export function listenForRedirect(o: {
  port: number
  path: string
  state: string
  deadlineMs: number
  signal: AbortSignal
}): Promise<Result<LoopbackRedirect>> {
  return new Promise((resolveListen) => {
    let settle: (r: Result<RedirectAnswer>) => void = () => {}
    const answer = new Promise<Result<RedirectAnswer>>((r) => (settle = r))
    let done = false
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      if (done || req.method !== 'GET' || url.pathname !== o.path) {
        page(res, 404, 'Not found', 'This address only takes the answer of a TokenDeck sign-in.')
        return
      }
      const q = url.searchParams
      const state = q.get('state') ?? ''
      if (!secretEquals(state, o.state)) {
        page(
          res,
          400,
          'Sign-in not accepted',
          'This answer is not for the sign-in TokenDeck started. Nothing was exchanged.',
        )
        return finish(
          fail(
            'PROVIDER_REJECTED',
            "The browser came back with a state that is not this login's: nothing was exchanged. Start the login again.",
            { details: { oauthError: 'state_mismatch' } },
          ),
        )
      }
      const error = q.get('error')
      if (error !== null) {
        page(res, 200, 'Sign-in not completed', 'You can close this tab and return to TokenDeck.')
        const words = serverText(q.get('error_description') ?? '', [o.state], 300)
        return finish(
          fail(
            'PROVIDER_REJECTED',
            error === 'access_denied'
              ? 'The sign-in was denied in the browser.'
              : `The authorization server refused the sign-in (${serverText(error, [o.state], 60)})${words ? `: ${words}` : '.'}`,
            { details: { oauthError: serverText(error, [o.state], 60) } },
          ),
        )
      }
      const code = q.get('code')
      if (!code) {
        page(res, 400, 'Sign-in not accepted', 'The answer carried no authorization code.')
        return finish(fail('BAD_RESPONSE', 'The browser came back without an authorization code.'))
      }
      page(res, 200, 'Signed in', 'TokenDeck has your sign-in. You can close this tab.')
      finish(ok({ code }))
    })
    server.on('clientError', (_e, socket) => socket.destroy())
    const timer = setTimeout(
      () => finish(fail('LOGIN_EXPIRED', 'The sign-in in the browser was not completed in time.')),
      o.deadlineMs,
    )
    timer.unref()
    const onAbort = () => finish(fail('CANCELLED', 'The login was cancelled.'))
    o.signal.addEventListener('abort', onAbort, { once: true })

    function close(): void {
      clearTimeout(timer)
      o.signal.removeEventListener('abort', onAbort)
      server.close()
      server.closeAllConnections()
    }
    function finish(r: Result<RedirectAnswer>): void {
      if (done) return
      done = true
      // The page is written before the listener closes: let its bytes leave first.
      setImmediate(close)
      settle(r)
    }

    server.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      o.signal.removeEventListener('abort', onAbort)
      resolveListen(
        fail(
          'NETWORK_ERROR',
          e.code === 'EADDRINUSE'
            ? `Port ${o.port} on 127.0.0.1 is in use, so the browser cannot come back to TokenDeck; free it and log in again.`
            : `TokenDeck could not listen on 127.0.0.1 for the browser's answer (${e.code ?? 'error'}).`,
        ),
      )
    })
    server.listen({ host: '127.0.0.1', port: o.port, exclusive: true }, () => {
      const { port } = server.address() as AddressInfo
      if (o.signal.aborted) onAbort()
      resolveListen(
        ok({
          uri: `http://127.0.0.1:${port}${o.path}`,
          answer,
          close: () => finish(fail('CANCELLED', 'The login was cancelled.')),
        }),
      )
    })
  })
}
