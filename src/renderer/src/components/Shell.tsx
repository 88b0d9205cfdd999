// The unlocked window: a sidebar (screens, lock) and the current screen.
import { lazy, Suspense, useState } from 'react'
import { Activity, FlaskConical, KeySquare, Lock, Settings } from 'lucide-react'
import type { AppStatus } from '../../../shared/ipc/schemas'
import { api } from '../api'
import { setStatus } from '../lib/app-store'
import { toastFailure } from '../lib/toast-store'
import { AccountsScreen } from './AccountsScreen'
import { AgentApproval } from './AgentApproval'
import { Logo } from './Logo'
import { cx } from '../styles/cx'
import styles from './Shell.module.css'

// Loaded when first opened: the accounts list is what the window shows at start, and these two
// screens (the log table, every settings section) need not load before the list shows.
const ActivityScreen = lazy(() =>
  import('./ActivityScreen').then((m) => ({ default: m.ActivityScreen })),
)
const SettingsScreen = lazy(() =>
  import('./SettingsScreen').then((m) => ({ default: m.SettingsScreen })),
)

export type Screen = 'accounts' | 'activity' | 'settings'

const NAV: { id: Screen; label: string; icon: typeof Activity }[] = [
  { id: 'accounts', label: 'Accounts', icon: KeySquare },
  { id: 'activity', label: 'Activity', icon: Activity },
  { id: 'settings', label: 'Settings', icon: Settings },
]

export async function lockNow(): Promise<void> {
  const r = await api().vault.lock()
  if (r.ok) setStatus(r.value)
  else toastFailure(r)
}

export function Shell({ status }: { status: AppStatus }) {
  const [screen, setScreen] = useState<Screen>('accounts')
  return (
    <div className={styles.shell}>
      <nav className={styles.sidebar} aria-label="Screens">
        <Logo compact />
        <ul className={styles.nav}>
          {NAV.map(({ id, label, icon: Icon }) => (
            <li key={id}>
              <button
                type="button"
                className={cx(styles.navItem, screen === id && styles.active)}
                aria-current={screen === id ? 'page' : undefined}
                onClick={() => setScreen(id)}
              >
                <Icon aria-hidden size={17} /> {label}
              </button>
            </li>
          ))}
        </ul>
        <div className={styles.foot}>
          {status.demo ? (
            <p className={styles.demoBadge}>
              <FlaskConical aria-hidden size={14} /> Demo vault on local sandbox servers
            </p>
          ) : null}
          <button type="button" className={styles.navItem} onClick={() => void lockNow()}>
            <Lock aria-hidden size={17} /> Lock
          </button>
        </div>
      </nav>
      <div className={styles.content}>
        {screen === 'accounts' ? <AccountsScreen /> : null}
        <Suspense fallback={null}>
          {screen === 'activity' ? <ActivityScreen /> : null}
          {screen === 'settings' ? <SettingsScreen status={status} /> : null}
        </Suspense>
      </div>
      <AgentApproval />
    </div>
  )
}
