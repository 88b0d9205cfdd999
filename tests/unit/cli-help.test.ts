// `tokendeck help CMD` shows usage, details and one to three examples, and every example is a
// command line the parser accepts (its command, its flags, its arguments), so the examples cannot
// drift from the table. Help wraps at the terminal's width (80 when not a terminal), keeping
// indentation and never breaking an example. Unknown commands, subcommands, flags and account
// labels are answered with the closest known one, whether the vault is opened or the agent asked.
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  COMMANDS,
  commandHelp,
  findCommand,
  optionsOf,
  type CommandSpec,
} from '../../src/main/cli/commands'
import { wrapText } from '../../src/main/cli/wrap'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, runCli } from '../helpers/cli'
import { atTerminal } from '../helpers/terminal'
import { newVault, tempDir } from '../helpers/vault'

/** The `tokendeck ...` invocations in a shell line, each as argv (and whether git adds words). */
function invocations(example: string): { argv: string[]; helper: boolean }[] {
  const found: { argv: string[]; helper: boolean }[] = []
  for (const segment of example.split(/\||&&|;|<\(|>/)) {
    const words = segment.trim().replace(/\)$/, '').split(/\s+/)
    const at = words.findIndex((w) => /^"?!?tokendeck$/.test(w))
    if (at < 0) continue
    found.push({
      argv: words.slice(at + 1).map((w) => w.replace(/^"|"$/g, '')),
      helper: words[at]!.includes('!'),
    })
  }
  return found
}

/** How the CLI parses argv for `c` (an unknown flag throws); returns its positionals' count. */
function parse(c: CommandSpec, argv: string[]) {
  const parsed = parseArgs({
    args: argv.slice(c.name.split(' ').length),
    options: optionsOf(c),
    allowPositionals: true,
    strict: true,
    tokens: true,
  })
  // A passthrough command's own positionals come before `--`; for the others, all count.
  const terminator = parsed.tokens.find((t) => t.kind === 'option-terminator')?.index
  const end = c.passthrough ? (terminator ?? Infinity) : Infinity
  return parsed.tokens.filter((t) => t.kind === 'positional' && t.index < end).length
}

describe('examples in help', () => {
  const visible = COMMANDS.filter((c) => !c.hidden)

  it.each(visible.map((c) => [c.name, c] as const))(
    '%s: 1 to 3 examples the parser accepts',
    (_, c) => {
      expect(c.examples?.length ?? 0).toBeGreaterThanOrEqual(1)
      expect(c.examples!.length).toBeLessThanOrEqual(3)
      let own = 0
      for (const example of c.examples!) {
        const runs = invocations(example)
        expect(runs.length, example).toBeGreaterThan(0)
        for (const { argv, helper } of runs) {
          const target = findCommand(argv)
          expect(target, example).toBeDefined()
          if (target !== c) continue
          own++
          const positionals = parse(c, argv)
          expect(positionals, example).toBeLessThanOrEqual(c.args[1])
          // git appends the action (get, store, erase) to a "!tokendeck ..." helper line.
          if (!helper && c.account !== 'default') {
            expect(positionals, example).toBeGreaterThanOrEqual(c.args[0])
          }
        }
      }
      expect(own, `an example of tokendeck ${c.name} itself`).toBeGreaterThan(0)
    },
  )

  it('help CMD shows them after "$ ", unwrapped', async () => {
    const r = await runCli(['help', 'accounts', 'add'], undefined)
    expect(r.code).toBe(0)
    const c = findCommand(['accounts', 'add'])!
    for (const e of c.examples!) expect(r.stdout).toContain(`\n  $ ${e}\n`)
    expect(r.stdout).toMatch(/\nExamples:\n/)
  })
})

describe('wrapping at the width', () => {
  it.each([
    ['a line that fits stays', 'short line', 20, 'short line'],
    [
      'prose breaks between words, keeping its indent',
      '  one two three four five six',
      14,
      '  one two\n  three four\n  five six',
    ],
    [
      'a two-column row continues under its second column',
      '  --json    output as one line of JSON',
      36,
      '  --json    output as one line of\n            JSON',
    ],
    [
      'a hand-wrapped paragraph flows again as one',
      'alpha beta gamma delta\nepsilon zeta',
      16,
      'alpha beta gamma\ndelta epsilon\nzeta',
    ],
    [
      'overflow does not flow into a row, a blank line or an example',
      'alpha beta gamma\n  $ tokendeck header acme-prod --json',
      12,
      'alpha beta\ngamma\n  $ tokendeck header acme-prod --json',
    ],
    [
      'a word longer than the width stays whole',
      'see https://example.com/a/very/long/path now',
      12,
      'see\nhttps://example.com/a/very/long/path\nnow',
    ],
  ])('%s', (_, text, width, expected) => {
    expect(wrapText(text, width)).toBe(expected)
  })

  it('no line of any help is wider than 60 columns but examples and unbreakable words', () => {
    for (const c of COMMANDS) {
      for (const line of wrapText(commandHelp(c), 60).split('\n')) {
        if (line.length <= 60 || /^ *\$ /.test(line)) continue
        expect(line.trim(), c.name).not.toMatch(/ /)
      }
    }
  })

  it('the built CLI wraps at the terminal width, and at 80 columns in a pipe', async () => {
    const env = { PATH: process.env.PATH, HOME: tempDir('tokendeck-cli-home-') }
    const narrow = await atTerminal([process.execPath, CLI, 'help', 'status'], { env, cols: 50 })
    expect(narrow.code).toBe(0)
    const lines = narrow.out.split('\r\n')
    expect(lines.filter((l) => l.length > 50 && !/^ *\$ /.test(l))).toEqual([])
    // The --probe row continues under its description.
    expect(narrow.out).toContain('--probe  first check each live token with its\r\n         ')
    const wide = await atTerminal([process.execPath, CLI, 'help', 'status'], { env, cols: 200 })
    expect(wide.out.split('\r\n').join('\n').trim()).toBe(commandHelp(findCommand(['status'])!))
    const piped = await runCli(['help', 'status'], undefined)
    expect(piped.stdout.split('\n').filter((l) => l.length > 80 && !/^ *\$ /.test(l))).toEqual([])
  })
})

describe('did you mean', { timeout: 60_000 }, () => {
  let sb: SandboxSet
  let dir = ''
  beforeAll(async () => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
    sb = await startSandbox()
    const v = await newVault()
    const tp = DEMO_USERS.tpstreams[0]!
    for (const label of ['acme-prod', 'acme-ci']) {
      const r = await v.accounts.add({
        label,
        providerId: 'tpstreams',
        baseUrl: sb.tpstreams.baseUrl,
        fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
        remember: true,
      })
      if (!r.ok) throw new Error(r.message)
    }
    dir = v.dir
  })
  afterAll(() => sb.close())

  it.each([
    [['haeder', 'acme-prod'], 'Unknown command "haeder". Did you mean "header"?'],
    [['accounts', 'ad'], 'Unknown command "accounts ad". Did you mean "accounts add"?'],
    [['agent', 'strat'], 'Unknown command "agent strat". Did you mean "agent start"?'],
    [['help', 'staus'], 'Unknown command "staus". Did you mean "status"?'],
    [['status', '--probs'], 'Unknown option \'--probs\'. Did you mean "--probe"?'],
    [['frobnicate'], 'Unknown command "frobnicate".'],
  ])('%j: %s (exit 2)', async (argv, said) => {
    const r = await runCli(argv, dir)
    expect(r.code).toBe(2)
    expect(r.stderr.split('\n')[0]).toBe(`tokendeck: ${said}`)
    expect(r.stdout).toBe('')
  })

  it('an account label, from the vault and from the agent alike; JSON keeps the words', async () => {
    const direct = await runCli(['header', 'acme-prd'], dir)
    expect(direct.code).toBe(2)
    expect(direct.stderr).toBe('tokendeck: No account "acme-prd". Did you mean "acme-prod"?\n')
    const json = await runCli(['status', 'acme-cl', '--json'], dir)
    expect(JSON.parse(json.stderr).error).toMatchObject({
      code: 'NOT_FOUND',
      message: 'No account "acme-cl". Did you mean "acme-ci"?',
    })
    expect((await runCli(['agent', 'start'], dir)).code).toBe(0)
    try {
      const agent = { TOKENDECK_PASSPHRASE: undefined }
      const r = await runCli(['header', 'acme-prd'], dir, { env: agent })
      expect(r.stderr).toBe(direct.stderr)
      const far = await runCli(['revoke', 'globex'], dir, { env: agent })
      expect(far.stderr).toBe('tokendeck: No account "globex".\n')
    } finally {
      await runCli(['agent', 'stop'], dir, { env: { TOKENDECK_PASSPHRASE: undefined } })
    }
  })
})
