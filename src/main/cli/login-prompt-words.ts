// What the CLI says and does for a login that waits for a person (OAuth device code, browser
// sign-in): the line it prints to stderr, and whether and how it may open the browser. Pure: no
// process, no I/O; login-prompt-shown.ts does the printing and the opening.
import type { LoginPromptView } from '../../shared/login-prompt'
import { checkUrl } from '../../shared/url-policy'

/** "15 min", "45 s", "expired": how long the server still takes the code or the sign-in. */
export function expiresInWords(ms: number): string {
  if (ms <= 0) return 'expired'
  if (ms < 60_000) return `${Math.max(1, Math.ceil(ms / 1000))} s`
  return `${Math.ceil(ms / 60_000)} min`
}

/** The line a person reads: the code and the page (device), or the page to sign in at. */
export function loginPromptLine(p: LoginPromptView, now: number): string {
  const left = p.expiresAt - now
  const expires = left > 0 ? `expires in ${expiresInWords(left)}` : 'expired'
  if (p.kind === 'device') {
    const code = p.userCode ?? ''
    return `To log in to ${p.provider} as ${p.label}, open ${p.url} and enter the code ${code} (${expires}).`
  }
  return `To log in to ${p.provider} as ${p.label}, continue in your browser: ${p.url} (${expires}).`
}

/** The program that opens a URL in the person's browser, and its arguments before the URL. */
export interface BrowserOpener {
  command: string
  args: readonly string[]
}

export interface BrowserContext {
  platform: NodeJS.Platform | string
  env: Readonly<Record<string, string | undefined>>
  /** Whether stderr (where the prompt goes) is a terminal: a person reads it. */
  stderrIsTerminal: boolean
}

/**
 * Only a web page is opened: https, or http to this machine; no credentials, whitespace or control
 * characters (the URL goes to another program as one argument and must read as one URL there).
 */
export function isOpenableUrl(url: string): boolean {
  if (url.length > 4096 || !/^https?:\/\//i.test(url)) return false
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f-\u009f"'`<>^|\\]/.test(url)) return false
  // The network policy of every request: https, or plain http to this machine; no credentials.
  return checkUrl(url).ok
}

/**
 * Whether to open the browser here, and with what: only with a person at a terminal (stderr is
 * one) and a display (DISPLAY or WAYLAND_DISPLAY on Linux and the BSDs; always on macOS and
 * Windows); never in CI or with TOKENDECK_NO_BROWSER set. null: print the URL only.
 * Windows: rundll32's URL handler takes the URL as one argument; `start` is a cmd.exe built-in,
 * and cmd would read `&` in a URL as its own.
 */
export function browserOpener(c: BrowserContext): BrowserOpener | null {
  const set = (name: string) => c.env[name] !== undefined
  const display = (name: string) => (c.env[name] ?? '') !== ''
  if (!c.stderrIsTerminal || set('CI') || set('TOKENDECK_NO_BROWSER')) return null
  if (c.platform === 'darwin') return { command: 'open', args: [] }
  if (c.platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler'] }
  if (!display('DISPLAY') && !display('WAYLAND_DISPLAY')) return null
  return { command: 'xdg-open', args: [] }
}
