// One account in the list: who it is, its token's state and countdown, and its actions.
import { memo } from 'react'
import { DropdownMenu, Tooltip } from 'radix-ui'
import {
  Copy,
  Ellipsis,
  LogIn,
  PanelRightOpen,
  Pencil,
  ShieldOff,
  ShieldX,
  Trash2,
} from 'lucide-react'
import type { AccountView, TokenView } from '../../../shared/views'
import { liveToken, STATE_WORDS, type AccountState } from '../lib/account-state'
import { useCountdown } from '../lib/tick-store'
import { ProviderBadge } from './ProviderBadge'

export type AccountAction =
  'copy' | 'details' | 'login' | 'revoke' | 'revoke-all' | 'edit' | 'remove' | 'select'

interface Props {
  account: AccountView
  /** First row under a provider header (rounded top). */
  first: boolean
  selected: boolean
  onAction: (action: AccountAction, account: AccountView) => void
}

export const AccountRow = memo(function AccountRow({ account, first, selected, onAction }: Props) {
  const token = liveToken(account)
  const act = (a: AccountAction) => () => onAction(a, account)
  const stateId = `state-${account.id}`

  return (
    <div
      className={`row account-row ${first ? 'first' : ''} ${selected ? 'selected' : ''}`}
      role="listitem"
      aria-current={selected || undefined}
      data-account={account.label}
    >
      <button
        type="button"
        className="row-main"
        onClick={act('details')}
        onFocus={act('select')}
        aria-describedby={stateId}
      >
        <ProviderBadge id={account.providerId} name={account.providerName} />
        <span className="row-names">
          <span className="row-label">{account.label}</span>
          <span className="row-user">{account.username || account.providerName}</span>
        </span>
        <span className="sr-only">, show token details</span>
      </button>
      <RowStatus account={account} token={token} stateId={stateId} />
      <button type="button" className="button primary small" onClick={act('copy')}>
        <Copy aria-hidden size={15} /> Copy header
      </button>
      <DropdownMenu.Root>
        <Tooltip.Root>
          <Tooltip.Trigger asChild>
            <DropdownMenu.Trigger
              className="icon-button"
              aria-label={`More actions for ${account.label}`}
            >
              <Ellipsis aria-hidden size={18} />
            </DropdownMenu.Trigger>
          </Tooltip.Trigger>
          <Tooltip.Portal>
            <Tooltip.Content className="tooltip" sideOffset={4}>
              More actions
            </Tooltip.Content>
          </Tooltip.Portal>
        </Tooltip.Root>
        <DropdownMenu.Portal>
          <DropdownMenu.Content className="menu" align="end" sideOffset={4}>
            <DropdownMenu.Item className="menu-item" onSelect={act('details')}>
              <PanelRightOpen aria-hidden size={15} /> Token details
            </DropdownMenu.Item>
            <DropdownMenu.Item className="menu-item" onSelect={act('login')}>
              <LogIn aria-hidden size={15} /> Log in again
            </DropdownMenu.Item>
            <DropdownMenu.Item className="menu-item" onSelect={act('revoke')} disabled={!token}>
              <ShieldOff aria-hidden size={15} /> Revoke token
            </DropdownMenu.Item>
            <DropdownMenu.Item className="menu-item" onSelect={act('revoke-all')} disabled={!token}>
              <ShieldX aria-hidden size={15} /> Revoke all tokens
            </DropdownMenu.Item>
            <DropdownMenu.Separator className="menu-separator" />
            <DropdownMenu.Item className="menu-item" onSelect={act('edit')}>
              <Pencil aria-hidden size={15} /> Edit
            </DropdownMenu.Item>
            <DropdownMenu.Item className="menu-item danger" onSelect={act('remove')}>
              <Trash2 aria-hidden size={15} /> Remove
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
    </div>
  )
})

/**
 * The state chip and the countdown: the only part of a row that follows the shared clock, so a
 * tick re-renders these two spans and not the row's buttons and menus.
 */
function RowStatus(props: { account: AccountView; token: TokenView | null; stateId: string }) {
  const { account, token } = props
  const countdown = useCountdown(token ? token.expiresAt : null)
  let state: AccountState
  if (account.tokens.some((t) => t.state === 'uncertain')) state = 'uncertain'
  else if (!token) state = account.tokens[0]?.state === 'expired' ? 'expired' : 'none'
  else if (countdown.status === 'expired') state = 'expired'
  else if (countdown.status === 'expiring') state = 'expiring'
  else state = 'active'
  const danger = token !== null && (state === 'expiring' || state === 'expired')
  return (
    <>
      <span id={props.stateId} className={`chip chip-${state}`} data-testid="state">
        {STATE_WORDS[state]}
      </span>
      <span
        className={`countdown ${danger ? 'danger' : ''} ${token ? '' : 'muted'}`}
        data-testid="countdown"
        aria-label={token ? `Expires: ${countdown.text}` : 'No live token'}
      >
        {token ? countdown.text : '—'}
      </span>
    </>
  )
}
