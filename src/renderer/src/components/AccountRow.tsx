// One account in the list: who it is, its token's state and countdown, and its actions.
import { memo, useMemo } from 'react'
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
import { liveToken, rowStatus, type RowStatus as Status } from '../lib/account-state'
import { useClockText, useCountdown } from '../lib/tick-store'
import { ProviderBadge } from './ProviderBadge'
import button from '../styles/button.module.css'
import chips from '../styles/chip.module.css'
import { cx } from '../styles/cx'
import styles from './AccountRow.module.css'

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
      className={cx(styles.row, first && styles.first, selected && styles.selected)}
      role="listitem"
      aria-current={selected || undefined}
      data-account={account.label}
    >
      <button
        type="button"
        className={styles.main}
        onClick={act('details')}
        onFocus={act('select')}
        aria-describedby={stateId}
      >
        <ProviderBadge id={account.providerId} name={account.providerName} />
        <span className={styles.names}>
          <span className={styles.label}>{account.label}</span>
          <span className={styles.user}>{account.username || account.providerName}</span>
        </span>
        <span className="sr-only">, show token details</span>
      </button>
      <RowStatus account={account} token={token} stateId={stateId} />
      <button
        type="button"
        className={cx(button.button, button.primary, button.small)}
        onClick={act('copy')}
      >
        <Copy aria-hidden size={15} /> Copy header
      </button>
      <DropdownMenu.Root>
        <Tooltip.Root>
          <Tooltip.Trigger asChild>
            <DropdownMenu.Trigger
              className={button.icon}
              aria-label={`More actions for ${account.label}`}
            >
              <Ellipsis aria-hidden size={18} />
            </DropdownMenu.Trigger>
          </Tooltip.Trigger>
          <Tooltip.Portal>
            <Tooltip.Content className={styles.tooltip} sideOffset={4}>
              More actions
            </Tooltip.Content>
          </Tooltip.Portal>
        </Tooltip.Root>
        <DropdownMenu.Portal>
          <DropdownMenu.Content className={styles.menu} align="end" sideOffset={4}>
            <DropdownMenu.Item className={styles.menuItem} onSelect={act('details')}>
              <PanelRightOpen aria-hidden size={15} /> Token details
            </DropdownMenu.Item>
            <DropdownMenu.Item className={styles.menuItem} onSelect={act('login')}>
              <LogIn aria-hidden size={15} /> Log in again
            </DropdownMenu.Item>
            <DropdownMenu.Item
              className={styles.menuItem}
              onSelect={act('revoke')}
              disabled={!token}
            >
              <ShieldOff aria-hidden size={15} /> Revoke token
            </DropdownMenu.Item>
            <DropdownMenu.Item
              className={styles.menuItem}
              onSelect={act('revoke-all')}
              disabled={!token}
            >
              <ShieldX aria-hidden size={15} /> Revoke all tokens
            </DropdownMenu.Item>
            <DropdownMenu.Separator className={styles.separator} />
            <DropdownMenu.Item className={styles.menuItem} onSelect={act('edit')}>
              <Pencil aria-hidden size={15} /> Edit
            </DropdownMenu.Item>
            <DropdownMenu.Item
              className={cx(styles.menuItem, styles.danger)}
              onSelect={act('remove')}
            >
              <Trash2 aria-hidden size={15} /> Remove
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
    </div>
  )
})

/**
 * The state chip, its notes ("1 uncertain", "needs secret") and the countdown: the only part of a
 * row that follows the shared clock, so a tick re-renders these spans and not the row's buttons.
 */
function RowStatus(props: { account: AccountView; token: TokenView | null; stateId: string }) {
  const { account, token } = props
  const countdown = useCountdown(token ? token.expiresAt : null)
  const key = useClockText((now) => JSON.stringify(rowStatus(account, now)))
  const { state, chip, note } = useMemo(() => JSON.parse(key) as Status, [key])
  const danger = token !== null && (state === 'expiring' || state === 'expired')
  // The newest token holds a live refresh token: the next header refreshes, no login.
  const refreshable = account.tokens[0]?.refreshable === true
  return (
    <>
      {refreshable ? (
        <span className="muted small" data-testid="refreshable">
          refreshable
        </span>
      ) : null}
      {note ? (
        <span className="muted small" data-testid="state-note">
          {note}
        </span>
      ) : null}
      <span
        id={props.stateId}
        className={cx(chips.chip, chips[state], styles.stateChip)}
        data-testid="state"
      >
        {chip}
      </span>
      <span
        className={cx(styles.countdown, danger && styles.danger, !token && 'muted')}
        data-danger={danger || undefined}
        data-testid="countdown"
        aria-label={token ? `Expires: ${countdown.text}` : 'No live token'}
      >
        {token ? countdown.text : '—'}
      </span>
    </>
  )
}
