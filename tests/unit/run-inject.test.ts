// `tokendeck run` and `tokendeck inject` as a user runs them (real CLI processes, real children,
// the sandbox): tokens reach the child's environment only and are masked in its output (every
// form, and split across writes: run-masking.test.ts); signals reach the child and its exit code
// comes back; an env file's references are resolved and plain values passed; a template is
// filled into a mode-0600 file.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { MASK } from '../../src/main/cli/mask'
import { CLI, addTpstreamsAccount, runCli, cheapVault } from '../helpers/cli'
import { TEST_PASSPHRASE, tempDir } from '../helpers/vault'

const tp = DEMO_USERS.tpstreams[0]!
let sb: SandboxSet
let dir = ''
let token = ''

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  dir = path.join(tempDir(), 'vault')
  await cheapVault(dir)
  const add = await addTpstreamsAccount(dir, {
    baseUrl: sb.tpstreams.baseUrl,
    label: 'acme-prod',
    org: 'acme',
    username: tp.username,
    secret: tp.secret,
  })
  expect(add.code).toBe(0)
  token = (await runCli(['token', 'acme-prod'], dir)).stdout.trim()
  expect(token).toMatch(/^[0-9a-f]{40}$/)
}, 60_000)
afterAll(async () => {
  await sb.close()
})

const node = (script: string) => ['--', process.execPath, '-e', script]

describe('tokendeck run', { timeout: 60_000 }, () => {
  it('puts the token and the header in the environment, masks both outputs, returns the code', async () => {
    const r = await runCli(
      [
        'run',
        '--env',
        'API_TOKEN=acme-prod',
        '--env',
        'AUTH=acme-prod/header',
        ...node(
          'console.log("token=" + process.env.API_TOKEN); console.error("auth=" + process.env.AUTH);' +
            'console.log("pass=" + process.env.TOKENDECK_PASSPHRASE); console.log("len=" + process.env.API_TOKEN.length); process.exit(7)',
        ),
      ],
      dir,
    )
    expect(r.code).toBe(7)
    expect(r.stdout).toBe(`token=${MASK}\npass=undefined\nlen=40\n`)
    expect(r.stderr).toBe(`auth=${MASK}\n`)
    expect(r.stdout + r.stderr).not.toContain(token)
    const plain = await runCli(
      ['run', '--no-masking', '--env', 'T=acme-prod', ...node('console.log(process.env.T)')],
      dir,
    )
    expect(plain).toMatchObject({ code: 0, stdout: `${token}\n` })
  })

  it('resolves an env file: references and plain values; refuses what is not a reference', async () => {
    const file = path.join(tempDir(), 'app.env')
    fs.writeFileSync(
      file,
      '# the app\nexport AUTH="tokendeck://acme-prod/header"\nMODE=staging\nURL=http://x/y\n',
    )
    const r = await runCli(
      [
        'run',
        '--no-masking',
        '--env-file',
        file,
        ...node('console.log([process.env.AUTH, process.env.MODE, process.env.URL].join("|"))'),
      ],
      dir,
    )
    expect(r).toMatchObject({ code: 0, stdout: `Token ${token}|staging|http://x/y\n` })
    const bad = await runCli(['run', '--env', 'X=acme-prod/password', ...node('')], dir)
    expect(bad.code).toBe(2)
    const unknown = await runCli(['run', '--env', 'X=nobody', ...node('console.log("ran")')], dir)
    expect(unknown.code).toBe(2)
    expect(unknown.stdout).toBe('')
  })

  it('asks the agent when one runs: no passphrase needed', async () => {
    expect((await runCli(['agent', 'start'], dir)).code).toBe(0)
    try {
      const r = await runCli(
        ['run', '--no-masking', '--env', 'T=acme-prod', ...node('console.log(process.env.T)')],
        dir,
        { env: { TOKENDECK_PASSPHRASE: undefined } },
      )
      expect(r).toMatchObject({ code: 0, stdout: `${token}\n` })
    } finally {
      await runCli(['agent', 'stop'], dir, { env: { TOKENDECK_PASSPHRASE: undefined } })
    }
    const none = await runCli(['run', '--env', 'T=acme-prod', ...node('console.log("ran")')], dir, {
      env: { TOKENDECK_PASSPHRASE: undefined },
    })
    expect(none.code).toBe(3)
    expect(none.stdout).toBe('')
  })

  it('forwards SIGTERM to the command and returns the code it exits with', async () => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'run',
        '--env',
        'T=acme-prod',
        ...node(
          'process.on("SIGTERM", () => { console.log("got TERM"); process.exit(42) }); console.log("ready"); setInterval(() => {}, 1000)',
        ),
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          TOKENDECK_VAULT: dir,
          TOKENDECK_PASSPHRASE: TEST_PASSPHRASE,
        },
      },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('ready')) child.kill('SIGTERM')
    })
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)))
    expect(out).toBe('ready\ngot TERM\n')
    expect(code).toBe(42)
  })
})

describe('tokendeck inject', { timeout: 60_000 }, () => {
  it('fills a template to stdout, or to a file written with mode 0600', async () => {
    const tpl = path.join(tempDir(), 'config.tpl')
    fs.writeFileSync(
      tpl,
      'auth: {{ tokendeck://acme-prod/header }}\ntoken: {{tokendeck://acme-prod/token}}\nkeep: {{ other }}\n',
    )
    const out = await runCli(['inject', '-i', tpl], dir)
    expect(out).toMatchObject({
      code: 0,
      stdout: `auth: Token ${token}\ntoken: ${token}\nkeep: {{ other }}\n`,
    })
    const target = path.join(path.dirname(tpl), 'config.yml')
    const toFile = await runCli(['inject', '-i', tpl, '-o', target], dir)
    expect(toFile).toMatchObject({ code: 0, stdout: '' })
    expect(fs.statSync(target).mode & 0o777).toBe(0o600)
    expect(fs.readFileSync(target, 'utf8')).toBe(out.stdout)
    // A reference to no account writes nothing.
    fs.writeFileSync(tpl, 'auth: {{ tokendeck://nobody/token }}\n')
    const missing = path.join(path.dirname(tpl), 'none.yml')
    expect((await runCli(['inject', '-i', tpl, '-o', missing], dir)).code).toBe(2)
    expect(fs.existsSync(missing)).toBe(false)
  })
})
