// The CLI's side of a login that waits for a person: each prompt printed to stderr (never stdout,
// which stays the command's data, --json included), the browser opened where one is
// (login-prompt-words.ts decides), and Ctrl-C while a login waits cancelling it through the core
// rather than leaving its listener and its polling behind. For the vault opened here
// (followLoginPrompts) and for the prompts an agent relays (showLoginPrompt).
import { spawn } from 'node:child_process'
import type { LoginPromptEvent, LoginPromptView } from '../../shared/login-prompt'
import { browserOpener, isOpenableUrl, loginPromptLine } from './login-prompt-words'
import { note } from './out'

/** Prompts already opened in the browser by this process (a prompt is opened once). */
const opened = new Set<string>()

/** Opens `url` in the person's browser, when there is one; never through a shell. */
function openBrowser(url: string, env: NodeJS.ProcessEnv): boolean {
  const opener = browserOpener({
    platform: process.platform,
    env,
    stderrIsTerminal: process.stderr.isTTY === true,
  })
  if (!opener || !isOpenableUrl(url)) return false
  try {
    const child = spawn(opener.command, [...opener.args, url], {
      stdio: 'ignore',
      detached: true,
      shell: false,
      windowsHide: true,
    })
    child.on('error', () => {}) // no xdg-open: the URL is printed, that is enough
    child.unref()
    return true
  } catch {
    return false
  }
}

/**
 * Prints a prompt (stderr) and opens its page in the browser unless `openedElsewhere` (the app's
 * agent opened it already) or there is no browser here.
 */
export function showLoginPrompt(
  p: LoginPromptView,
  o: { env: NodeJS.ProcessEnv; openedElsewhere?: boolean; now?: number },
): void {
  // A progress line being counted on the terminal (progress.ts) is cleared first.
  if (process.stderr.isTTY === true) process.stderr.write('\r\x1b[K')
  note(loginPromptLine(p, o.now ?? Date.now()))
  const key = `${p.id}\n${p.url}`
  if (opened.has(key)) return
  if (o.openedElsewhere) {
    opened.add(key)
    note('TokenDeck opened this page in your browser.')
    return
  }
  if (openBrowser(p.url, o.env)) {
    opened.add(key)
    note('Opened in your browser.')
  }
}

/** The core's prompts, as the CLI's vault opened here has them (actions.logins). */
export interface LoginPromptSource {
  subscribe(fn: (e: LoginPromptEvent) => void): () => void
  cancel(id: string): { ok: boolean }
}

/**
 * Shows every prompt of the vault opened in this process while it runs; while one waits, Ctrl-C
 * cancels it (the login ends with CANCELLED, its loopback listener closed, nothing more sent).
 * Returns the unsubscribe.
 */
export function followLoginPrompts(logins: LoginPromptSource, env: NodeJS.ProcessEnv): () => void {
  const waiting = new Set<string>()
  const onInterrupt = () => {
    note('Cancelling the login…')
    for (const id of [...waiting]) {
      const r = logins.cancel(id)
      if (!r.ok) waiting.delete(id)
    }
  }
  const guard = () => {
    const on = process.listeners('SIGINT').includes(onInterrupt)
    if (waiting.size > 0 && !on) process.on('SIGINT', onInterrupt)
    if (waiting.size === 0 && on) process.off('SIGINT', onInterrupt)
  }
  const unsubscribe = logins.subscribe((e) => {
    if (e.type === 'shown') {
      waiting.add(e.prompt.id)
      showLoginPrompt(e.prompt, { env })
    } else {
      waiting.delete(e.id)
    }
    guard()
  })
  return () => {
    unsubscribe()
    waiting.clear()
    guard()
  }
}
