// A small colored mark per provider (its initials, letters only), the same color everywhere.
import { initials } from '../lib/initials'
import { cx } from '../styles/cx'
import styles from './ProviderBadge.module.css'

const BUILTIN: Record<string, number> = { tpstreams: 3, xpay: 2, classic: 1 }

function hue(id: string): number {
  if (id in BUILTIN) return BUILTIN[id]!
  let h = 0
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0
  return h % 6
}

export function ProviderBadge(props: { id: string; name: string; compact?: boolean }) {
  const { id, name } = props
  const mark = initials(name)
  return (
    <span
      className={cx(styles.badge, styles[`hue${hue(id)}`], props.compact && styles.compact)}
      title={name}
      aria-hidden
      data-testid="provider-badge"
    >
      {mark || '?'}
    </span>
  )
}
