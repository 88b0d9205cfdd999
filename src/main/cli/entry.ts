// The `tokendeck` command's entry (bundled as out/main/cli.js; plain Node): runs one invocation
// and sets the exit code. The desktop app runs the same `run` in its own main process when its
// installed launcher starts it (index.main.ts, `--tokendeck-cli`).
import { run } from './index'

void run(process.argv.slice(2), process.env).then((code) => {
  process.exitCode = code
})
