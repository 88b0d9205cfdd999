// The app's side of logins that wait for a person in a browser: tells the window every prompt
// shown now (on each change), opens a browser sign-in's page once by itself when it is shown
// (the app is the person's desktop), and opens or copies a prompt's page or code when the window
// asks by id. The window never names a URL: main opens the prompt's own, and only https or http
// to this machine. Plain Node: index.main.ts gives it shell.openExternal and the clipboard guard.
import type { Clock } from '../shared/clock'
import type { LoginPromptEvent, LoginPromptView } from '../shared/login-prompt'
import { fail, ok, type Result } from '../shared/result'
import type { HeaderCopier } from './actions'
import type { LoginActions } from './actions/logins'
import { isLoginPageUrl } from './security/external-url'

export interface LoginPagesDeps {
  logins: Pick<LoginActions, 'prompt' | 'prompts' | 'subscribe'>
  /** Opens a URL in the person's browser (shell.openExternal in the app). */
  openExternal: (url: string) => Promise<void>
  /** Puts the user code on the clipboard (the clipboard guard: cleared when the code expires). */
  clipboard: HeaderCopier
  clock: Clock
  /** Sends the prompts shown now to the window (vault:login-prompts). */
  send: (prompts: LoginPromptView[]) => void
  log?: (line: string) => void
}

/** A copied code is cleared when it expires, and after this long at most. */
const CODE_CLEAR_MAX_S = 15 * 60

/** Owns what the app does with the login prompts beside the window's dialog. */
export class LoginPages {
  /** The page opened by itself for each browser prompt: once per prompt and page. */
  private readonly opened = new Map<string, string>()
  private off: (() => void) | null = null
  private readonly log: (line: string) => void

  constructor(private readonly deps: LoginPagesDeps) {
    this.log = deps.log ?? (() => {})
  }

  /** Follows the prompts (those shown now first). */
  start(): void {
    if (this.off) return
    this.off = this.deps.logins.subscribe((e) => this.changed(e))
  }

  dispose(): void {
    this.off?.()
    this.off = null
    this.opened.clear()
  }

  /** Opens that prompt's page in the browser (the window's "Open page" / "Open again"). */
  open(id: string): Result<null> {
    const p = this.deps.logins.prompt(id)
    return p.ok ? this.openPage(p.value.url) : p
  }

  /** Puts that prompt's user code on the clipboard until the code expires. */
  copyCode(id: string): Result<null> {
    const p = this.deps.logins.prompt(id)
    if (!p.ok) return p
    const code = p.value.userCode
    if (code === null) return fail('NOT_FOUND', 'This sign-in has no code to type.')
    const left = Math.ceil((p.value.expiresAt - this.deps.clock.now()) / 1000)
    this.deps.clipboard.copy(code, Math.min(CODE_CLEAR_MAX_S, Math.max(1, left)))
    return ok(null)
  }

  private changed(e: LoginPromptEvent): void {
    if (e.type === 'shown' && e.prompt.kind === 'browser') {
      if (this.opened.get(e.prompt.id) !== e.prompt.url) {
        this.opened.set(e.prompt.id, e.prompt.url)
        const r = this.openPage(e.prompt.url)
        this.log(r.ok ? 'login-pages: opened a sign-in page' : `login-pages: refused (${r.code})`)
      }
    }
    if (e.type === 'ended') this.opened.delete(e.id)
    this.deps.send(this.deps.logins.prompts())
  }

  private openPage(url: string): Result<null> {
    if (!isLoginPageUrl(url)) {
      return fail(
        'URL_REFUSED',
        'TokenDeck opens only https pages, or http pages on this computer, for a sign-in.',
      )
    }
    this.deps.openExternal(url).catch(() => this.log('login-pages: the browser did not open'))
    return ok(null)
  }
}
