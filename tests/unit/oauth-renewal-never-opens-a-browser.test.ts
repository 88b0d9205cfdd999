// Keep-ready renewal runs on its own, so it never starts a login that needs the person (an OAuth
// device code or browser sign-in): with a live refresh token it refreshes, without one it says it
// cannot renew unattended, and no prompt is shown, no request sent to the authorization server.
// A person's own login of the same account still shows its step. Real vault, core and sandbox.
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createActions, type Actions } from '../../src/main/actions'
import { createHttpClient } from '../../src/main/providers/http-client'
import { DEMO_USERS, startOauthSandbox, type OauthSandbox } from '../../src/main/sandbox'
import type { LoginPromptView } from '../../src/shared/login-prompt'
import { newVault } from '../helpers/vault'

const user = DEMO_USERS.oauth[0]!
let sb: OauthSandbox
let actions: Actions
let accountId: string
const shown: LoginPromptView[] = []

beforeAll(async () => {
  sb = await startOauthSandbox({ device: { intervalMs: 1000 } })
  const services = await newVault({ http: createHttpClient() })
  actions = createActions({ services: () => services, platform: 'linux', safeStorage: null })
  const text = fs.readFileSync('tests/fixtures/profiles/oauth-device-sandbox.json', 'utf8')
  const imported = await actions.providers.import(text)
  if (!imported.ok) throw new Error(imported.message)
  const added = await actions.accounts.add(
    {
      label: 'dev',
      providerId: 'oauth-device-sandbox',
      baseUrl: sb.baseUrl,
      fields: { user: user.username },
      remember: true,
      login: false,
    },
    'ui',
  )
  if (!added.ok) throw new Error(added.message)
  accountId = added.value.account.id
  // The window is open: someone watches the prompts (a person approves each code at once).
  actions.logins.subscribe((e) => {
    if (e.type !== 'shown') return
    shown.push(e.prompt)
    sb.approveDevice(e.prompt.userCode!, user.username)
  })
}, 30_000)
afterAll(() => sb.close())

describe('renewal and browser sign-ins', { timeout: 60_000 }, () => {
  it('renewal never starts one; it refreshes while it can', async () => {
    // No token yet: renewal may not log in through the browser.
    const before = { ...sb.issuedByGrant }
    const first = await actions.tokens.login(accountId, { force: true, renew: true }, 'renewal')
    expect(first).toMatchObject({ ok: false, code: 'UNSUPPORTED' })
    if (!first.ok) expect(first.message).toMatch(/cannot renew its token unattended/)
    expect(shown).toHaveLength(0)
    expect(sb.issuedByGrant).toEqual(before)

    // The person logs in (the code shown and approved): a token and a refresh token.
    const mine = await actions.tokens.login(accountId, { force: true }, 'ui')
    expect(mine).toMatchObject({ ok: true })
    expect(shown).toHaveLength(1)

    // Renewal now refreshes it: a new access token, no prompt, no device grant.
    const grants = sb.issuedByGrant.device_code
    const renewed = await actions.tokens.login(accountId, { force: true, renew: true }, 'renewal')
    expect(renewed).toMatchObject({ ok: true })
    expect(shown).toHaveLength(1)
    expect(sb.issuedByGrant.device_code).toBe(grants)
    expect(sb.issuedByGrant.refresh_token).toBe(before.refresh_token + 1)
  })
})
