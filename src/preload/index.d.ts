// The page's view of the preload: `window.tokendeck` is the API from ./api (import its types from
// there; this file only declares the global).
import type { TokenDeckApi } from './api'

export type { TokenDeckApi }

declare global {
  interface Window {
    tokendeck: TokenDeckApi
  }
}
