// Demo mode: a fresh vault, protected by the public demo passphrase, with a few accounts on
// each sandbox provider, so everything (locking included) can be tried without real credentials.
import { DEMO_PASSPHRASE } from '../shared/demo'
import { ok, type Result } from '../shared/result'
import type { SandboxSet } from './sandbox'
import { DEMO_USERS } from './sandbox'
import { passphraseProtector, type VaultServices } from './vault'

interface DemoAccount {
  label: string
  provider: 'tpstreams' | 'xpay' | 'classic'
  fields: Record<string, string>
  remember: boolean
  login: boolean
}

function demoAccounts(): DemoAccount[] {
  const [tpDev, tpOps] = DEMO_USERS.tpstreams
  const [xDev, xAdmin] = DEMO_USERS.xpay
  const [cAdmin, cDemo] = DEMO_USERS.classic
  const tp = (label: string, u: typeof tpDev, org: string, login: boolean): DemoAccount => ({
    label,
    provider: 'tpstreams',
    fields: { username: u!.username, password: u!.secret, organization_id: org },
    remember: true,
    login,
  })
  return [
    tp('acme-prod', tpDev, 'acme', true),
    tp('acme-ci', tpDev, 'acme', false),
    tp('globex-ops', tpOps, 'globex', true),
    {
      label: 'xpay-dev',
      provider: 'xpay',
      fields: { username: xDev!.username, secretKey: xDev!.secret },
      remember: true,
      login: true,
    },
    {
      label: 'xpay-admin',
      provider: 'xpay',
      fields: { username: xAdmin!.username, secretKey: xAdmin!.secret },
      remember: true,
      login: false,
    },
    {
      label: 'classic-admin',
      provider: 'classic',
      fields: { username: cAdmin!.username, password: cAdmin!.secret },
      remember: true,
      login: true,
    },
    // Does not remember its password: shows the "log in with your password" flow.
    {
      label: 'classic-demo',
      provider: 'classic',
      fields: { username: cDemo!.username, password: cDemo!.secret },
      remember: false,
      login: false,
    },
  ]
}

/** Creates and fills the demo vault in `services` (whose folder must be new). */
export async function seedDemoVault(
  services: VaultServices,
  sandbox: SandboxSet,
): Promise<Result<void>> {
  const created = await services.vault.create(passphraseProtector(DEMO_PASSPHRASE))
  if (!created.ok) return created
  for (const a of demoAccounts()) {
    const added = await services.accounts.add({
      label: a.label,
      providerId: a.provider,
      baseUrl: sandbox[a.provider].baseUrl,
      fields: a.fields,
      remember: a.remember,
    })
    if (!added.ok) return added
    if (a.login) {
      const r = await services.tokens.login(added.value.id, { surface: 'ui' })
      if (!r.ok) return r
    }
  }
  return ok(undefined)
}
