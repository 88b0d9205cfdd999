// Logins that wait for a person in a browser (OAuth device code, authorization code): what each
// surface shows (the code, the page), and the person's cancel. The engine shows the steps
// (providers/login-prompts.ts); the window, the tray, the CLI and the agent read them here.
import type { LoginPromptEvent, LoginPromptView } from '../../shared/login-prompt'
import { fail, ok, type Result } from '../../shared/result'
import type { ActionDeps } from './context'

export function loginActions(deps: ActionDeps) {
  const hub = () => deps.services().prompts

  return {
    /** The browser steps shown now. */
    prompts(): LoginPromptView[] {
      return hub().list()
    },

    /** One prompt shown now, by id (the window opens its page in the browser). */
    prompt(id: string): Result<LoginPromptView> {
      const p = hub().get(id)
      return p ? ok(p) : fail('NOT_FOUND', 'That sign-in is over.')
    },

    /** Every prompt shown now, then each change; returns the unsubscribe. */
    subscribe(fn: (e: LoginPromptEvent) => void): () => void {
      return hub().subscribe(fn)
    },

    /** Ends a login that waits for a person: it fails with CANCELLED and no token is asked for. */
    cancel(id: string): Result<null> {
      return hub().cancel(id) ? ok(null) : fail('NOT_FOUND', 'That sign-in is over.')
    },
  }
}

export type LoginActions = ReturnType<typeof loginActions>
