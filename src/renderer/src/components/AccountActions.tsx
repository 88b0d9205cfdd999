// What the account and organization actions do; their confirmations and the secret prompt
// (ActionDialogs) load on demand.
import { useMemo, useState, type ReactNode } from 'react'
import type { AccountView, OrganizationView } from '../../../shared/views'
import type { Failure } from '../../../shared/result'
import { api } from '../api'
import { toast, toastFailure } from '../lib/toast-store'
import type { AccountAction } from './AccountRow'
import { ActionDialog } from './chunks'
import type { OrgAction } from './GroupHeaders'

export type Purpose = 'copy' | 'login'

/** The dialog an action waits on. */
export type Pending =
  | {
      kind: 'secret'
      account: AccountView
      purpose: Purpose
      confirmEviction?: boolean
      /** The fields the login still needs (a one-time code, when the password is remembered). */
      needed?: string[]
    }
  | { kind: 'evict'; account: AccountView; purpose: Purpose; failure: Failure }
  | { kind: 'revoke'; account: AccountView; all: boolean }
  | { kind: 'remove'; account: AccountView }
  | { kind: 'revoke-org'; org: OrganizationView }

/** "The server evicted the token of L." after a mint past an evict-oldest cap. */
function evictedWords(evicted: { label: string } | undefined): string {
  return evicted ? ` The server evicted the token of ${evicted.label}.` : ''
}

async function copy(
  account: AccountView,
  secrets?: Record<string, string>,
  confirmEviction = false,
): Promise<Failure | null> {
  const r = await api().tokens.copyHeader(account.id, secrets, { confirmEviction })
  if (!r.ok) return r
  toast(
    'ok',
    `Copied the ${r.value.headerName} header of ${r.value.label}`,
    `${r.value.reused ? '' : 'A new token was minted. '}The clipboard clears in ${r.value.clearsInSeconds} s.${evictedWords(r.value.evicted)}`,
  )
  return null
}

async function login(
  account: AccountView,
  secrets?: Record<string, string>,
  confirmEviction = false,
): Promise<Failure | null> {
  const r = await api().tokens.login(account.id, {
    force: true,
    ...(secrets ? { secrets } : {}),
    ...(confirmEviction ? { confirmEviction } : {}),
  })
  if (!r.ok) return r
  toast(
    'ok',
    `Logged in again as ${account.label}`,
    `A new token was minted.${evictedWords(r.value.evicted)}`,
  )
  return null
}

/** Copies the header or logs in again, with the secret typed in the prompt when one was asked. */
export const task = (purpose: Purpose) => (purpose === 'copy' ? copy : login)

export function useAccountActions(): {
  run: (action: AccountAction, account: AccountView) => void
  runOrg: (action: OrgAction, org: OrganizationView) => void
  dialogs: ReactNode
} {
  const [pending, setPending] = useState<Pending | null>(null)

  const handlers = useMemo(() => {
    const viaSecret = async (account: AccountView, purpose: Purpose, confirmEviction = false) => {
      const f = await task(purpose)(account, undefined, confirmEviction)
      if (f?.code === 'NO_SECRET') {
        const needed = f.details?.fields
        setPending({
          kind: 'secret',
          account,
          purpose,
          confirmEviction,
          ...(Array.isArray(needed) ? { needed } : {}),
        })
      } else if (f?.code === 'EVICTION_NEEDS_CONFIRMATION')
        setPending({ kind: 'evict', account, purpose, failure: f })
      else if (f) toastFailure(f)
    }
    return {
      viaSecret,
      run(action: AccountAction, account: AccountView) {
        if (action === 'copy') void viaSecret(account, 'copy')
        else if (action === 'login') void viaSecret(account, 'login')
        else if (action === 'revoke' || action === 'revoke-all')
          setPending({ kind: 'revoke', account, all: action === 'revoke-all' })
        else if (action === 'remove') setPending({ kind: 'remove', account })
      },
      runOrg(action: OrgAction, org: OrganizationView) {
        if (action === 'revoke-org') {
          setPending({ kind: 'revoke-org', org })
          return
        }
        void api()
          .tokens.revokeOldest(org.key)
          .then((r) =>
            r.ok ? toast('ok', 'Revoked the oldest token', r.value.message) : toastFailure(r),
          )
      },
    }
  }, [])

  const dialogs = pending ? (
    <ActionDialog pending={pending} setPending={setPending} viaSecret={handlers.viaSecret} />
  ) : null
  return { run: handlers.run, runOrg: handlers.runOrg, dialogs }
}
