// Headers in the account list: a provider, and an organization with its token-cap meter.
import { memo } from 'react'
import { Building2 } from 'lucide-react'
import type { OrganizationView } from '../../../shared/views'
import { hostOf, plural } from '../lib/format'
import { ProviderBadge } from './ProviderBadge'

export const ProviderHeader = memo(function ProviderHeader(props: {
  providerId: string
  name: string
  count: number
}) {
  return (
    <div className="row provider-row" role="listitem">
      <ProviderBadge id={props.providerId} name={props.name} />
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
  return (
    <div className="row org-row" role="listitem" data-org={org.organizationId ?? ''}>
      <Building2 aria-hidden size={16} className="muted" />
      <h3>{org.organizationId}</h3>
      <span className="muted small">{hostOf(org.baseUrl)}</span>
      {cap ? (
        <span className={`cap ${level}`} data-testid="cap">
          <span
            className="meter"
            role="meter"
            aria-label={`Tokens in use in ${org.organizationId ?? 'this organization'}`}
            aria-valuemin={0}
            aria-valuemax={cap.max}
            aria-valuenow={Math.min(cap.used, cap.max)}
            aria-valuetext={`${cap.used} of ${cap.max} tokens`}
          >
            <span className="meter-fill" style={{ width: `${Math.min(100, ratio * 100)}%` }} />
          </span>
          <span className="cap-text">
            {cap.used} / {cap.max} tokens
            {cap.uncertain ? ` (${cap.uncertain} uncertain)` : ''}
          </span>
        </span>
      ) : null}
      {cap && cap.used >= cap.max ? (
        <span className="org-actions">
          <button
            type="button"
            className="button small"
            onClick={() => props.onAction('revoke-oldest', org)}
          >
            Revoke oldest
          </button>
          <button
            type="button"
            className="button small danger"
            onClick={() => props.onAction('revoke-org', org)}
          >
            Revoke all
          </button>
        </span>
      ) : null}
    </div>
  )
})
