// The app's mark and name: full size on the unlock card, compact in the sidebar.
import { Layers } from 'lucide-react'
import { cx } from '../styles/cx'
import styles from './Logo.module.css'

export function Logo({ compact = false }: { compact?: boolean }) {
  return (
    <div className={cx(styles.logo, compact && styles.compact)}>
      <span className={styles.mark} aria-hidden>
        <Layers size={compact ? 16 : 20} />
      </span>
      <span>TokenDeck</span>
    </div>
  )
}
