// Which runs of the CLI take the quick path through the agent (quick-header.ts): `header L` and
// `token L`, nothing more. No imports, so the entry can ask before the compile cache is on.

export interface QuickAsk {
  op: 'header' | 'token'
  label: string
}

/** `header L` or `token L`, nothing more; null for anything else (the full CLI parses it). */
export function quickAsk(argv: readonly string[], env: NodeJS.ProcessEnv): QuickAsk | null {
  if (argv.length !== 2 || env.TOKENDECK_AGENT === 'off') return null
  const [op, label] = argv as [string, string]
  if ((op !== 'header' && op !== 'token') || label === '' || label.startsWith('-')) return null
  return { op, label }
}
