// Headers in the account list: a provider, and an organization with its token-cap meter (for an
// organization a shared ledger counts: the count across machines, how many are elsewhere, and the
// ledger's state with the holders).
import { memo } from 'react'
import { Building2 } from 'lucide-react'
import { elsewhereText } from '../../../shared/ledger-words'
import { capReached, capUsageText } from '../../../shared/state'
import type { OrganizationView } from '../../../shared/views'
import { hostOf, plural } from '../lib/format'
import { LedgerBadge } from './LedgerBadge'
import { ProviderBadge } from './ProviderBadge'
import button from '../styles/button.module.css'
import { cx } from '../styles/cx'
import styles from './GroupHeaders.module.css'

export const ProviderHeader = memo(function ProviderHeader(props: {
  providerId: string
  name: string
  count: number
}) {
  return (
    <div className={styles.providerRow} role="listitem">
      <ProviderBadge id={props.providerId} name={props.name} compact />
      <h2>{props.name}</h2>
      <span className="muted">{plural(props.count, 'account')}</span>
    </div>
  )
})

export type OrgAction = 'revoke-oldest' | 'revoke-org'

export const OrgHeader = memo(function OrgHeader(props: {
  org: OrganizationView
  count: number
  onAction: (action: OrgAction, org: OrganizationView) => void
}) {
  const { org } = props
  const cap = org.cap
  const ratio = cap ? cap.used / cap.max : 0
  const level = !cap ? '' : ratio >= 1 ? 'full' : ratio >= 0.8 ? 'warn' : ''
  const shared = org.shared
  const elsewhere = shared?.elsewhere ?? null
  const name = org.organizationId ?? 'this organization'
  return (
    <div className={styles.orgRow} role="listitem" data-org={org.organizationId ?? ''}>
      <Building2 aria-hidden size={16} className="muted" />
      <h3>{org.organizationId}</h3>
      <span className="muted small">{hostOf(org.baseUrl)}</span>
      {shared ? <LedgerBadge orgKey={org.key} org={name} shared={shared} cap={cap} /> : null}
      {cap ? (
        <span
          className={cx(
            styles.cap,
            level && styles[level],
            shared?.state === 'offline' && styles.stale,
          )}
          data-testid="cap"
          data-level={level || undefined}
        >
          <span
            className={styles.meter}
            role="meter"
            aria-label={`Tokens in use in ${name}`}
            aria-valuemin={0}
            aria-valuemax={cap.max}
            aria-valuenow={Math.min(cap.used, cap.max)}
            aria-valuetext={`${cap.used} of ${cap.max} tokens${elsewhere !== null ? `, ${elsewhereText(elsewhere)}` : ''}`}
          >
            <span className={styles.fill} style={{ width: `${Math.min(100, ratio * 100)}%` }} />
          </span>
          <span className={styles.capText}>{capUsageText(cap)}</span>
          {/* A space for the text (and screen readers); the flex gap spaces it on screen. */}
          {elsewhere !== null ? ' ' : null}
          {elsewhere !== null ? (
            <span className={styles.elsewhere} data-testid="elsewhere">
              · {elsewhereText(elsewhere)}
            </span>
          ) : null}
        </span>
      ) : null}
      {cap && capReached(cap) ? (
        <span className={styles.actions}>
          <button
            type="button"
            className={cx(button.button, button.small)}
            onClick={() => props.onAction('revoke-oldest', org)}
          >
            Revoke oldest
          </button>
          <button
            type="button"
            className={cx(button.button, button.small, button.danger)}
            onClick={() => props.onAction('revoke-org', org)}
          >
            Revoke all
          </button>
        </span>
      ) : null}
    </div>
  )
})
