#!/usr/bin/env node
// The `tokendeck` command: runs the bundled CLI (out/main/cli.js, built by `npm run build`).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = new URL('../out/main/cli.js', import.meta.url)
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('tokendeck: not built yet; run `npm run build` first\n')
  process.exit(2)
}
await import(cli.href)
