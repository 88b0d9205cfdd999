// At a terminal (a real pty), the CLI asks for what it needs with hidden prompts edited by Node's
// readline: a passphrase typed with arrows, Home/End, Ctrl-U, Ctrl-W and backspace opens the
// vault with exactly the intended words (escape sequences never end up inside it), nothing typed
// is shown, `init` asks twice and refuses two different answers, Ctrl-C aborts with exit 130,
// nothing done and the terminal's echo back on, and `accounts add` / `login` ask for the secret
// of an account. In a pipe there is no prompt text, and lines are read as before.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, runCli } from '../helpers/cli'
import { KEY, atTerminal, type Keystrokes } from '../helpers/terminal'
import { tempDir } from '../helpers/vault'

const PASSPHRASE = 'correct horse'
const tp = DEMO_USERS.tpstreams[0]!
let sb: SandboxSet

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
})
afterAll(() => sb.close())

/** A fresh HOME and vault folder; no passphrase in the environment. */
function place() {
  const home = tempDir('tokendeck-cli-home-')
  const dir = path.join(home, 'vault')
  const env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: home, TOKENDECK_VAULT: dir }
  return { home, dir, env }
}

/** `tokendeck ARGS` at a terminal, typing `steps`. */
function typed(env: NodeJS.ProcessEnv, args: string[], steps: Keystrokes[]) {
  return atTerminal([process.execPath, CLI, ...args], { env, steps })
}

/** A vault made at a terminal with PASSPHRASE, typed plainly twice. */
async function initialised() {
  const p = place()
  const r = await typed(
    p.env,
    ['init'],
    [
      { after: 'New passphrase: ', keys: `${PASSPHRASE}\r` },
      { after: 'New passphrase (again): ', keys: `${PASSPHRASE}\r` },
    ],
  )
  expect(r.code, r.out).toBe(0)
  return p
}

/** Whether `passphrase` opens the vault, asked in a pipe (no terminal involved). */
async function opens(p: ReturnType<typeof place>, passphrase: string): Promise<boolean> {
  const r = await runCli(['status'], p.dir, {
    home: p.home,
    env: { TOKENDECK_PASSPHRASE: passphrase },
  })
  if (r.code !== 0 && r.code !== 3) throw new Error(r.stderr)
  return r.code === 0
}

/** Every part of `words` that could show on screen if it were echoed. */
function notShown(out: string, words: string[]) {
  for (const w of words) expect(out).not.toContain(w)
}

