// What the desktop notifications say. Plain functions of Results: a copy notice names the account
// and when the clipboard clears, a failure gives the Result's message (an eviction to confirm
// points to the window); renewal warnings name the account and when its token expires. Never a token.
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
  if (result.code === 'EVICTION_NEEDS_CONFIRMATION') {
    // The tray has no dialog: nothing was sent, and the window asks before the server evicts.
    return {
      title: `Confirm in the TokenDeck window to copy ${label}`,
      body: `${result.message} The tray cannot confirm: open TokenDeck and copy from there.`,
    }
  }
  if (result.code === 'NO_SECRET') {
    // A code or a password is typed in the window, never in a notification: it opens for it.
    return {
      title: `${label} needs you to log in`,
      body: `${result.message} TokenDeck's window is open to ask for it.`,
    }
  }
  return { title: `Could not copy the header for ${label}`, body: result.message }
}
