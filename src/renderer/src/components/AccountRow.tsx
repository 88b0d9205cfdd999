// One account in the list: who it is, its token's state and countdown, and its actions.
import { memo, useMemo, type ComponentProps } from 'react'
import { Copy, Ellipsis } from 'lucide-react'
import type { AccountView, TokenView } from '../../../shared/views'
import { liveToken, rowStatus, type RowStatus as Status } from '../lib/account-state'
import { useSigningIn } from '../lib/login-prompt-store'
import { standIn, useOnDemand } from '../lib/on-demand'
import { useClockText, useCountdown } from '../lib/tick-store'
import { overlays } from './chunks'
import { ProviderBadge } from './ProviderBadge'
import type { RowMenu } from './RowMenu'
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
      <RowMenuOnDemand account={account} live={token !== null} onAction={onAction} />
    </div>
  )
})

/**
 * The ⋯ menu: Radix's, from the overlays chunk; until that is there (the first moments after
 * start), a stand-in trigger that looks and reads the same, and opens the menu once it is there.
 */
function RowMenuOnDemand(props: Omit<ComponentProps<typeof RowMenu>, 'handOverKey'>) {
  const chunk = useOnDemand(overlays)
  const key = `menu:${props.account.id}`
  if (chunk) return <chunk.RowMenu {...props} handOverKey={key} />
  return (
    <button
      {...standIn(overlays, key, 'press', 'menu')}
      className={button.icon}
      aria-label={`More actions for ${props.account.label}`}
    >
      <Ellipsis aria-hidden size={18} />
    </button>
  )
}

/**
 * The state chip, its notes ("1 uncertain", "needs secret") and the countdown: the only part of a
 * row that follows the shared clock, so a tick re-renders these spans and not the row's buttons.
 */
function RowStatus(props: { account: AccountView; token: TokenView | null; stateId: string }) {
  const { account, token } = props
  const countdown = useCountdown(token ? token.expiresAt : null)
  const key = useClockText((now) => JSON.stringify(rowStatus(account, now)))
  const status = useMemo(() => JSON.parse(key) as Status, [key])
  // A login waiting for the person in the browser: its pending token is not "uncertain" to them.
  const signingIn = useSigningIn(account.id)
  const { state, chip, note } = signingIn
    ? { ...status, chip: 'signing in', note: 'waiting for you in the browser' }
    : status
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
