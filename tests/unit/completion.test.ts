// `tokendeck completion`: the real bash runs the script and its completion function (commands,
// subcommands, flags and fixed words from the command table; account labels from a running
// agent, none and no prompt without one); zsh runs the same logic with compadd recorded; fish
// answers `complete -C`; both of those scripts parse (`zsh -n`, `fish -n`).
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMANDS } from '../../src/main/cli/commands'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, addTpstreamsAccount, runCli, cheapVault } from '../helpers/cli'
import { tempDir } from '../helpers/vault'

const tp = DEMO_USERS.tpstreams[0]!
let sb: SandboxSet
let dir = ''
let scripts: Record<'bash' | 'zsh' | 'fish', string>
const NO_PASS = { TOKENDECK_PASSPHRASE: undefined }
const has = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  dir = path.join(tempDir(), 'vault')
  await cheapVault(dir)
  for (const label of ['acme-prod', 'acme-ci']) {
    const r = await addTpstreamsAccount(dir, {
      baseUrl: sb.tpstreams.baseUrl,
      label,
      org: 'acme',
      username: tp.username,
      secret: tp.secret,
    })
    expect(r.code).toBe(0)
  }
  const out = tempDir('tokendeck-completion-')
  scripts = { bash: '', zsh: '', fish: '' }
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const r = await runCli(['completion', shell], undefined)
    expect(r).toMatchObject({ code: 0, stderr: '' })
    scripts[shell] = path.join(out, `tokendeck.${shell}`)
    fs.writeFileSync(scripts[shell], r.stdout)
  }
}, 60_000)
afterAll(async () => {
  await sb.close()
})

/** Runs a shell script with `tokendeck` as a function over the built CLI. */
function shell(
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(program, args, {
      env: {
        PATH: process.env.PATH,
        HOME: tempDir('tokendeck-completion-home-'),
        TOKENDECK_VAULT: dir,
        TD_NODE: process.execPath,
        TD_CLI: CLI,
        ...env,
      },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end()
  })
}

/** What bash's completion offers for `words` (the last one being completed), one a line. */
async function bashComplete(lines: string[][], env: NodeJS.ProcessEnv = {}) {
  const calls = lines
    .map(
      (words) =>
        `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; ` +
        `COMPREPLY=(); _tokendeck tokendeck "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"; ` +
        `printf '%s,' "\${COMPREPLY[@]}"; echo`,
    )
    .join('\n')
  const r = await shell(
    'bash',
    ['-c', `tokendeck() { "$TD_NODE" "$TD_CLI" "$@"; }\nsource "${scripts.bash}"\n${calls}`],
    env,
  )
  expect(r.stderr).toBe('')
  return r.stdout.split('\n').slice(0, lines.length)
}

const visible = COMMANDS.filter((c) => !c.hidden)

