// Electron's Notification behind NotificationPort; silently does nothing where the desktop has no
// notification service.
import { Notification } from 'electron'
import type { NotificationPort } from '../notifications'

export function electronNotifications(log: (line: string) => void = () => {}): NotificationPort {
  return {
    show({ title, body }) {
      if (!Notification.isSupported()) {
        log('notify: notifications are not supported here')
        return
      }
      new Notification({ title, body, silent: true }).show()
    },
  }
}
