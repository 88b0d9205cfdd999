// What the account and organization actions do, with their confirmations and the secret prompt.
import { useMemo, useState, type ReactNode } from 'react'
import type { AccountView, OrganizationView } from '../../../shared/views'
import type { Failure } from '../../../shared/result'
import { api } from '../api'
import { liveTokens } from '../lib/account-state'
import { providerById } from '../lib/app-store'
import { formatDateTime, plural } from '../lib/format'
import { toast, toastFailure } from '../lib/toast-store'
import type { AccountAction } from './AccountRow'
import { ConfirmDialog } from './ConfirmDialog'
import type { OrgAction } from './GroupHeaders'
import { SecretDialog } from './SecretDialog'

type Purpose = 'copy' | 'login'

type Pending =
  | { kind: 'secret'; account: AccountView; purpose: Purpose; confirmEviction?: boolean }
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

const task = (purpose: Purpose) => (purpose === 'copy' ? copy : login)

export function useAccountActions(): {
  run: (action: AccountAction, account: AccountView) => void
  runOrg: (action: OrgAction, org: OrganizationView) => void
  dialogs: ReactNode
} {
  const [pending, setPending] = useState<Pending | null>(null)

  const handlers = useMemo(() => {
    const viaSecret = async (account: AccountView, purpose: Purpose, confirmEviction = false) => {
      const f = await task(purpose)(account, undefined, confirmEviction)
      if (f?.code === 'NO_SECRET') setPending({ kind: 'secret', account, purpose, confirmEviction })
      else if (f?.code === 'EVICTION_NEEDS_CONFIRMATION')
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

  const close = () => setPending(null)
  let dialogs: ReactNode = null
  if (pending?.kind === 'secret') {
    const { account, purpose, confirmEviction } = pending
    dialogs = (
      <SecretDialog
        account={account}
        provider={providerById(account.providerId)}
        purpose={purpose}
        submit={(secrets) => task(purpose)(account, secrets, confirmEviction === true)}
        onClose={close}
      />
    )
  } else if (pending?.kind === 'evict') {
    const shown = pending
    const { account, purpose, failure } = shown
    const d = failure.details ?? {}
    const who = typeof d.evictedAccount === 'string' ? d.evictedAccount : null
    const issued = typeof d.evictedIssuedAt === 'number' ? formatDateTime(d.evictedIssuedAt) : null
    const inUse =
      typeof d.used === 'number' && typeof d.max === 'number' ? `${d.used} of ${d.max}` : 'All'
    dialogs = (
      <ConfirmDialog
        title={
          who
            ? `Evict the token of ${who}?`
            : `Let the server evict its oldest token for ${account.label}?`
        }
        // Closes only this dialog: going ahead may open the secret prompt in its place.
        onClose={() => setPending((p) => (p === shown ? null : p))}
        actions={[
          {
            label: purpose === 'copy' ? 'Evict and copy' : 'Evict and log in',
            tone: 'danger',
            run: () => handlers.viaSecret(account, purpose, true),
          },
        ]}
      >
        <p data-testid="evict-message">
          {inUse} tokens are in use. A new token for {account.label} makes {account.providerName}{' '}
          end its oldest one:{' '}
          {who ? (
            <>
              the token of <strong>{who}</strong>
              {issued ? `, issued ${issued}` : ''}.
            </>
          ) : (
            'a token this vault does not hold.'
          )}
        </p>
        <p>
          {who ? `Anything using ${who}'s token stops working. ` : ''}Nothing has been sent yet.
        </p>
      </ConfirmDialog>
    )
  } else if (pending?.kind === 'revoke') {
    const { account, all } = pending
    const canRevoke = providerById(account.providerId)?.canRevoke ?? true
    dialogs = (
      <ConfirmDialog
        title={
          all ? `Revoke all tokens of ${account.label}?` : `Revoke the token of ${account.label}?`
        }
        onClose={close}
        actions={[
          {
            label: all ? 'Revoke all' : 'Revoke',
            tone: 'danger',
            run: async () => {
              const r = await api().tokens.revoke(account.id, all ? { all: true } : {})
              if (r.ok) toast('ok', all ? 'Revoked all tokens' : 'Revoked', r.value.message)
              else toastFailure(r)
            },
          },
        ]}
      >
        {canRevoke ? (
          <p>
            Anything using {all ? 'these tokens' : 'this token'} stops working. The next copy logs
            in again.
          </p>
        ) : (
          <p>
            {account.providerName} has no revoke endpoint: the token is forgotten here but stays
            valid on the server until it expires.
          </p>
        )}
      </ConfirmDialog>
    )
  } else if (pending?.kind === 'remove') {
    const { account } = pending
    const live = liveTokens(account, Date.now()).length
    const remove = (opts: { revokeFirst?: boolean; force?: boolean }) => async () => {
      const r = await api().accounts.remove(account.id, opts)
      if (r.ok) toast('ok', `Removed ${r.value.label}`)
      else toastFailure(r)
    }
    dialogs = (
      <ConfirmDialog
        title={`Remove ${account.label}?`}
        onClose={close}
        actions={
          live > 0
            ? [
                { label: 'Remove anyway', tone: 'danger', run: remove({ force: true }) },
                {
                  label: 'Revoke, then remove',
                  tone: 'primary',
                  run: remove({ revokeFirst: true }),
                },
              ]
            : [{ label: 'Remove', tone: 'danger', run: remove({}) }]
        }
      >
        {live > 0 ? (
          <p>
            It still has {plural(live, 'live token')}. Revoke {live === 1 ? 'it' : 'them'} first, or
            remove the account anyway and {live === 1 ? 'it stays' : 'they stay'} valid on the
            server.
          </p>
        ) : (
          <p>
            The account, its remembered secret and its token history are deleted from the vault.
          </p>
        )}
      </ConfirmDialog>
    )
  } else if (pending?.kind === 'revoke-org') {
    const { org } = pending
    dialogs = (
      <ConfirmDialog
        title={`Revoke every token in ${org.organizationId ?? org.providerName}?`}
        onClose={close}
        actions={[
          {
            label: 'Revoke all',
            tone: 'danger',
            run: async () => {
              const r = await api().tokens.revokeOrganization(org.key)
              if (r.ok) toast('ok', 'Revoked the organization’s tokens', r.value.message)
              else toastFailure(r)
            },
          },
        ]}
      >
        <p>
          All live tokens of the {plural(org.accountIds.length, 'account')} in this organization are
          revoked on the server. Each logs in again on its next copy.
        </p>
      </ConfirmDialog>
    )
  }
  return { run: handlers.run, runOrg: handlers.runOrg, dialogs }
}
