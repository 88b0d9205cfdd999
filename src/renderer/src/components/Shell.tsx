// The unlocked window: a sidebar (screens, lock) and the current screen.
import { useState } from 'react'
import { Activity, FlaskConical, KeySquare, Lock, Settings } from 'lucide-react'
import type { AppStatus } from '../../../shared/ipc/schemas'
import { api } from '../api'
import { setStatus } from '../lib/app-store'
import { toastFailure } from '../lib/toast-store'
import { AccountsScreen } from './AccountsScreen'
import { AgentApproval } from './AgentApproval'
import { LoginPromptHost } from './LoginPromptHost'
import { ActivityScreen, SettingsScreen } from './chunks'
import { Logo } from './Logo'
import { cx } from '../styles/cx'
import styles from './Shell.module.css'

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
        {/* Activity and Settings load on first use (./chunks): the list need not wait for them. */}
        {screen === 'activity' ? <ActivityScreen /> : null}
        {screen === 'settings' ? <SettingsScreen status={status} /> : null}
      </div>
      <AgentApproval />
      <LoginPromptHost />
    </div>
  )
}
