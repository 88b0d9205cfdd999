// The gateway's source: its four calls (targets, header, reject, record) over the client
// interface, in process (the app) or through the agent (a CLI gateway while an agent serves the
// vault). No logic of its own: "unlocked? then label -> account" is the client's.
import { ok } from '../../shared/result'
import type { Actions } from '../actions'
import { inProcessClient } from '../client/in-process'
import type { Client } from '../client/operations'
import type { GatewaySource } from './types'

/** The gateway's calls over `client`, serving `labels` (every account when absent or empty). */
export function clientSource(client: Client, labels: string[] = []): GatewaySource {
  return {
    targets: () => client.targets({ labels }),
    async header(label) {
      const h = await client.header({ label })
      if (!h.ok) return h
      const { tokenId, headerName, value, expiresAt } = h.value
      return ok({ tokenId, headerName, value, expiresAt })
    },
    reject: (label, tokenId) => client.reject({ label, tokenId }),
    record: (entries) => client.record({ entries }),
  }
}

/** The app's gateway: the actions of its session (null while locked: VAULT_LOCKED). */
export function actionsSource(actions: () => Actions | null, labels?: string[]): GatewaySource {
  const client = inProcessClient({
    actions,
    surface: 'gateway',
    lockedMessage: 'The vault is locked: unlock TokenDeck to use the gateway.',
  })
  return clientSource(client, labels)
}
