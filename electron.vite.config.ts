import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // Two entries share one build: the Electron main process and the plain-Node CLI.
        // The CLI never imports `electron`, so out/main/cli.js runs under Node >= 22.
        input: {
          index: resolve('src/main/index.ts'),
          cli: resolve('src/main/cli/index.ts'),
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
      rollupOptions: { input: resolve('src/renderer/index.html') },
    },
    plugins: [react()],
  },
})
