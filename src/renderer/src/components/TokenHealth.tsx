// The token's health in the details drawer: "Check now" (tokens.check: the provider's probe; a
// 401/403 marks the token rejected) with what it found, offered only when the account's provider
// profile declares a probe, and the login cooldown while logins to the account's server are refused
// locally (a 429's Retry-After or the profile's login rate limit).
import { useState } from 'react'
import { ShieldCheck } from 'lucide-react'
import { CHECK_OUTCOME_WORDS, type CheckReport } from '../../../shared/health'
import type { AccountView } from '../../../shared/views'
import { api } from '../api'
import { asyncHandler } from '../lib/async-handler'
import { formatDateTime } from '../lib/format'
import { useCountdown } from '../lib/tick-store'
import { toast, toastFailure } from '../lib/toast-store'
import button from '../styles/button.module.css'
import chips from '../styles/chip.module.css'
import { cx } from '../styles/cx'
import styles from './TokenHealth.module.css'

const CHIP: Record<CheckReport['outcome'], string | undefined> = {
  good: chips.active,
  refused: chips.rejected,
  inconclusive: chips.uncertain,
  'no-token': undefined,
  unsupported: undefined,
}

/** A report's message without the "label: " it starts with (the drawer names the account). */
function detail(r: CheckReport): string {
  const prefix = `${r.label}: `
  return r.message.startsWith(prefix) ? r.message.slice(prefix.length) : r.message
}

/** The cooldown line: until when logins are refused here, with a live countdown. */
export function LoginCooldown(props: { until: number | null | undefined; hasToken: boolean }) {
  const { until } = props
  const countdown = useCountdown(until ?? null)
  if (until == null || countdown.status === 'expired' || countdown.status === 'no-expiry')
    return null
  return (
    <p className={styles.cooldown} data-testid="login-cooldown" role="status">
      <span className={cx(chips.chip, chips.cooldown)}>cooldown</span> Logins are paused until{' '}
      {formatDateTime(until)} (next login in {countdown.text}): its server asked TokenDeck to slow
      down, or the provider&apos;s login rate limit is used up.{' '}
      {props.hasToken
        ? 'The current token is still handed out.'
        : 'Until then, getting a header is refused here without asking the server.'}
    </p>
  )
}

export function TokenHealth(props: {
  account: AccountView
  hasToken: boolean
  /** The account's provider profile declares a probe (ProviderView.probe). */
  canProbe: boolean
}) {
  const { account, hasToken } = props
  const [report, setReport] = useState<CheckReport | null>(null)
  const [busy, setBusy] = useState(false)
  const check = asyncHandler('token-health: check', async () => {
    setBusy(true)
    try {
      const r = await api().tokens.check(account.id)
      if (!r.ok) {
        toastFailure(r)
        return
      }
      setReport(r.value)
      const tone = r.value.outcome === 'good' ? 'ok' : 'error'
      toast(tone, `${account.label}: ${CHECK_OUTCOME_WORDS[r.value.outcome]}`, detail(r.value), {
        key: `check:${account.id}`,
      })
    } finally {
      setBusy(false)
    }
  })
  return (
    <div className={styles.health}>
      <LoginCooldown until={account.loginCooldownUntil} hasToken={hasToken} />
      {props.canProbe ? (
        <div className={styles.row}>
          <button
            type="button"
            className={cx(button.button, button.small)}
            onClick={check}
            disabled={busy || !hasToken}
            data-testid="check-now"
            title="Ask the provider whether it still accepts this token (nothing is minted)"
          >
            <ShieldCheck aria-hidden size={14} /> {busy ? 'Checking…' : 'Check now'}
          </button>
          {report ? (
            <span className={styles.result} data-testid="check-result">
              <span className={cx(chips.chip, CHIP[report.outcome])}>
                {CHECK_OUTCOME_WORDS[report.outcome]}
              </span>{' '}
              <span className="muted small">{detail(report)}</span>
            </span>
          ) : null}
        </div>
      ) : null}
    </div>
  )
}
