// Secret token metadata (profile metadata entries marked secret, e.g. xpay's `ticket`) is kept
// sealed in the token record, bound to that token, never in a view, and dropped with the token.
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DEMO_USERS } from '../../src/main/sandbox'
import { openSecretMetadata } from '../../src/main/vault/ledger/token-records'
import { actionFixture, sandboxPerTest } from '../helpers/actions'

const sandbox = sandboxPerTest()
const xp = DEMO_USERS.xpay[0]!
const tp = DEMO_USERS.tpstreams[0]!

async function xpayAccount() {
  const { actions, services } = await actionFixture()
  const added = await actions.accounts.add(
    {
      label: 'xpay-dev',
      providerId: 'xpay',
      baseUrl: sandbox().xpay.baseUrl,
      fields: { username: xp.username, secretKey: xp.secret },
      remember: true,
      login: true,
    },
    'ui',
  )
  if (!added.ok) throw new Error(added.message)
  return { actions, services, account: added.value.account }
}

function records(services: Awaited<ReturnType<typeof actionFixture>>['services']) {
  const d = services.vault.readUnlocked()
  if (!d.ok) throw new Error(d.message)
  return d.value.tokens
}

describe('secret token metadata', () => {
  it("xpay's ticket is sealed in the token record, bound to it, and never in a view or the file", async () => {
    const { actions, services, account } = await xpayAccount()
    const [t] = records(services)
    expect(t?.secretMetadata).toMatchObject({ v: 1 })
    const acc = services.vault.readUnlocked()
    const owner = acc.ok ? acc.value.accounts.find((a) => a.id === t!.accountId)! : undefined
    const opened = openSecretMetadata(services.tokens.ledger, t!, owner!)
    expect(opened.ok).toBe(true)
    const ticket = opened.ok ? opened.value.ticket : undefined
    expect(ticket).toMatch(/^[0-9a-f]{32}$/)
    expect(t!.metadata).not.toHaveProperty('ticket')
    expect(t!.metadata).toHaveProperty('scopes') // plain metadata stays plain

    const view = actions.views.account(account.id)
    expect(view.ok && view.value.current).toBeTruthy()
    expect(JSON.stringify(view)).not.toContain(ticket)
    expect(JSON.stringify(view)).not.toContain('secretMetadata')
    expect(fs.readFileSync(services.vault.file.path, 'utf8')).not.toContain(ticket)

    // Sealed under the token's own id: moved to another record, it does not open.
    const moved = openSecretMetadata(services.tokens.ledger, { ...t!, id: 'another-token' }, owner!)
    expect(!moved.ok && moved.code).toBe('VAULT_TAMPERED')
  })

  it('is dropped when the token ends; a token without secret metadata has none', async () => {
    const { actions, services, account } = await xpayAccount()
    const r = await actions.tokens.revoke(account.id, {}, 'ui') // xpay: forgotten locally
    expect(r.ok).toBe(true)
    const [t] = records(services)
    expect(t).toMatchObject({ state: 'forgotten', secret: null, secretMetadata: null })

    const tpAdded = await actions.accounts.add(
      {
        label: 'acme-prod',
        providerId: 'tpstreams',
        baseUrl: sandbox().tpstreams.baseUrl,
        fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
        remember: true,
        login: true,
      },
      'ui',
    )
    expect(tpAdded.ok).toBe(true)
    const tpToken = records(services).find((x) => x.providerId === 'tpstreams')
    expect(tpToken).toBeDefined()
    expect(tpToken).not.toHaveProperty('secretMetadata')
  })
})
