// What the desktop notifications say. Plain functions of Results: a copy notice names the account
// and when the clipboard clears, a failure gives the Result's message (an eviction to confirm
// points to the window); renewal warnings name the account and when its token expires; a login
// waiting in the browser says where to sign in (and the code to type). Never a token.
import type { CopyResult } from '../shared/ipc/schemas'
import type { LoginPromptView } from '../shared/login-prompt'
import type { Result } from '../shared/result'

export interface Notice {
  title: string
  body: string
  /** What clicking the notification does (bring the window up). */
  onClick?: () => void
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

/** The host a person sees in a prompt's page ("example.com", "127.0.0.1:8080"). */
function pageHost(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'the sign-in page'
  }
}

/**
 * A login waits for the person: "Sign in to <provider> as <label>", then the code to enter and
 * where (device flow) or "Continue in your browser" (the page was opened). The user code is no
 * secret: it is worthless without the person's approval in the browser, and it expires.
 */
export function loginPromptNotice(p: LoginPromptView, onClick?: () => void): Notice {
  const title = `Sign in to ${p.provider} as ${p.label}`
  const body =
    p.kind === 'device' && p.userCode !== null
      ? `Enter code ${p.userCode} at ${pageHost(p.url)}.`
      : 'Continue in your browser.'
  return { title, body, ...(onClick ? { onClick } : {}) }
}
