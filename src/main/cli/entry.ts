// The `tokendeck` command's entry (bundled as out/main/cli.js; plain Node): turns on the compile
// cache, then loads and runs one invocation and sets the exit code. The desktop app runs the same
// `run` in its own main process when its installed launcher starts it (index.main.ts,
// `--tokendeck-cli`).
import { useCompileCache } from './compile-cache'

useCompileCache(process.env)

// Loaded after the cache is on, so that it serves the CLI's own modules too.
const { run } = await import('./index')
process.exitCode = await run(process.argv.slice(2), process.env)