describe('hidden prompts at a terminal', { timeout: 120_000 }, () => {
  it('init asks twice; an edited passphrase is stored exactly as meant, nothing echoed', async () => {
    const p = place()
    const r = await typed(
      p.env,
      ['init'],
      [
        // "horse", Home, "correct ", End, Enter: "correct horse".
        {
          after: 'New passphrase: ',
          keys: `horse${KEY.home}correct ${KEY.end}${KEY.enter}`,
        },
        // Typed with a slip, fixed with backspace.
        { after: '(again): ', keys: `correct horsx${KEY.backspace}e${KEY.enter}` },
      ],
    )
    expect(r.code, r.out).toBe(0)
    expect(r.out).toContain('New passphrase: \r\nNew passphrase (again): \r\n')
    expect(r.out).toContain(`Created a vault at ${p.dir}`)
    expect(r.out).toContain('Next: add an account with tokendeck accounts add --provider ID')
    notShown(r.out, ['horse', 'correct', 'horsx'])
    expect(await opens(p, PASSPHRASE)).toBe(true)
  })

  it('init refuses two different passphrases and creates nothing', async () => {
    const p = place()
    const r = await typed(
      p.env,
      ['init'],
      [
        { after: 'New passphrase: ', keys: `${PASSPHRASE}\r` },
        { after: '(again): ', keys: `${PASSPHRASE}!\r` },
      ],
    )
    expect(r.code).toBe(2)
    expect(r.out).toContain('The two passphrases differ; nothing was created.')
    expect(fs.existsSync(p.dir) && fs.readdirSync(p.dir).includes('vault.json')).toBe(false)
  })

  it('a command that needs the passphrase asks for it: Ctrl-U, Ctrl-W and arrows edit the line', async () => {
    const p = await initialised()
    // Ctrl-U drops a false start; Ctrl-W the last word; Left/Right move within the line.
    const keys =
      `not this one${KEY.ctrlU}` +
      `correct hosre${KEY.ctrlW}` +
      `hrse${KEY.left}${KEY.left}${KEY.left}o${KEY.right}${KEY.right}${KEY.right}${KEY.enter}`
    const r = await typed(p.env, ['status'], [{ after: 'Passphrase: ', keys }])
    expect(r.code, r.out).toBe(0)
    expect(r.out).toContain('No accounts yet.')
    notShown(r.out, ['not this', 'correct', 'hosre', 'hrse'])
  })

  it('a wrong passphrase typed at the prompt is refused (exit 3)', async () => {
    const p = await initialised()
    // The same words with one character put in the middle: not the passphrase.
    const keys = `${PASSPHRASE}${KEY.left}${KEY.left}x${KEY.enter}`
    const r = await typed(p.env, ['status'], [{ after: 'Passphrase: ', keys }])
    expect(r.code).toBe(3)
    expect(r.out).toMatch(/Wrong passphrase/)
  })

  it('Ctrl-C at a prompt: exit 130, nothing created, and the terminal echoes again', async () => {
    const p = place()
    // Run under a shell in the same terminal, which then prints the terminal's settings.
    const script = `"${process.execPath}" "${CLI}" init; echo "exit=$?"; stty -a`
    const r = await atTerminal(['sh', '-c', script], {
      env: p.env,
      steps: [
        { after: 'New passphrase: ', keys: `${PASSPHRASE}\r` },
        { after: '(again): ', keys: `correct${KEY.ctrlC}` },
      ],
    })
    expect(r.out).toContain('tokendeck: Cancelled; nothing was done.')
    expect(r.out).toContain('exit=130')
    expect(fs.existsSync(path.join(p.dir, 'vault.json'))).toBe(false)
    // stty -a lists "echo" and "icanon" (not "-echo", "-icanon"): raw mode was left.
    const flags = r.out.split(/\s+/)
    expect(flags).toContain('echo')
    expect(flags).toContain('icanon')
    expect(flags).not.toContain('-echo')
  })

  it('accounts add asks for the secret, logs in with it, and shows neither', async () => {
    const p = await initialised()
    const before = sb.tpstreams.stats.loginRequests
    const args = ['accounts', 'add', '--provider', 'tpstreams', '--base-url', sb.tpstreams.baseUrl]
    const r = await typed(
      p.env,
      [...args, '--label', 'acme-prod', '--username', tp.username, '--org', 'acme', '--remember'],
      [
        { after: 'Passphrase: ', keys: `${PASSPHRASE}\r` },
        { after: 'Password: ', keys: `${tp.secret}\r` },
      ],
    )
    expect(r.code, r.out).toBe(0)
    expect(r.out).toContain('Added account "acme-prod" (TPStreams): logged in, the secret works')
    expect(sb.tpstreams.stats.loginRequests - before).toBe(1)
    notShown(r.out, [tp.secret, PASSPHRASE])
  })

  it('login asks for the secret of an account that does not store it, once it is needed', async () => {
    const p = await initialised()
    const cl = DEMO_USERS.classic[1]!
    const add = ['accounts', 'add', '--provider', 'classic', '--base-url', sb.classic.baseUrl]
    const r = await typed(
      p.env,
      [...add, '--label', 'classic-demo', '--username', cl.username],
      [
        { after: 'Passphrase: ', keys: `${PASSPHRASE}\r` },
        { after: 'Password: ', keys: `${cl.secret}\r` },
      ],
    )
    expect(r.code, r.out).toBe(0)
    expect(r.out).toContain('the secret was not stored')
    // A valid token: reused, nothing asked but the passphrase.
    const reused = await typed(
      p.env,
      ['login', 'classic-demo'],
      [{ after: 'Passphrase: ', keys: `${PASSPHRASE}\r` }],
    )
    expect(reused.code, reused.out).toBe(0)
    expect(reused.out).toContain('classic-demo: token reused')
    expect(reused.out).not.toContain('Password for')
    // A new token needs the secret again: asked for, hidden.
    const forced = await typed(
      p.env,
      ['login', 'classic-demo', '--force'],
      [
        { after: 'Passphrase: ', keys: `${PASSPHRASE}\r` },
        { after: 'Password for classic-demo: ', keys: `${cl.secret}\r` },
      ],
    )
    expect(forced.code, forced.out).toBe(0)
    expect(forced.out).toContain('classic-demo: logged in')
    notShown(forced.out, [cl.secret])
  })

  it('in a pipe: no prompt text, the passphrase is line 1 as before', async () => {
    const p = await initialised()
    const r = await runCli(['status', '--passphrase-stdin'], p.dir, {
      home: p.home,
      env: { TOKENDECK_PASSPHRASE: undefined },
      input: `${PASSPHRASE}\n`,
    })
    expect(r).toMatchObject({ code: 0, stderr: '' })
  })
})
