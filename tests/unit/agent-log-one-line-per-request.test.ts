// Through the agent, one request is one line of the event log, and that line names who asked
// (issue 19): a `header` is its mint or reuse with the client's description (before, an `agent`
// line stood beside it); git's match-then-header is one line; a refusal the core does not log is
// an `agent` line. `tokendeck log --type` and `--surface` (repeatable, comma-separated) filter
// it, through the agent and directly alike. A real headless agent, the real CLI and git.
import { describe, expect, it } from 'vitest'
import { currentOrigin, onBehalfOf, originOf } from '../../src/main/platform/request-origin'
import { cliVaultPerFile, runCli } from '../helpers/cli'
import { tempDir } from '../helpers/vault'
import { gitWithTokendeck } from '../helpers/git'

const shared = cliVaultPerFile({ agent: true })

const NO_PASS = { TOKENDECK_PASSPHRASE: undefined }

interface Entry {
  id: string
  type: string
  surface?: string
  message: string
  client?: string
  code?: string
}

/** The whole log, read without the agent (so the reading adds no line of its own). */
async function entries(): Promise<Entry[]> {
  const r = await runCli(['log', '--json', '--limit', '5000'], shared.dir, {
    env: { TOKENDECK_AGENT: 'off' },
  })
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout) as Entry[]
}

/** The lines `run` added to the log. */
async function linesOf(run: () => Promise<unknown>): Promise<Entry[]> {
  const before = new Set((await entries()).map((e) => e.id))
  await run()
  return (await entries()).filter((e) => !before.has(e.id))
}

async function gitFill(): Promise<string> {
  const host = new URL(shared.sb.tpstreams.baseUrl).host
  const r = await gitWithTokendeck(['credential', 'fill'], `protocol=http\nhost=${host}\n\n`, {
    home: tempDir(),
    env: { TOKENDECK_VAULT: shared.dir },
    useHttpPath: false,
  })
  return r.stdout
}

describe('the event log through the agent', { timeout: 120_000 }, () => {
  it('one header is one line naming its client; so is a refusal and a git fill', async () => {
    const first = await linesOf(async () => {
      expect((await runCli(['header', 'acme'], shared.dir, { env: NO_PASS })).code).toBe(0)
    })
    expect(first).toHaveLength(1)
    expect(first[0]).toMatchObject({ type: 'mint', surface: 'agent' })
    expect(first[0]!.client).toMatch(/^"tokendeck header" \(pid \d+\)$/)
    expect(first[0]!.message).toBe(`Minted a token for "acme". Asked by ${first[0]!.client}.`)
    const again = await linesOf(() => runCli(['header', 'acme'], shared.dir, { env: NO_PASS }))
    expect(again.map((e) => [e.type, e.message])).toEqual([
      ['reuse', `Reused the token of "acme". Asked by ${again[0]!.client}.`],
    ])
    // What the core does not log (an account that does not exist) is the agent's own line.
    const refused = await linesOf(() => runCli(['header', 'nobody'], shared.dir, { env: NO_PASS }))
    expect(refused).toHaveLength(1)
    expect(refused[0]).toMatchObject({ type: 'agent', surface: 'agent', code: 'NOT_FOUND' })
    expect(refused[0]!.message).toMatch(
      /^"tokendeck header" \(pid \d+\) asked for the header of "nobody": refused \(NOT_FOUND\)\.$/,
    )
    // git asks which account serves the URL, then for its header: one line.
    const git = await linesOf(async () => expect(await gitFill()).toMatch(/^password=/m))
    expect(git.map((e) => [e.type, e.client])).toEqual([
      ['reuse', expect.stringMatching(/^"git credential get" \(pid \d+\)$/)],
    ])
    // Never a token in the log.
    const token = (await runCli(['token', 'acme'], shared.dir, { env: NO_PASS })).stdout.trim()
    expect(JSON.stringify(await entries())).not.toContain(token)
  })

  it('--type and --surface filter, through the agent and directly alike', async () => {
    await runCli(['header', 'acme'], shared.dir, { env: { TOKENDECK_AGENT: 'off' } }) // surface cli
    const all = await entries()
    const ask = (args: string[], env: NodeJS.ProcessEnv) =>
      runCli(['log', ...args], shared.dir, { env })
    for (const args of [
      ['--type', 'reuse', '--surface', 'agent'],
      ['--type', 'mint,reuse', '--type', 'refusal', '--json'],
      ['--type', 'reuse', '--surface', 'cli,agent', '--limit', '2', '--json'],
    ]) {
      const direct = await ask(args, { TOKENDECK_AGENT: 'off' })
      const viaAgent = await ask(args, NO_PASS)
      expect(direct.code, args.join(' ')).toBe(0)
      expect(viaAgent.code, args.join(' ')).toBe(0)
      // The same entries (JSON keys may come in another order through the agent).
      const read = (out: string) => (args.includes('--json') ? (JSON.parse(out) as unknown) : out)
      expect(read(viaAgent.stdout), args.join(' ')).toEqual(read(direct.stdout))
      expect(direct.stdout, args.join(' ')).not.toBe('')
    }
    const reuses = JSON.parse(
      (await ask(['--type', 'reuse', '--surface', 'agent', '--json'], NO_PASS)).stdout,
    ) as Entry[]
    expect(reuses.map((e) => e.id)).toEqual(
      all.filter((e) => e.type === 'reuse' && e.surface === 'agent').map((e) => e.id),
    )
    const two = JSON.parse(
      (await ask(['--type', 'reuse', '--surface', 'cli,agent', '--limit', '2', '--json'], NO_PASS))
        .stdout,
    ) as Entry[]
    expect(two.map((e) => e.surface)).toEqual(['cli', 'agent'])
    for (const bad of [
      ['--type', 'mint,nope'],
      ['--surface', 'shell'],
    ]) {
      const r = await ask(bad, NO_PASS)
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/is not (an event type|a surface); one of /)
    }
  })
})

describe('request origins', () => {
  it('end with their request: a timer it armed does not log in its name', async () => {
    const origin = originOf('"test" (pid 1)')
    let later: unknown = 'not run'
    let timer: Promise<void> | undefined
    const seen = await onBehalfOf(origin, () => {
      timer = new Promise((resolve) =>
        setTimeout(() => {
          later = currentOrigin()
          resolve()
        }, 1),
      )
      return currentOrigin()
    })
    expect(seen).toBe(origin)
    await timer
    expect(later).toBeUndefined()
    expect(currentOrigin()).toBeUndefined()
  })
})
