// Guarantee: bidirectional control characters (U+202A-U+202E, U+2066-U+2069, LRM, RLM, ALM) never
// make a label or a server's message read as something else. A label given with them (through the
// window's own handler table, as a compromised renderer would send it, or `tokendeck accounts
// add`) is stored and shown without them: in the account view, the window's snapshot and the
// CLI's output; a server message with them reaches the window's failure and the event log
// without them. (The CLI side of server text and tampered labels: cli-terminal-control.test.ts.)
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INVOKE } from '../../src/shared/ipc/channels'
import { CLI, runCli } from '../helpers/cli'
import { startTestApp, type TestApp } from '../helpers/app'

const PASSPHRASE = 'a long enough passphrase'
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/
/** "invoice-exe.pdf" as stored, shown by a terminal or a page as "invoice-fdp.exe". */
const RLO_LABEL = 'invoice-\u202efdp.exe'

let app: TestApp

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  app = await startTestApp()
  const created = await app.handlers[INVOKE.vaultCreate]({
    protection: 'passphrase',
    passphrase: PASSPHRASE,
  })
  expect(created.ok).toBe(true)
}, 60_000)
afterAll(async () => {
  await app?.close()
})

const cli = (args: string[]) =>
  runCli(args, app.vaultDir, { env: { TOKENDECK_PASSPHRASE: PASSPHRASE } })

type Snap = { ok: true; value: { accounts: { label: string }[] } }

describe('labels and server text lose their bidi controls', { timeout: 60_000 }, () => {
  it('a label added or renamed through the window arrives without them everywhere', async () => {
    const added = (await app.handlers[INVOKE.accountsAdd]({
      label: RLO_LABEL,
      providerId: 'classic',
      baseUrl: app.sandbox.classic.baseUrl,
      fields: { username: 'admin', password: 'classic-demo-password' },
      remember: true,
      login: false,
    })) as { ok: true; value: { id: string; label: string } }
    expect(added.ok).toBe(true)
    expect(added.value.label).toBe('invoice-fdp.exe')
    const renamed = (await app.handlers[INVOKE.accountsUpdate]({
      accountId: added.value.id,
      patch: { label: '\u2067ops\u2069-\u200fkeys\u061c' },
    })) as { ok: true; value: { label: string } }
    expect(renamed.ok).toBe(true)
    expect(renamed.value.label).toBe('ops-keys')
    // Nothing but bidi characters is no label at all.
    const empty = await app.handlers[INVOKE.accountsUpdate]({
      accountId: added.value.id,
      patch: { label: '\u202e\u202c' },
    })
    expect(!empty.ok && empty.code).toBe('VALIDATION_FAILED')

    const snap = (await app.handlers[INVOKE.snapshot](undefined)) as Snap
    expect(snap.value.accounts.map((a) => a.label)).toEqual(['ops-keys'])
    expect(JSON.stringify(snap)).not.toMatch(BIDI)
    for (const args of [
      ['accounts', 'list'],
      ['accounts', 'list', '--json'],
      ['status'],
      ['log'],
    ]) {
      const r = await cli(args)
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout + r.stderr, args.join(' ')).not.toMatch(BIDI)
    }
    expect((await cli(['accounts', 'list'])).stdout).toContain('ops-keys')
  })

  it('a label given to `tokendeck accounts add` is stored without them', async () => {
    const r = await runCli(
      [
        'accounts',
        'add',
        '--provider',
        'classic',
        '--base-url',
        app.sandbox.classic.baseUrl,
        '--label',
        'ci\u202e-bot',
        '--username',
        'admin',
        '--remember',
        '--no-verify',
        '--secret-stdin',
      ],
      app.vaultDir,
      { env: { TOKENDECK_PASSPHRASE: PASSPHRASE }, input: 'classic-demo-password\n' },
    )
    expect(r.code, r.stderr).toBe(0)
    const snap = (await app.handlers[INVOKE.snapshot](undefined)) as Snap
    expect(snap.value.accounts.map((a) => a.label)).toContain('ci-bot')
    expect(JSON.stringify(snap)).not.toMatch(BIDI)
  })

  it("a server's message reaches the window's failure and the event log without them", async () => {
    app.sandbox.tpstreams.setFault(
      {
        kind: 'json',
        status: 400,
        body: { detail: 'Denied by \u202eycilop\u202c \u2066rule\u2069' },
      },
      { route: 'login', times: 1 },
    )
    const r = await app.handlers[INVOKE.accountsAdd]({
      label: 'server-text',
      providerId: 'tpstreams',
      baseUrl: app.sandbox.tpstreams.baseUrl,
      fields: { username: 'dev@acme.test', password: 'acme-demo-password', organization_id: 'a' },
      remember: false,
      login: true,
    })
    if (r.ok) throw new Error('expected the login to be refused')
    expect(r.message).toContain('Denied by ycilop rule')
    expect(JSON.stringify(r)).not.toMatch(BIDI)
    const events = await app.handlers[INVOKE.eventsList]({ limit: 50 })
    expect(JSON.stringify(events)).not.toMatch(BIDI)
  })
})
