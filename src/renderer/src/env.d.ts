// The page's only way to main: the API the preload exposes (or the e2e harness builds).
import type { TokenDeckApi } from '../../preload/api'

declare global {
  interface Window {
    tokendeck: TokenDeckApi
  }
}

export {}
