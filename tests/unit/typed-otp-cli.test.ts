// A one-time code the person types (a profile field with "oneTime": true), through the real CLI
// against the sandbox's TOTP-protected login: asked for only when a new token is needed, read
// with --otp-stdin, never stored even when the account remembers its password, never shown. A
// wrong code and a reused one are refused by the server and leave no token.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { base32Decode, totp, totpStep } from '../../src/main/sandbox/totp-check'
import { parseProfile } from '../../src/shared/providers/profile'
import { CLI, cheapVault, runCli } from '../helpers/cli'
import { tempDir } from '../helpers/vault'

const FIXTURE = path.resolve('tests/fixtures/profiles/otp-typed-sandbox.json')
const user = DEMO_USERS.oauth.find((u) => u.totpSeed)!
const key = base32Decode(user.totpSeed!)!
/** The code of the step `offset` steps from now (the sandbox accepts one step either side). */
const code = (offset = 0) => totp(key, (totpStep(Date.now()) + offset) * 30_000)

let sb: SandboxSet
let dir: string
beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  dir = path.join(tempDir(), 'vault')
  await cheapVault(dir)
  const r = await runCli(['providers', 'add', FIXTURE], dir)
  if (r.code !== 0) throw new Error(r.stderr)
}, 60_000)
afterAll(() => sb.close())

const logins = () => sb.oauth.issuedByGrant.password
/** The account's tokens that are not ended (active or uncertain), from `status --json`. */
const liveTokens = async () => {
  const st = await runCli(['status', 'dev', '--json'], dir)
  const accounts = (JSON.parse(st.stdout) as { accounts: { tokens: { state: string }[] }[] })
    .accounts
  return accounts[0]!.tokens.filter((t) => t.state === 'active' || t.state === 'uncertain').length
}

describe('a typed one-time code', { timeout: 120_000 }, () => {
  it('the fixture is a valid profile whose code field is one-time', () => {
    const p = parseProfile(JSON.parse(fs.readFileSync(FIXTURE, 'utf8')))
    expect(p.ok && p.value.fields.find((f) => f.name === 'otp')?.oneTime).toBe(true)
  })

  it('add logs in with the typed code; the password is kept, the code is not', async () => {
    const first = code()
    const added = await runCli(
      ['accounts', 'add', '--provider', 'otp-typed-sandbox', '--base-url', sb.oauth.baseUrl].concat(
        ['--label', 'dev', '--username', user.username, '--remember', '--secret-stdin'],
      ),
      dir,
      { input: `${user.secret}\n${first}\n` },
    )
    expect(added.stderr).toBe('')
    expect(added.code).toBe(0)
    const before = logins()
    // A valid token is reused: no code asked.
    const h = await runCli(['header', 'dev'], dir)
    expect(h.code).toBe(0)
    expect(logins()).toBe(before)

    // A new token needs a code: in a pipe with none, NO_SECRET and the way to give one.
    const none = await runCli(['login', 'dev', '--force'], dir, { input: '' })
    expect(none.code).not.toBe(0)
    expect(none.stderr).toMatch(/one-time code/i)
    expect(none.stderr).toContain('--otp-stdin')
    expect(logins()).toBe(before)

    // A wrong code, then the code already used: refused by the server, no token added.
    const count = await liveTokens()
    const accepted = new Set([code(-1), code(), code(1)])
    const wrong = ['123456', '654321', '111111', '999999'].find((c) => !accepted.has(c))!
    expect(count).toBe(1)
    for (const bad of [wrong, first]) {
      const r = await runCli(['login', 'dev', '--force', '--otp-stdin'], dir, { input: `${bad}\n` })
      expect(r.code, bad).not.toBe(0)
      expect(r.stderr).toMatch(/code/i)
      expect(r.stderr).not.toContain(bad)
      expect(await liveTokens()).toBe(count)
    }
    expect(logins()).toBe(before)

    // The next step's code (fresh, within the window) logs in: the remembered password is used.
    const next = code(1)
    const ok = await runCli(['login', 'dev', '--force', '--otp-stdin'], dir, { input: `${next}\n` })
    expect(ok.stderr).toBe('')
    expect(ok.code).toBe(0)
    expect(logins()).toBe(before + 1)

    // Nothing shows or keeps the codes or the password.
    const shown = [
      (await runCli(['status', 'dev', '--json'], dir)).stdout,
      (await runCli(['log', '--json'], dir)).stdout,
      (await runCli(['accounts', 'list', '--json'], dir)).stdout,
    ].join('\n')
    for (const s of [first, next, user.secret]) expect(shown).not.toContain(s)
    // The code was not remembered: the next new token asks again.
    const again = await runCli(['login', 'dev', '--force'], dir, { input: '' })
    expect(again.stderr).toContain('--otp-stdin')
  })
})
