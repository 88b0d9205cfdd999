// The CLI never writes terminal control characters: labels, provider names and server text are
// printed without escape sequences, C0 (but newline), DEL, C1 or bidi controls (which make text
// read in another order), in text output; JSON output escapes them, so it parses to the value.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { columns, terminalSafe } from '../../src/main/cli/format'
import { terminalJson } from '../../src/main/cli/io'
import { startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { ok } from '../../src/shared/result'
import { newVault, tempDir } from '../helpers/vault'
import { CLI, runCli, type CliRun } from '../helpers/cli'

const HOME = tempDir('tokendeck-cli-home-')
/** Sets the window title, then clears the screen: what a hostile label or server sends. */
const ATTACK = '\x1b]0;pwned\x07\x1b[2J'
/** Reverses what follows, then isolates right-to-left: a hostile label or message reads backwards. */
const BIDI = '\u202e\u2067\u200f'
/** Anything a terminal acts on: C0 but newline, DEL, C1 (ESC, BEL and 8-bit CSI), bidi controls. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

describe('terminalSafe', () => {
  it('removes escape sequences whole and every other control character', () => {
    expect(terminalSafe(`a${ATTACK}b`)).toBe('ab')
    expect(terminalSafe('\x1b]8;;https://evil.test\x1b\\link\x1b]8;;\x1b\\')).toBe('link') // ST
    expect(terminalSafe('\x1b[31mred\x1b[0m \x1b[1;2H\x1b[?25l')).toBe('red ')
    expect(terminalSafe('\x9b2Jeight-bit CSI, \x9d0;t\x9cOSC')).toBe('eight-bit CSI, OSC')
    expect(terminalSafe('reset\x1bc, charset\x1b(B, keypad\x1b=')).toBe('reset, charset, keypad')
    expect(terminalSafe('bell\x07 back\x08space del\x7f nul\x00 cr\r c1\x85')).toBe(
      'bell backspace del nul cr c1',
    )
    // An unterminated string loses its introducer; the rest is harmless text.
    expect(terminalSafe('\x1b]0;half')).toBe('0;half')
    expect(terminalSafe('tab\there')).toBe('tab here')
    const bidi = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c'
    expect(terminalSafe(`invoice-${bidi}fdp.exe`)).toBe('invoice-fdp.exe')
  })

  it('keeps text, Unicode and newlines (one-line mode turns newlines into spaces)', () => {
    const text = 'Grüße — 日本語 ✓ "quoted" [brackets] ~tilde~\nsecond line'
    expect(terminalSafe(text)).toBe(text)
    expect(terminalSafe(text, false)).toBe(text.replace('\n', ' '))
    expect(terminalSafe('a\r\nb')).toBe('a\nb')
  })

  it('columns are measured and printed on the cleaned cells', () => {
    expect(
      columns([
        [`ev${ATTACK}il`, 'x'],
        ['name\nnext', 'y'],
      ]),
    ).toEqual(['evil       x', 'name next  y'])
  })

  it('terminalJson escapes DEL and C1 too, and parses back to the same value', () => {
    const value = { label: `a${ATTACK}\x7f\x9b2J\u0085${BIDI}b` }
    const json = terminalJson(value)
    expect(json).not.toMatch(CONTROL)
    expect(JSON.parse(json)).toEqual(value)
  })
})

const cli = (args: string[], dir: string) => runCli(args, dir, { home: HOME })

function expectClean(r: CliRun, what: string): void {
  expect(r.stdout, `${what} stdout`).not.toMatch(CONTROL)
  expect(r.stderr, `${what} stderr`).not.toMatch(CONTROL)
}

let sb: SandboxSet

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
})
afterAll(() => sb.close())

/** A vault with one TPStreams account on the sandbox. */
async function vaultWithAccount(label: string) {
  const v = await newVault()
  const added = await v.accounts.add({
    label,
    providerId: 'tpstreams',
    baseUrl: sb.tpstreams.baseUrl,
    fields: { username: 'dev@acme.test', password: 'acme-demo-password', organization_id: 'acme' },
    remember: true,
  })
  if (!added.ok) throw new Error(added.message)
  return { ...v, account: added.value }
}

describe('the tokendeck CLI prints no terminal control characters', { timeout: 90_000 }, () => {
  it('from a login failure: the server message and its content type', async () => {
    const v = await vaultWithAccount('server-text')
    sb.tpstreams.setFault(
      { kind: 'json', status: 400, body: { detail: `Denied${ATTACK} by ${BIDI}policy` } },
      { route: 'login', times: 1 },
    )
    const denied = await cli(['header', 'server-text'], v.dir)
    expect(denied.code).toBe(1)
    expect(denied.stderr).toContain('Denied')
    expectClean(denied, 'message')
    // An 8-bit CSI (byte 0x9b, legal in a header value) in the Content-Type the error names.
    sb.tpstreams.setFault(
      { kind: 'json', status: 400, body: 'nope', contentType: 'text/x\x9b2J\x9b0;0H' },
      { route: 'login', times: 1 },
    )
    const typed = await cli(['header', 'server-text'], v.dir)
    expect(typed.code).toBe(1)
    expect(typed.stderr).toContain('HTTP 400')
    expectClean(typed, 'content type')
    const json = await cli(['header', 'server-text', '--json'], v.dir)
    expectClean(json, 'json')
  })

  it('from a label written into the vault (tampered file or older version)', async () => {
    const v = await vaultWithAccount('plain-label')
    // Below the accounts service (which refuses control characters), as a tampered file would.
    const evil = `ev${ATTACK}\x9b2J${BIDI}il`
    const written = await v.vault.mutate((d) => {
      d.accounts[0]!.label = evil
      return ok(undefined)
    })
    expect(written.ok).toBe(true)
    for (const args of [
      ['accounts', 'list'],
      ['accounts', 'list', '--json'],
      ['status'],
      ['status', '--json'],
      ['log'],
    ]) {
      const r = await cli(args, v.dir)
      expectClean(r, args.join(' '))
    }
    const list = await cli(['accounts', 'list'], v.dir)
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/\bevil\b/)
    const json = await cli(['accounts', 'list', '--json'], v.dir)
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain(JSON.stringify(evil).slice(1, -1))
  })

  it("from a hostile provider profile's name", async () => {
    const v = await vaultWithAccount('has-profile')
    const file = path.join(v.dir, 'hostile.json')
    const classic = JSON.parse(fs.readFileSync('src/main/providers/builtin/classic.json', 'utf8'))
    fs.writeFileSync(
      file,
      JSON.stringify({ ...classic, id: 'hostile', name: `Evil${ATTACK}${BIDI}` }),
    )
    const add = await cli(['providers', 'add', file], v.dir)
    expectClean(add, 'providers add')
    expectClean(await cli(['providers', 'list'], v.dir), 'providers list')
    expectClean(await cli(['providers', 'list', '--json'], v.dir), 'providers list --json')
  })
})
