// Routes and `tokendeck git-credential` with real git as the client (`git credential fill` and
// `reject` with the helper configured), against the sandbox: git gets the token of the account
// that serves the URL (the longest route, else the one covering account), `reject` marks the
// token refused so the next fill mints one new token, and an unknown URL gets no answer.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, addTpstreamsAccount, runCli, cheapVault } from '../helpers/cli'
import { TEST_PASSPHRASE, tempDir } from '../helpers/vault'
import { gitWithTokendeck } from '../helpers/git'

const tp = DEMO_USERS.tpstreams[0]!
let sb: SandboxSet
let dir = ''
let home = ''

function git(args: string[], input: string) {
  return gitWithTokendeck(args, input, {
    home,
    env: { TOKENDECK_VAULT: dir, TOKENDECK_PASSPHRASE: TEST_PASSPHRASE },
  })
}

async function add(label: string, org: string) {
  const r = await addTpstreamsAccount(dir, {
    baseUrl: sb.tpstreams.baseUrl,
    label,
    org,
    username: tp.username,
    secret: tp.secret,
  })
  expect(r.code).toBe(0)
}

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
  home = tempDir('tokendeck-git-home-')
  dir = path.join(tempDir(), 'vault')
  await cheapVault(dir)
  await add('acme-prod', 'acme')
}, 60_000)
afterAll(async () => {
  await sb.close()
})

const hostOf = () => new URL(sb.tpstreams.baseUrl).host

describe('tokendeck git-credential with real git', { timeout: 60_000 }, () => {
  it('fill answers with the token the sandbox accepts; reject makes the next fill mint anew', async () => {
    const input = `protocol=http\nhost=${hostOf()}\npath=api/v1/acme/assets/\n\n`
    const before = sb.tpstreams.stats.loginRequests
    const fill = await git(['credential', 'fill'], input)
    expect(fill.code).toBe(0)
    const password = /^password=(.+)$/m.exec(fill.stdout)?.[1] ?? ''
    expect(password).toMatch(/^[0-9a-f]{40}$/)
    expect(fill.stdout).toMatch(/^username=tokendeck$/m)
    // The token is the account's, and the API accepts it.
    expect((await runCli(['token', 'acme-prod'], dir)).stdout.trim()).toBe(password)
    const res = await fetch(`${sb.tpstreams.baseUrl}/api/v1/acme/assets/`, {
      headers: { Authorization: `Token ${password}` },
    })
    expect(res.status).toBe(200)
    const again = await git(['credential', 'fill'], input)
    expect(again.stdout).toContain(`password=${password}`)
    expect(sb.tpstreams.stats.loginRequests - before).toBe(1)
    // git was told the credential failed: TokenDeck marks it refused; the next fill mints once.
    const reject = await git(
      ['credential', 'reject'],
      `${input.trim()}\nusername=tokendeck\npassword=${password}\n\n`,
    )
    expect(reject.code).toBe(0)
    const fresh = await git(['credential', 'fill'], input)
    const next = /^password=(.+)$/m.exec(fresh.stdout)?.[1] ?? ''
    expect(next).toMatch(/^[0-9a-f]{40}$/)
    expect(next).not.toBe(password)
    expect(sb.tpstreams.stats.loginRequests - before).toBe(2)
  })

  it('the longest route wins; two covering accounts without a route is an error; unknown hosts get nothing', async () => {
    await add('acme-ci', 'globex')
    const input = (p: string) => `protocol=http\nhost=${hostOf()}\npath=${p}\n\n`
    // Two accounts cover the server: git gets no answer and TokenDeck says why.
    const ambiguous = await runCli(['git-credential', 'get'], dir, {
      input: input('api/v1/globex/'),
    })
    expect(ambiguous).toMatchObject({ code: 0, stdout: '' })
    expect(ambiguous.stderr).toMatch(/2 accounts serve .* route add/)
    expect((await runCli(['route', 'add', sb.tpstreams.baseUrl, 'acme-prod'], dir)).code).toBe(0)
    expect(
      (await runCli(['route', 'add', `${sb.tpstreams.baseUrl}/api/v1/globex`, 'acme-ci'], dir))
        .code,
    ).toBe(0)
    const ci = (await runCli(['token', 'acme-ci'], dir)).stdout.trim()
    const prod = (await runCli(['token', 'acme-prod'], dir)).stdout.trim()
    const g = await git(['credential', 'fill'], input('api/v1/globex/assets/'))
    expect(g.stdout).toContain(`password=${ci}`)
    const p = await git(['credential', 'fill'], input('api/v1/acme/assets/'))
    expect(p.stdout).toContain(`password=${prod}`)
    // A path that only starts with the prefix's letters is not under it.
    const near = await git(['credential', 'fill'], input('api/v1/globexx/'))
    expect(near.stdout).toContain(`password=${prod}`)
    const list = await runCli(['route', 'list'], dir)
    expect(list.stdout).toMatch(/\/api\/v1\/globex +acme-ci/)
    const unknown = await runCli(['git-credential', 'get'], dir, {
      input: 'protocol=https\nhost=example.invalid\n\n',
    })
    expect(unknown).toMatchObject({ code: 0, stdout: '' })
    expect(
      (await runCli(['route', 'remove', `${sb.tpstreams.baseUrl}/api/v1/globex`], dir)).code,
    ).toBe(0)
  })

  it('with capability[]=authtype it answers authtype and credential, ephemeral', async () => {
    const r = await runCli(['git-credential', 'get'], dir, {
      input: `capability[]=authtype\nprotocol=http\nhost=${hostOf()}\npath=api/v1/acme/\n\n`,
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /^capability\[\]=authtype\nauthtype=Token\ncredential=[0-9a-f]{40}\nephemeral=true\n$/,
    )
    expect(
      (await runCli(['git-credential', 'store'], dir, { input: 'protocol=http\n\n' })).code,
    ).toBe(0)
  })
})
