// The `tokendeck` command's entry (bundled as out/main/cli.js; plain Node): turns on the compile
// cache, then loads and runs one invocation and sets the exit code. The desktop app runs the same
// `run` in its own main process when its installed launcher starts it (index.main.ts,
// `--tokendeck-cli`).
import { useCompileCache } from './compile-cache'
import { quickAsk } from './quick-ask'

useCompileCache(process.env)

const argv = process.argv.slice(2)
// Loaded after the cache is on, so that it serves the CLI's own modules too. `header L` and
// `token L` try the quick path through the agent first (quick-header.ts).
let code: number | null = null
const quick = quickAsk(argv, process.env)
if (quick) code = await (await import('./quick-header')).quickHeader(quick, process.env)
code ??= await (await import('./index')).run(argv, process.env)
process.exitCode = code
