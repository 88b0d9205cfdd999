// The prompts of logins in progress that wait for a person (OAuth device code, browser sign-in):
// one hub per process. The engine shows a step; every surface subscribed (the window, the tray,
// the CLI, the agent's connections asking for that account) sees it, and any of them may cancel.
import { randomUUID } from 'node:crypto'
import type {
  LoginPromptEvent,
  LoginPromptOutcome,
  LoginPromptView,
} from '../../shared/login-prompt'

/** What the engine may do with a person during one login. */
export interface LoginInteraction {
  /** Shows the step the person has to take (a new one replaces the previous one). */
  show(step: Pick<LoginPromptView, 'kind' | 'url' | 'userCode' | 'expiresAt'>): void
  /** Aborted when the person cancels the login. */
  signal: AbortSignal
  /**
   * Whether anyone would see a step now (the window, a terminal, an agent's client of this
   * account): a login nobody can take part in is refused before anything is sent.
   */
  watched(): boolean
}

interface Active {
  view: LoginPromptView | null
  abort: AbortController
}

/** Owns the login prompts of this process and who listens to them. */
export class LoginPrompts {
  private readonly logins = new Map<string, Active>()
  private readonly listeners = new Set<(e: LoginPromptEvent) => void>()

  /** One login that may need a person: its interaction, and `end` once it is over. */
  begin(account: { accountId: string; label: string; provider: string }): {
    interaction: LoginInteraction
    end(outcome: LoginPromptOutcome): void
  } {
    const id = randomUUID()
    const active: Active = { view: null, abort: new AbortController() }
    this.logins.set(id, active)
    return {
      interaction: {
        signal: active.abort.signal,
        watched: () => this.listeners.size > 0,
        show: (step) => {
          if (!this.logins.has(id)) return
          active.view = { id, ...account, ...step }
          this.emit({ type: 'shown', prompt: active.view })
        },
      },
      end: (outcome) => {
        if (!this.logins.delete(id)) return
        const shown = active.view !== null
        const cancelled = active.abort.signal.aborted
        if (shown) {
          this.emit({
            type: 'ended',
            id,
            accountId: account.accountId,
            outcome: cancelled ? 'cancelled' : outcome,
          })
        }
      },
    }
  }

  /** The prompts shown now. */
  list(): LoginPromptView[] {
    return [...this.logins.values()].flatMap((a) => (a.view ? [a.view] : []))
  }

  get(id: string): LoginPromptView | undefined {
    return this.logins.get(id)?.view ?? undefined
  }

  /** Ends a login that waits for a person; false when there is none by that id. */
  cancel(id: string): boolean {
    const a = this.logins.get(id)
    if (!a) return false
    a.abort.abort()
    return true
  }

  /** Calls `fn` for every prompt shown now, then for each change; returns the unsubscribe. */
  subscribe(fn: (e: LoginPromptEvent) => void): () => void {
    for (const prompt of this.list()) fn({ type: 'shown', prompt })
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private emit(e: LoginPromptEvent): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(e)
      } catch {
        /* a surface's failure is its own; the login goes on */
      }
    }
  }
}
