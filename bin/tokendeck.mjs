#!/usr/bin/env node
// The `tokendeck` command: runs the bundled CLI (out/main/cli.js, built by `npm run build` and
// shipped in the npm package with its runtime dependencies), after checking Node is new enough.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `tokendeck: needs Node 22.12 or newer, and this is Node ${process.versions.node}: ` +
      'install a newer one (`nvm install 24`, or https://nodejs.org/en/download).\n',
  )
  process.exit(2)
}
const cli = new URL('../out/main/cli.js', import.meta.url)
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('tokendeck: not built yet; run `npm run build` first\n')
  process.exit(2)
}
await import(cli.href)
