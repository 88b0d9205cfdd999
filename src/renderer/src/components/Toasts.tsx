import { Toast } from 'radix-ui'
import { CircleAlert, CircleCheck, X } from 'lucide-react'
import { dismissToast, useToasts } from '../lib/toast-store'

/** Short confirmations (copied, revoked) and errors in words, bottom right. */
export function Toasts() {
  const items = useToasts()
  return (
    <Toast.Provider swipeDirection="right" label="Notifications">
      {items.map((t) => (
        <Toast.Root
          key={t.id}
          className={`toast toast-${t.tone}`}
          duration={t.tone === 'error' ? 12_000 : 5_000}
          onOpenChange={(open) => {
            if (!open) dismissToast(t.id)
          }}
          data-testid="toast"
        >
          {t.tone === 'error' ? (
            <CircleAlert className="toast-icon" aria-hidden />
          ) : (
            <CircleCheck className="toast-icon" aria-hidden />
          )}
          <div className="toast-text">
            <Toast.Title className="toast-title">{t.title}</Toast.Title>
            {t.detail ? (
              <Toast.Description className="toast-detail">{t.detail}</Toast.Description>
            ) : null}
          </div>
          <Toast.Close className="icon-button" aria-label="Dismiss">
            <X aria-hidden size={16} />
          </Toast.Close>
        </Toast.Root>
      ))}
      <Toast.Viewport className="toast-viewport" />
    </Toast.Provider>
  )
}
