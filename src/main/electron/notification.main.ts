// Electron's Notification behind NotificationPort; silently does nothing where the desktop has no
// notification service. A notification with an action is kept referenced until it is clicked or
// closed, so it is not collected before its click arrives.
import { Notification } from 'electron'
import type { NotificationPort } from '../notifications'

export function electronNotifications(log: (line: string) => void = () => {}): NotificationPort {
  const live = new Set<Notification>()
  return {
    show({ title, body, onClick }) {
      if (!Notification.isSupported()) {
        log('notify: notifications are not supported here')
        return
      }
      const n = new Notification({ title, body, silent: true })
      if (onClick) {
        live.add(n)
        n.on('click', () => {
          live.delete(n)
          onClick()
        })
        n.on('close', () => live.delete(n))
      }
      n.show()
    },
  }
}
