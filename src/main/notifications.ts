// What the desktop notifications say. Plain functions of Results: a copy notice names the account
// and when the clipboard clears, a failure gives the Result's message. Never a token.
import type { CopyResult } from '../shared/ipc/schemas'
import type { Result } from '../shared/result'

export interface Notice {
  title: string
  body: string
}

/** Shows a desktop notification (Electron's Notification in the app, a recorder in tests). */
export interface NotificationPort {
  show(notice: Notice): void
}

export function copyNotice(label: string, result: Result<CopyResult>): Notice {
  if (result.ok) {
    const r = result.value
    return {
      title: 'TokenDeck',
      body: `Header for ${r.label} copied; clipboard clears in ${r.clearsInSeconds} s.`,
    }
  }
  return { title: `Could not copy the header for ${label}`, body: result.message }
}
