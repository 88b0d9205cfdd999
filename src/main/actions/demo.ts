// Demo mode's content: a fresh vault, protected by the public demo passphrase, with a few
// accounts on each sandbox provider, added through the same actions a user's accounts go
// through, so everything (locking included) can be tried without real credentials.
import { DEMO_PASSPHRASE } from '../../shared/demo'
import { ok, type Result } from '../../shared/result'
import type { SandboxSet } from '../sandbox'
import { DEMO_USERS } from '../sandbox'
import type { ActionDeps } from './context'
import type { CoreActions } from '.'

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

export function demoActions(deps: ActionDeps, actions: CoreActions) {
  /** Creates and fills the demo vault the actions work on (its folder must be new). */
  async function seed(sandbox: SandboxSet): Promise<Result<void>> {
    const created = await actions.protection.create({
      protection: 'passphrase',
      passphrase: DEMO_PASSPHRASE,
    })
    if (!created.ok) return created
    for (const a of demoAccounts()) {
      const input = {
        label: a.label,
        providerId: a.provider,
        baseUrl: sandbox[a.provider].baseUrl,
        fields: a.fields,
        remember: a.remember,
      }
      // A user cannot add an account that neither remembers its secret nor logs in (it would be
      // useless); the demo wants one, to show the "log in with your password" flow.
      const added =
        !a.remember && !a.login
          ? await deps.services().accounts.add(input)
          : await actions.accounts.add({ ...input, login: a.login }, 'ui')
      if (!added.ok) return added
    }
    return ok(undefined)
  }

  return { seed }
}
