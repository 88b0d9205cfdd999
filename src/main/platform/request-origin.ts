// Who asked for what runs now: the agent sets the client of a request around its handler, and
// the event log stamps every entry written meanwhile with that client, so a header asked through
// the agent is one entry ("Reused the token of …", with who asked), not an agent entry beside it.
import { AsyncLocalStorage } from 'node:async_hooks'

/** One request's origin, while its handler runs. */
export interface RequestOrigin {
  /** How the client describes itself: '"tokendeck header" (pid 4242, /dev/pts/3)'. */
  readonly client: string
  /** Entries written on its behalf so far. */
  logged: number
  /** False once the request is answered: a timer it armed does not log in its name. */
  active: boolean
}

const current = new AsyncLocalStorage<RequestOrigin>()

/** A new origin for one request of `client`. */
export function originOf(client: string): RequestOrigin {
  return { client, logged: 0, active: true }
}

/** Runs `fn` on behalf of `origin`'s client; the origin ends with it, however it ends. */
export async function onBehalfOf<T>(origin: RequestOrigin, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await current.run(origin, fn)
  } finally {
    origin.active = false
  }
}

/** The origin of the request this code runs for, while that request is being answered. */
export function currentOrigin(): RequestOrigin | undefined {
  const o = current.getStore()
  return o?.active ? o : undefined
}
