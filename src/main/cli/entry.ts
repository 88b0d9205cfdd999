// The `tokendeck` command's entry (bundled as out/main/cli.js; plain Node): `header L` and
// `token L` try the quick path through the agent first (quick-header.ts); otherwise, or when it
// hands over, it turns on the compile cache, then loads and runs one invocation and sets the exit
// code. The desktop app runs the same `run` in its own main process when its installed launcher
// starts it (index.main.ts, `--tokendeck-cli`).
import { quickAsk } from './quick-ask'

const argv = process.argv.slice(2)
const quick = quickAsk(argv, process.env)
// The quick path is a few small modules: the compile cache saves it nothing (measured), so it
// does not pay for setting the cache up.
let code = quick ? await (await import('./quick-header')).quickHeader(quick, process.env) : null
if (code === null) {
  ;(await import('./compile-cache')).useCompileCache(process.env)
  // Loaded after the cache is on, so that it serves the CLI's own modules too.
  code = await (await import('./index')).run(argv, process.env)
}
process.exitCode = code
