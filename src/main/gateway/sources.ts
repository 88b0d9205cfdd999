// The gateway's source over the core actions in this process (the app, or a CLI that opened the
// vault itself). The CLI's source over the agent speaks the same four calls (cli/commands-gateway).
import { fail, ok, type Result } from '../../shared/result'
import type { Actions } from '../actions'
import type { GatewaySource } from './types'

/** `actions()` is null while the vault is locked (the app): every call then says VAULT_LOCKED. */
export function actionsSource(actions: () => Actions | null, labels?: string[]): GatewaySource {
  const unlocked = (): Result<Actions> => {
    const a = actions()
    return a && a.protection.status().vault.unlocked
      ? ok(a)
      : fail('VAULT_LOCKED', 'The vault is locked: unlock TokenDeck to use the gateway.')
  }
  const account = (label: string) => {
    const a = unlocked()
    if (!a.ok) return a
    const acc = a.value.views.account(label)
    return acc.ok ? ok({ actions: a.value, id: acc.value.id }) : acc
  }
  return {
    async targets() {
      const a = unlocked()
      return a.ok ? a.value.gateway.targets(labels) : a
    },
    async header(label) {
      const o = account(label)
      if (!o.ok) return o
      const h = await o.value.actions.tokens.header(o.value.id, 'gateway')
      if (!h.ok) return h
      const { tokenId, headerName, value, expiresAt } = h.value
      return ok({ tokenId, headerName, value, expiresAt })
    },
    async reject(label, tokenId) {
      const o = account(label)
      return o.ok ? o.value.actions.tokens.reject(o.value.id, 'gateway', tokenId) : o
    },
    async record(entries) {
      const a = unlocked()
      return a.ok ? a.value.gateway.record(entries) : a
    },
  }
}
