// The app binary as the `tokendeck` command: when the installed launcher started it (the CLI
// marker in argv, cli-launcher.ts), index.main.ts runs this first and nothing of the app (no
// single-instance lock, window, tray, agent): the bundled CLI's run() in this process, then exit
// with its code. No electron import: exiting and hiding the Dock icon are ports.
import { CLI_MARKER } from './cli-launcher'

export interface CliModePorts {
  /** app.exit(code): ends the process at once (the app has nothing to clean up). */
  exit(code: number): void
  /** macOS: a command shows no Dock icon. */
  hideDock(): void
}

/** Resolves once everything written to `stream` so far has been handed to the OS. */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()))
}

/** Runs the CLI with `args` and exits with its code; resolves with that code (for tests). */
export async function runCommandLine(args: string[], ports: CliModePorts): Promise<number> {
  ports.hideDock()
  // `tokendeck agent start` starts its background agent as `<execPath> <argv[1]> agent ...`:
  // for this binary that must be the marker again.
  process.argv = [process.execPath, CLI_MARKER, ...args]
  // Electron would show a dialog for an uncaught error in its main process: a command says it in
  // one line instead, like the CLI under Node (name and message only, never a value).
  process.on('uncaughtException', (e: Error) => {
    process.stderr.write(`tokendeck: internal error (${e?.name ?? 'Error'})\n`)
    ports.exit(1)
  })
  const { run } = await import('../cli/index')
  const code = await run(args, process.env)
  await drained(process.stdout)
  await drained(process.stderr)
  ports.exit(code)
  return code
}
