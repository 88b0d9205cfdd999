// Toasts: short confirmations and errors in words, bottom right.
import { Toast } from 'radix-ui'
import { CircleAlert, CircleCheck, X } from 'lucide-react'
import { localTimes } from '../lib/format'
import { dismissToast, useToasts } from '../lib/toast-store'
import button from '../styles/button.module.css'
import { cx } from '../styles/cx'
import styles from './Toasts.module.css'

/** Short confirmations (copied, revoked) and errors in words, bottom right. */
export function Toasts() {
  const items = useToasts()
  return (
    <Toast.Provider swipeDirection="right" label="Notifications">
      {items.map((t) => (
        <Toast.Root
          key={t.id}
          className={cx(styles.toast, t.tone === 'error' && styles.error)}
          duration={t.tone === 'error' ? 12_000 : 5_000}
          onOpenChange={(open) => {
            if (!open) dismissToast(t.id)
          }}
          data-testid="toast"
        >
          {t.tone === 'error' ? (
            <CircleAlert className={styles.icon} aria-hidden />
          ) : (
            <CircleCheck className={styles.icon} aria-hidden />
          )}
          <div className={styles.text}>
            <Toast.Title className={styles.title}>{t.title}</Toast.Title>
            {t.detail ? (
              <Toast.Description className={styles.detail}>
                {localTimes(t.detail)}
              </Toast.Description>
            ) : null}
          </div>
          <Toast.Close className={button.icon} aria-label="Dismiss">
            <X aria-hidden size={16} />
          </Toast.Close>
        </Toast.Root>
      ))}
      <Toast.Viewport className={styles.viewport} />
    </Toast.Provider>
  )
}
