// The confirmed upgrade of a format 1 vault (from before the whole file was sealed): what the
// person is shown before it (everything nothing authenticated: accounts with their servers,
// routes, gateway settings, settings) and what is reset rather than trusted by it. Pure over the
// opened data; the Vault runs the upgrade itself (vault.ts upgradeFormat1).
import { fail, type Failure } from '../../../shared/result'
import { settingsSchema } from '../../../shared/settings'
import { sealedRecords } from './rekey'
import type { VaultData } from './schema'

const DEFAULTS = settingsSchema.parse({})

/** What a format 1 file holds that nothing authenticated, in words, for the confirmation. */
export function describeFormat1(d: VaultData): {
  accounts: string[]
  routes: string[]
  gateway: string[]
  settings: string[]
} {
  const label = new Map(d.accounts.map((a) => [a.id, a.label]))
  const accounts = d.accounts.map((a) => `${a.label} (${a.providerId}) at ${a.baseUrl}`)
  const routes = (d.routes ?? []).map((r) => `${r.prefix} -> ${label.get(r.accountId) ?? '?'}`)
  const gateway: string[] = []
  if (d.gateway?.accessToken) gateway.push('an access token for the app gateway')
  for (const p of d.gateway?.policies ?? []) {
    const parts = [
      p.origins.length ? `web origins ${p.origins.join(', ')}` : '',
      p.methods.length ? `methods ${p.methods.join(', ')}` : '',
      p.paths.length ? `paths ${p.paths.join(', ')}` : '',
    ].filter(Boolean)
    gateway.push(`policy of ${label.get(p.accountId) ?? '?'}: ${parts.join('; ') || 'open'}`)
  }
  if (d.settings.gatewayEnabled) gateway.push(`the gateway on, port ${d.settings.gatewayPort}`)
  const settings: string[] = []
  for (const [k, v] of Object.entries(d.settings)) {
    const dflt = (DEFAULTS as Record<string, unknown>)[k]
    if (JSON.stringify(v) !== JSON.stringify(dflt)) settings.push(`${k}: ${JSON.stringify(v)}`)
  }
  return { accounts, routes, gateway, settings }
}

/** What the upgrade resets to its default instead of trusting it. */
export const RESET_ON_UPGRADE = [
  'the gateway (off, default port, a new access token, no policies)',
  'the routes',
  'agent approval (ask)',
  'auto-lock (15 minutes)',
] as const

/**
 * Resets, in the draft of the upgrade, what could send tokens elsewhere or open the vault to
 * others if someone had planted it: the gateway (switched off, its access token and policies
 * dropped), the routes, agent approval and auto-lock. Returns what it changed, in words.
 */
export function resetUnauthenticated(draft: VaultData): string[] {
  const changed: string[] = []
  if (draft.gateway?.accessToken || (draft.gateway?.policies.length ?? 0) > 0) {
    changed.push('gateway access token and policies')
  }
  delete draft.gateway
  if ((draft.routes?.length ?? 0) > 0) changed.push(`${draft.routes!.length} route(s)`)
  delete draft.routes
  const s = draft.settings
  if (s.gatewayEnabled || s.gatewayPort !== DEFAULTS.gatewayPort) changed.push('gateway settings')
  if (s.agentApproval !== DEFAULTS.agentApproval) changed.push('agent approval')
  if (s.autoLockMinutes !== DEFAULTS.autoLockMinutes) changed.push('auto-lock')
  draft.settings = {
    ...s,
    gatewayEnabled: DEFAULTS.gatewayEnabled,
    gatewayPort: DEFAULTS.gatewayPort,
    agentApproval: DEFAULTS.agentApproval,
    autoLockMinutes: DEFAULTS.autoLockMinutes,
  }
  return changed
}

/**
 * Why this format 1 file is not upgraded now: it holds no sealed record at all (nothing in it
 * can be checked: refused for good), or the person has not confirmed yet (VAULT_UPGRADE_NEEDED,
 * with what they are asked to check). Undefined when the upgrade may go ahead.
 */
export function format1Refusal(
  d: VaultData,
  path: string,
  consent: { upgrade?: boolean },
): Failure | undefined {
  if (sealedRecords(d).length === 0) {
    return fail(
      'VAULT_TAMPERED',
      `The vault file ${path} is in the old format 1 and holds no sealed secret or token: nothing ` +
        'in it can be checked, so anyone who can write that folder could have written it. ' +
        'TokenDeck does not open it. Nothing was changed.',
      { details: { reason: 'format1-unsealed' } },
    )
  }
  if (consent.upgrade) return undefined
  const what = describeFormat1(d)
  return fail(
    'VAULT_UPGRADE_NEEDED',
    'This vault is in the old format 1, in which only secrets and tokens were sealed: its ' +
      'accounts and their servers, routes, gateway settings and settings could have been edited ' +
      'by anyone who can write the vault folder. Check the accounts and servers before you ' +
      `upgrade it; ${RESET_ON_UPGRADE.join(', ')} will be reset rather than trusted. Nothing was changed.`,
    {
      details: {
        path,
        accounts: what.accounts,
        routes: what.routes,
        gateway: what.gateway,
        settings: what.settings,
        reset: [...RESET_ON_UPGRADE],
      },
    },
  )
}

/** A format 1 file of a vault already sealed (format 2): a downgrade, never read. */
export function downgraded(path: string): Failure {
  return fail(
    'VAULT_TAMPERED',
    `The vault file ${path} is in the old format 1, but this vault was already sealed (format 2): ` +
      'a format 1 copy of it can only be an old backup or a forgery, and TokenDeck never reads a ' +
      'sealed vault as format 1 again. Nothing was sent anywhere and the file was left untouched. ' +
      'Restore the vault from a backup you trust.',
    { details: { reason: 'downgrade' } },
  )
}
