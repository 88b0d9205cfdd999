import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INVOKE } from '../../src/shared/ipc/channels'
import { CONTRACT } from '../../src/shared/ipc/schemas'
import { resultSchema } from '../../src/shared/ipc/schemas'
import { DEMO_USERS } from '../../src/main/sandbox'
import { startTestApp, type TestApp } from '../helpers/app'
import { freePort } from '../helpers/free-port'

let app: TestApp
const PASS = 'a long enough passphrase'
const tp = DEMO_USERS.tpstreams[0]!
const cl = DEMO_USERS.classic[0]!
/** Every response the "page" received, to check no secret ever crossed. */
const received: unknown[] = []

async function call(channel: keyof typeof CONTRACT, payload?: unknown) {
  const r = await app.handlers[channel](payload)
  received.push(r)
  // Every answer matches the contract the preload parses with.
  expect(resultSchema(CONTRACT[channel].response).safeParse(r).success).toBe(true)
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return r as any
}

beforeAll(async () => {
  app = await startTestApp()
})
afterAll(async () => {
  await app.close()
})

describe('IPC handler table', () => {
  it('walks first run, accounts, copy, revoke; nothing secret comes back', async () => {
    expect((await call(INVOKE.snapshot)).code).toBe('VAULT_LOCKED')
    const status = (await call(INVOKE.appStatus)) as { value: { vault: { exists: boolean } } }
    expect(status.value.vault.exists).toBe(false)
    expect(
      (await call(INVOKE.vaultCreate, { protection: 'passphrase', passphrase: PASS })).ok,
    ).toBe(true)

    const added = await call(INVOKE.accountsAdd, {
      label: 'acme-prod',
      providerId: 'tpstreams',
      baseUrl: app.sandbox.tpstreams.baseUrl,
      fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
      remember: true,
      login: true,
    })
    expect(added.ok).toBe(true)
    const accountId = (added as unknown as { value: { id: string } }).value.id

    const copy = (await call(INVOKE.copyHeader, { accountId })) as {
      ok: boolean
      value: { clearsInSeconds: number; reused: boolean }
    }
    expect(copy.ok).toBe(true)
    expect(copy.value.clearsInSeconds).toBe(30)
    expect(copy.value.reused).toBe(true)
    const copied = app.copier.copies.at(-1)!.text
    expect(copied).toMatch(/^Authorization: Token [0-9a-f]{40}$/)
    const res = await fetch(`${app.sandbox.tpstreams.baseUrl}/api/v1/acme/assets/`, {
      headers: { Authorization: copied.slice('Authorization: '.length) },
    })
    expect(res.status).toBe(200)

    const wrong = await call(INVOKE.accountsAdd, {
      label: 'classic-wrong',
      providerId: 'classic',
      baseUrl: app.sandbox.classic.baseUrl,
      fields: { username: cl.username, password: 'not-the-password' },
      remember: false,
      login: true,
    })
    expect(wrong.code).toBe('PROVIDER_REJECTED')
    expect(wrong.message).toBe('Please enter a correct username and password.')
    const snap = (await call(INVOKE.snapshot)) as { value: { accounts: { label: string }[] } }
    expect(snap.value.accounts.map((a) => a.label)).toEqual(['acme-prod'])

    const revoked = await call(INVOKE.tokensRevoke, { accountId })
    expect(revoked.ok).toBe(true)
    const token = copied.split(' ').at(-1)!
    expect(app.sandbox.tpstreams.isTokenValid(token)).toBe(false)

    const everything = JSON.stringify(received)
    for (const secret of [PASS, tp.secret, token, 'not-the-password']) {
      expect(everything).not.toContain(secret)
    }
  })

  it('rejects malformed payloads with a validation error and changes nothing', async () => {
    const state = async () => {
      const r = (await call(INVOKE.snapshot)) as { value: { now?: number } }
      delete r.value.now
      return JSON.stringify(r)
    }
    const before = await state()
    for (const [channel, payload] of [
      [INVOKE.accountsAdd, { label: 5 }],
      [INVOKE.copyHeader, { accountId: 'x', extra: true }],
      [INVOKE.tokensRevoke, null],
      [INVOKE.vaultUnlock, { method: 'passphrase' }],
      [INVOKE.settingsUpdate, { clipboardClearSeconds: -1 }],
      [INVOKE.eventsList, { limit: 10 ** 9 }],
      [INVOKE.appStatus, { sneaky: 1 }],
    ] as const) {
      const r = await call(channel, payload)
      expect(r.code).toBe('VALIDATION_FAILED')
    }
    expect(await state()).toBe(before)
  })

  it('a settings update changes only the settings it names', async () => {
    // zod 4's partial() would fill every setting left out with its default: saving the
    // clipboard time turned the gateway off and reset the agent's approval mode.
    const port = await freePort()
    const all = await call(INVOKE.settingsUpdate, {
      clipboardClearSeconds: 45,
      agentApproval: 'dont-ask',
      gatewayEnabled: true,
      gatewayPort: port,
    })
    expect(all.ok).toBe(true)
    await app.gateway.sync()
    const one = await call(INVOKE.settingsUpdate, { autoLockMinutes: 20 })
    expect(one.value).toMatchObject({
      clipboardClearSeconds: 45,
      autoLockMinutes: 20,
      agentApproval: 'dont-ask',
      gatewayEnabled: true,
      gatewayPort: port,
    })
    const back = await call(INVOKE.settingsUpdate, {
      clipboardClearSeconds: 30,
      agentApproval: 'ask',
      gatewayEnabled: false,
      autoLockMinutes: 15,
    })
    expect(back.value.gatewayEnabled).toBe(false)
    await app.gateway.sync()
  })

  it('adding an account whose first login lost its answer keeps it and its uncertain token', async () => {
    // Issue 9's regression: the window removed the account and its uncertain ledger record
    // while the server held a live token; the CLI kept both. Both now run one action.
    const { tpstreams } = app.sandbox
    const live = tpstreams.liveTokenCount('globex')
    tpstreams.setFault({ kind: 'mint-then-hang' }, { route: 'login', times: 1 })
    const r = await call(INVOKE.accountsAdd, {
      label: 'globex-lost',
      providerId: 'tpstreams',
      baseUrl: tpstreams.baseUrl,
      fields: { username: tp.username, password: tp.secret, organization_id: 'globex' },
      remember: false,
      login: true,
    })
    expect(r.code).toBe('OUTCOME_UNKNOWN')
    expect(r.details.accountKept).toBe(true)
    expect(tpstreams.liveTokenCount('globex')).toBe(live + 1)
    const snap = (await call(INVOKE.snapshot)) as {
      value: {
        accounts: { label: string; tokens: { state: string }[] }[]
        organizations: { organizationId: string | null; cap: { uncertain: number } | null }[]
      }
    }
    const kept = snap.value.accounts.find((a) => a.label === 'globex-lost')
    expect(kept?.tokens.map((t) => t.state)).toEqual(['uncertain'])
    const globex = snap.value.organizations.find((o) => o.organizationId === 'globex')
    expect(globex?.cap?.uncertain).toBe(1)
  })

  it('demo mode opens a seeded vault on the sandbox providers', async () => {
    const r = (await call(INVOKE.demoStart)) as { ok: boolean; value: { demo: boolean } }
    expect(r.ok).toBe(true)
    expect(r.value.demo).toBe(true)
    const snap = (await call(INVOKE.snapshot)) as {
      value: { accounts: { label: string; current: unknown }[]; organizations: { cap: unknown }[] }
    }
    expect(snap.value.accounts.map((a) => a.label)).toContain('acme-prod')
    expect(snap.value.accounts.filter((a) => a.current !== null).length).toBeGreaterThanOrEqual(4)
    expect(snap.value.organizations.some((o) => o.cap !== null)).toBe(true)
  })
})
