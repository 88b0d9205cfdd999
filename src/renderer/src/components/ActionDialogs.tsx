// The dialogs of the account and organization actions (AccountActions), on demand: the secret
// prompt, the eviction warning, and the confirmations of revoke, remove and revoke-organization.
import type { Dispatch, ReactNode, SetStateAction } from 'react'
import type { AccountView } from '../../../shared/views'
import { api } from '../api'
import { liveTokens } from '../lib/account-state'
import { providerById } from '../lib/app-store'
import { formatDateTime, plural } from '../lib/format'
import { toast, toastFailure } from '../lib/toast-store'
import { task, type Pending, type Purpose } from './AccountActions'
import { ConfirmDialog } from './ConfirmDialog'
import { SecretDialog } from './SecretDialog'

export function ActionDialog(props: {
  pending: Pending
  setPending: Dispatch<SetStateAction<Pending | null>>
  viaSecret: (account: AccountView, purpose: Purpose, confirmEviction?: boolean) => Promise<void>
}) {
  const { pending, setPending } = props
  const close = () => setPending(null)
  let dialog: ReactNode = null
  if (pending.kind === 'secret') {
    const { account, purpose, confirmEviction, needed } = pending
    dialog = (
      <SecretDialog
        account={account}
        needed={needed}
        provider={providerById(account.providerId)}
        purpose={purpose}
        submit={(secrets) => task(purpose)(account, secrets, confirmEviction === true)}
        onClose={close}
      />
    )
  } else if (pending.kind === 'evict') {
    const shown = pending
    const { account, purpose, failure } = shown
    const d = failure.details ?? {}
    const who = typeof d.evictedAccount === 'string' ? d.evictedAccount : null
    const issued = typeof d.evictedIssuedAt === 'number' ? formatDateTime(d.evictedIssuedAt) : null
    const inUse =
      typeof d.used === 'number' && typeof d.max === 'number' ? `${d.used} of ${d.max}` : 'All'
    dialog = (
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
            run: () => props.viaSecret(account, purpose, true),
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
  } else if (pending.kind === 'revoke') {
    const { account, all } = pending
    const canRevoke = providerById(account.providerId)?.canRevoke ?? true
    dialog = (
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
  } else if (pending.kind === 'remove') {
    const { account } = pending
    const live = liveTokens(account, Date.now()).length
    const remove = (opts: { revokeFirst?: boolean; force?: boolean }) => async () => {
      const r = await api().accounts.remove(account.id, opts)
      if (r.ok) toast('ok', `Removed ${r.value.label}`)
      else toastFailure(r)
    }
    dialog = (
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
  } else if (pending.kind === 'revoke-org') {
    const { org } = pending
    dialog = (
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
  return dialog
}
