// The tokendeck CLI: parses argv and runs one command to its exit code. Commands live in
// commands-*.ts; the table in commands.ts. entry.ts (out/main/cli.js) runs it as the `tokendeck`
// command; the desktop app runs it in its main process for its installed launcher. Unknown
// commands, subcommands and flags are answered with the closest known one.
import { parseArgs } from 'node:util'
import { closest } from '../../shared/did-you-mean'
import {
  COMMANDS,
  GROUPS,
  commandHelp,
  findCommand,
  optionsOf,
  usageText,
  type CommandSpec,
} from './commands'
import type { Ctx } from './ctx'
import { withAccount } from './default-account'
import { EXIT, print, report, usage } from './io'
import { widthOf, wrapText } from './wrap'

function usageError(json: boolean, message: string, helpFor?: string): number {
  return report(usage(message), {
    json,
    hint: `Run tokendeck help${helpFor ? ` ${helpFor}` : ''} for usage.`,
  })
}

/** Help text on stdout, wrapped at the terminal's width. */
function printHelp(text: string): number {
  print(wrapText(text, widthOf(process.stdout)))
  return EXIT.ok
}

/** ` Did you mean "x"?` for the closest of `candidates` to `word`, or `otherwise`. */
function suggest(word: string, candidates: readonly string[], prefix = '', otherwise = ''): string {
  const guess = closest(word, candidates)
  return guess === undefined ? otherwise : ` Did you mean "${prefix}${guess}"?`
}

/**
 * An unknown command or subcommand (`words` as typed), with the closest known one: "Unknown
 * command "haeder". Did you mean "header"?". A group alone names its subcommands.
 */
function unknownCommand(json: boolean, words: readonly string[]): number {
  const [first = '', second] = words
  const shown = (w: string) => w.slice(0, 40)
  if (GROUPS.has(first)) {
    const subs = COMMANDS.filter((x) => !x.hidden && x.name.startsWith(`${first} `)).map(
      (x) => x.name.split(' ')[1]!,
    )
    if (second === undefined || second.startsWith('-')) {
      return usageError(json, `tokendeck ${first} needs one of: ${subs.join(', ')}.`)
    }
    const guess = suggest(second, subs, `${first} `, ` Use one of: ${subs.join(', ')}.`)
    return usageError(json, `Unknown command "${first} ${shown(second)}".${guess}`)
  }
  const tops = [...new Set(COMMANDS.filter((x) => !x.hidden).map((x) => x.name.split(' ')[0]!))]
  return usageError(json, `Unknown command "${shown(first)}".${suggest(first, [...tops, 'help'])}`)
}

/** A group that is a command too (`agent`), followed by a word that is none of its subcommands. */
function strayWordAfter(c: CommandSpec, words: readonly string[]): boolean {
  const next = words[1]
  return GROUPS.has(c.name) && next !== undefined && !next.startsWith('-')
}

/** parseArgs' message for an unknown flag, with the closest flag this command takes. */
function unknownFlag(message: string, c: CommandSpec): string {
  const flag = /^Unknown option '(--[^'=]+)'/.exec(message)?.[1]
  if (!flag) return message
  const names = Object.keys(optionsOf(c))
  return `${message}${suggest(flag.slice(2), names, '--')}`
}

/** The warning printed when the environment asks Node to skip certificate checks. */
const TLS_OVERRIDE_WARNING =
  'tokendeck: NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored: TokenDeck always verifies TLS.'

/**
 * Every request sets rejectUnauthorized explicitly, so the variable changes nothing; say so once,
 * and drop it so nothing else in this process (or a child) can be switched off by it.
 */
function ignoreTlsOverride(env: NodeJS.ProcessEnv): void {
  if (env.NODE_TLS_REJECT_UNAUTHORIZED?.trim() !== '0') return
  process.stderr.write(`${TLS_OVERRIDE_WARNING}\n`)
  delete env.NODE_TLS_REJECT_UNAUTHORIZED
}

/** Runs one invocation and returns its exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  ignoreTlsOverride(env)
  const json = argv.includes('--json')
  const first = argv[0]
  if (first === undefined) {
    process.stderr.write(`${wrapText(usageText(), widthOf(process.stderr))}\n`)
    return EXIT.usage
  }
  if (first === 'help' || first === '--help' || first === '-h') {
    const words = argv.slice(1).filter((a) => !a.startsWith('-'))
    if (words.length === 0) return printHelp(usageText())
    const c = findCommand(words)
    if (!c || strayWordAfter(c, words)) return unknownCommand(json, words)
    return printHelp(commandHelp(c))
  }
  // `tokendeck --version` is `tokendeck version`.
  if (first === '--version') return main(['version', ...argv.slice(1)], env)
  const c = findCommand(argv)
  if (!c || strayWordAfter(c, argv)) return unknownCommand(json, argv)
  const rest = argv.slice(c.name.split(' ').length)
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: [...rest],
      options: optionsOf(c),
      allowPositionals: true,
      strict: true,
      tokens: true,
    })
  } catch (e) {
    // parseArgs names the option, never its value; drop its advice about "--".
    const message = String((e as Error).message).split('. To specify')[0]
    return usageError(json, unknownFlag(`${message}.`.replace(/\.\.$/, '.'), c), c.name)
  }
  if (parsed.values.help) return printHelp(commandHelp(c))
  // A passthrough command's own positionals come before `--`; the rest is the other program's.
  const terminator = parsed.tokens?.find((t) => t.kind === 'option-terminator')?.index
  if (c.passthrough && terminator === undefined) {
    return usageError(json, `Usage: tokendeck ${c.usage} (the -- is needed)`, c.name)
  }
  const before = c.passthrough
    ? (parsed.tokens ?? []).flatMap((t) =>
        t.kind === 'positional' && t.index < terminator! ? [t.value] : [],
      )
    : parsed.positionals
  const passed = c.passthrough ? parsed.positionals.slice(before.length) : []
  const [min, max] = c.args
  // Never echo unexpected arguments: one of them could be a secret typed in the wrong place.
  if (before.length > max) {
    return usageError(json, `Usage: tokendeck ${c.usage.split('\n')[0]}`, c.name)
  }
  // The label may be left out: the default account fills it (explicit > env > .tokendeck.json).
  const positionals = withAccount(c, before, env, process.cwd())
  if (!positionals.ok) return report(positionals, { json })
  if (positionals.value.length < min) {
    return usageError(json, `Usage: tokendeck ${c.usage.split('\n')[0]}`, c.name)
  }
  const ctx: Ctx = {
    json: parsed.values.json === true,
    flags: parsed.values as Ctx['flags'],
    args: [...positionals.value, ...passed],
    env,
  }
  return c.run(ctx)
}

/** Runs one invocation to its exit code; a thrown error (a bug) is one line on stderr, exit 1. */
export async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    return await main(argv, env)
  } catch (err) {
    // A thrown error is a bug. Its name and message only: no stack, no values.
    const e = err as Error
    process.stderr.write(
      `tokendeck: internal error (${e?.name ?? 'Error'}): ${String(e?.message).slice(0, 200)}\n`,
    )
    return EXIT.provider
  }
}
