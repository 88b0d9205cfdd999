// CLI commands run in process against the in-process client (no child process, no socket): the
// command is called with its parsed context and a connection over the core actions of a temp
// vault and the real sandbox; what it prints and returns is what a user would see. The same
// commands run as real processes in cli.test.ts and both ways in cli-agent-and-direct-alike.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ok } from '../../src/shared/result'
import { connect } from '../../src/main/client/connect'
import type { CliConnection } from '../../src/main/cli/connection'
import type { Ctx, FlagValue } from '../../src/main/cli/ctx'
import { accountsKeepReady } from '../../src/main/cli/commands-accounts'
import { routeAdd, routeList, routeRemove } from '../../src/main/cli/commands-helpers'
import { header, revoke } from '../../src/main/cli/commands-tokens'
import { status } from '../../src/main/cli/commands-views'
import { actionFixture, addAcmeProd, sandboxPerTest, type ActionFixture } from '../helpers/actions'

const sandbox = sandboxPerTest()
let f: ActionFixture
let out: string[]

beforeEach(async () => {
  f = await actionFixture()
  await addAcmeProd(f.actions, sandbox().tpstreams.baseUrl)
  out = []
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk))
    return true
  })
})
afterEach(() => {
  vi.restoreAllMocks()
})

/** A parsed invocation whose vault operations go to the in-process client over `f`. */
function ctxOf(args: string[], flags: Record<string, FlagValue> = {}): Ctx {
  const connection = (command: string): CliConnection => {
    const c = connect({
      endpoint: null,
      command,
      open: async () => ok(f.actions),
      canUnlockHere: () => true,
      surface: 'cli',
    })
    const stdin = { read: async () => ok([]), interactive: () => false, close: () => {} }
    return { ...c, stdin, close: () => {} }
  }
  return { json: flags.json === true, flags, args, env: {}, connect: connection }
}

describe('CLI commands in process, over the in-process client', () => {
  it('header mints once and reuses; status shows the cap; revoke ends the token', async () => {
    const before = sandbox().tpstreams.stats.loginRequests
    expect(await header(ctxOf(['acme-prod']))).toBe(0)
    expect(await header(ctxOf(['acme-prod']))).toBe(0)
    expect(out[0]).toMatch(/^Authorization: Token [0-9a-f]{40}\n$/)
    expect(out[1]).toBe(out[0])
    expect(sandbox().tpstreams.stats.loginRequests - before).toBe(1)
    out.length = 0
    expect(await status(ctxOf([]))).toBe(0)
    expect(out.join('')).toMatch(/acme \(TPStreams\)\s+1\/20 tokens/)
    out.length = 0
    expect(await revoke(ctxOf(['acme-prod'], { json: true }))).toBe(0)
    expect(JSON.parse(out.join(''))).toMatchObject({ revoked: [{ state: 'revoked' }] })
  })

  it('routes and keep-ready, and a failure is an exit code with nothing on stdout', async () => {
    const prefix = `${sandbox().tpstreams.baseUrl}/api/v1/acme/`
    expect(await routeAdd(ctxOf([prefix, 'acme-prod']))).toBe(0)
    // Kept as the vault normalises it: without the trailing slash.
    const kept = prefix.replace(/\/$/, '')
    expect(out.join('')).toBe(`${kept} -> acme-prod\n`)
    out.length = 0
    expect(await routeList(ctxOf([], { json: true }))).toBe(0)
    expect(JSON.parse(out.join(''))).toMatchObject([{ prefix: kept, label: 'acme-prod' }])
    out.length = 0
    expect(await routeRemove(ctxOf([prefix]))).toBe(0)
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    expect(await routeRemove(ctxOf([prefix]))).toBe(2)
    out.length = 0
    expect(await accountsKeepReady(ctxOf(['acme-prod', 'on'], { json: true }))).toBe(0)
    expect(JSON.parse(out.join(''))).toEqual({ label: 'acme-prod', keepReady: true })
    expect(
      f.actions.views.account('acme-prod').ok && f.actions.views.account('acme-prod'),
    ).toMatchObject({
      value: { keepReady: true },
    })
  })
})
