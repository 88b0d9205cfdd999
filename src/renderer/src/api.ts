// The one handle on `window.tokendeck`, typed. Every method returns a Result; nothing throws.
import type { TokenDeckApi } from '../../preload/api'
import type { Failure } from '../../shared/result'

export type Api = TokenDeckApi

export function api(): Api {
  return window.tokendeck
}

/** The success value type of an API method. */
export type ValueOf<T> = T extends (...args: never[]) => Promise<infer R>
  ? R extends { ok: true; value: infer V }
    ? V
    : never
  : never

export type { Failure }
