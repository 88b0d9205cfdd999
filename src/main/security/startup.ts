// Launch-time policies: environments the app refuses to run in, and the command-line flags it
// understands. Pure functions; index.main.ts acts on their answers.

/** A message saying why the app will not start in this environment, or null. */
export function startupRefusal(env: Record<string, string | undefined>): string | null {
  const tls = env['NODE_TLS_REJECT_UNAUTHORIZED']
  if (tls !== undefined && tls.trim() === '0') {
    return (
      'NODE_TLS_REJECT_UNAUTHORIZED=0 is set, which turns off TLS certificate checks for every ' +
      'connection this process makes. TokenDeck sends passwords and API keys to your providers, so ' +
      'it will not start like this. Unset the variable and start TokenDeck again.'
    )
  }
  return null
}

export interface LaunchArgs {
  /** Start in demo mode: a temporary vault over the local sandbox providers. */
  demo: boolean
}

/** Reads the flags TokenDeck understands from process.argv; anything else is ignored. */
export function parseLaunchArgs(argv: readonly string[]): LaunchArgs {
  // argv[0] is the executable; in development argv[1] is the app path ("."). A flag is only ever
  // the exact token, so a path or value that merely contains "--demo" does not count.
  return { demo: argv.slice(1).some((a) => a === '--demo') }
}