describe('tokendeck completion', { timeout: 60_000 }, () => {
  it('bash: commands from the table, subcommands, flags and fixed words', async () => {
    const [top, he, accounts, agentS, flags, git, help, helper] = await bashComplete([
      ['tokendeck', ''],
      ['tokendeck', 'he'],
      ['tokendeck', 'accounts', ''],
      ['tokendeck', 'agent', 's'],
      ['tokendeck', 'login', 'acme-prod', '--'],
      ['tokendeck', 'git-credential', ''],
      ['tokendeck', 'help', 'cu'],
      ['tokendeck', 'credential-helper', ''],
    ])
    const firstWords = [...new Set(visible.map((c) => c.name.split(' ')[0]!))]
    expect(top!.split(',').filter(Boolean).sort()).toEqual([...firstWords, 'help'].sort())
    expect(top).not.toContain('__complete')
    expect(he).toBe('header,help,')
    expect(accounts).toBe('add,list,remove,keep-ready,')
    expect(agentS).toBe('start,stop,status,')
    // login's flags as the parser takes them (its table entry), plus the ones every command takes.
    const login = visible.find((c) => c.name === 'login')!
    expect(flags!.split(',').filter(Boolean).sort()).toEqual(
      [
        ...Object.keys(login.options).map((o) => `--${o}`),
        '--json',
        '--help',
        '--vault',
        '--passphrase-stdin',
      ].sort(),
    )
    expect(flags).toContain('--secret-stdin')
    expect(git).toBe('get,store,erase,')
    expect(help).toBe('curl,')
    expect(helper).toBe('get,')
  })

  it('bash: account labels come from the agent, and nothing (no prompt) without one', async () => {
    const none = await bashComplete([['tokendeck', 'header', '']], NO_PASS)
    expect(none).toEqual([','])
    expect((await runCli(['agent', 'start'], dir)).code).toBe(0)
    try {
      const [header, acmeP, logAccount, afterLabel, curlAfter, vaultFlag] = await bashComplete(
        [
          ['tokendeck', 'header', ''],
          ['tokendeck', 'revoke', 'acme-p'],
          ['tokendeck', 'log', '--account', ''],
          ['tokendeck', 'token', 'acme-ci', ''],
          ['tokendeck', 'curl', 'acme-ci', '--', ''],
          ['tokendeck', '--vault', dir, 'kube-credential', ''],
        ],
        NO_PASS,
      )
      expect(header).toBe('acme-prod,acme-ci,')
      expect(acmeP).toBe('acme-prod,')
      expect(logAccount).toBe('acme-prod,acme-ci,')
      expect(afterLabel).toBe(',')
      expect(curlAfter).toBe(',')
      expect(vaultFlag).toBe('acme-prod,acme-ci,')
      // With the agent switched off for this shell, no labels (and no vault opened).
      const off = await bashComplete([['tokendeck', 'header', '']], {
        ...NO_PASS,
        TOKENDECK_AGENT: 'off',
      })
      expect(off).toEqual([','])
      const fish = has('fish')
        ? await shell('fish', [
            '-c',
            `function tokendeck; $TD_NODE $TD_CLI $argv; end; source ${scripts.fish}; complete -C 'tokendeck token '`,
          ])
        : null
      if (fish)
        expect(fish.stdout.split('\n').filter(Boolean).sort()).toEqual(['acme-ci', 'acme-prod'])
    } finally {
      await runCli(['agent', 'stop'], dir, { env: NO_PASS })
    }
  })

  it('zsh: the script parses, and its completion offers what bash offers', async (ctx) => {
    if (!has('zsh')) ctx.skip('zsh is not installed')
    expect(spawnSync('zsh', ['-n', scripts.zsh]).status).toBe(0)
    // Outside a completion widget, words/CURRENT are plain arrays and compadd can be recorded.
    const r = await shell('zsh', [
      '-c',
      [
        'compadd() { [[ $1 == -- ]] && shift; print -rn -- "${(j:,:)@},"; }',
        '_files() { print -rn -- "<files>"; }',
        `source ${scripts.zsh}`,
        'words=(tokendeck ""); CURRENT=2; _tokendeck; print',
        'words=(tokendeck route r); CURRENT=3; _tokendeck; print',
        'words=(tokendeck revoke --); CURRENT=3; _tokendeck; print',
        'words=(tokendeck completion ""); CURRENT=3; _tokendeck; print',
        'words=(tokendeck inject -i ""); CURRENT=4; _tokendeck; print',
      ].join('\n'),
    ])
    expect(r.stderr).toBe('')
    const [top, route, revoke, completion, inject] = r.stdout.split('\n')
    expect(top!.split(',').filter(Boolean)).toContain('kube-credential')
    expect(route).toBe('add,list,remove,')
    expect(revoke).toBe(
      '--json,--help,--all,--uncertain,--oldest,--org,--vault,--passphrase-stdin,',
    )
    expect(completion).toBe('bash,zsh,fish,')
    expect(inject).toBe('<files>')
  })

  it('fish: the script parses, and complete -C answers from the table', async (ctx) => {
    if (!has('fish')) ctx.skip('fish is not installed')
    expect(spawnSync('fish', ['-n', scripts.fish]).status).toBe(0)
    const r = await shell('fish', [
      '-c',
      `source ${scripts.fish}; complete -C 'tokendeck ku'; echo ---; complete -C 'tokendeck git-credential '; echo ---; complete -C 'tokendeck curl --'`,
    ])
    expect(r.stderr).toBe('')
    const [ku, git, curl] = r.stdout.split('---\n').map((s) => s.split('\n').filter(Boolean))
    expect(ku).toEqual(['kube-credential'])
    expect(git!.sort()).toEqual(['erase', 'get', 'store']) // fish sorts
    expect(curl!.sort()).toEqual([
      '--any-host',
      '--help',
      '--json',
      '--passphrase-stdin',
      '--vault',
    ])
  })

  it('refuses an unknown shell', async () => {
    const r = await runCli(['completion', 'tcsh'], undefined)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
  })
})
