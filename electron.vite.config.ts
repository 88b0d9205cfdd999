import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'
import type { Plugin } from 'vite'

/**
 * `electron-vite dev` only: the React refresh preamble is an inline script and HMR talks over a
 * websocket, which the renderer's strict CSP forbids. Relax the <meta> for the dev server alone;
 * builds (and so the packaged app and the e2e tests) keep the strict policy.
 */
function devCsp(): Plugin {
  return {
    name: 'tokendeck-dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html
        .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        .replace("connect-src 'none'", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*")
    },
  }
}

/** The modules of the CLI's quick path through the agent (docs/agent.md). */
const QUICK_PATH =
  /src\/(main\/cli\/(quick-header|out|print-token|progress|format|default-dir)|main\/agent\/(ask|endpoint)|main\/client\/issued-check|shared\/(result|controls))\.ts$/

export default defineConfig({
  main: {
    build: {
      // zod is bundled, not loaded from node_modules: the CLI's agent path (zod/mini) then loads
      // one small chunk instead of zod's module graph (see docs/agent.md, "Measured").
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        // Two entries share one build: the Electron main process and the plain-Node CLI.
        // The CLI never imports `electron`, so out/main/cli.js runs under Node >= 22.
        input: {
          index: resolve('src/main/index.main.ts'),
          cli: resolve('src/main/cli/entry.ts'),
        },
        output: {
          codeSplitting: {
            // What `tokendeck header L` loads through the agent (cli/quick-header.ts) in one
            // chunk: each file an ES module graph loads costs a resolve, a read and a link.
            groups: [{ name: 'cli-quick', test: QUICK_PATH }],
          },
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require only `electron`: bundle everything else (zod) into it.
      externalizeDeps: false,
      rollupOptions: {
        // Sandboxed preloads must be CommonJS (Electron cannot load ESM preloads with sandbox: true).
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    build: {
      minify: true,
      sourcemap: false,
      // One stylesheet, loaded at start, in import order: base.css first, so a component's module
      // wins ties (docs/ui.md, "Styles"), and a dialog opened on demand waits for no CSS.
      cssCodeSplit: false,
      rollupOptions: {
        input: resolve('src/renderer/index.html'),
        output: {
          codeSplitting: {
            // Everything the window loads at start (the static imports of main.tsx) in one chunk:
            // otherwise modules shared with the on-demand chunks (components/chunks.ts) become
            // small common chunks loaded at start anyway, one request each.
            groups: [{ name: 'start', tags: ['$initial'] }],
          },
        },
      },
    },
    plugins: [react(), devCsp()],
  },
})
