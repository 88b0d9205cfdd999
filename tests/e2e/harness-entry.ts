// Bundled for the page by global-setup.ts: the preload's own API factory, as a global.
// zod is told not to compile validators with new Function: the page's CSP forbids eval.
import { config } from 'zod'

config({ jitless: true })

export { createApi } from '../../src/preload/api'
