// The desktop app as the agent: serves the agent endpoint of the user's vault while the app
// runs, answering through the core actions while the vault is unlocked (VAULT_LOCKED while it is
// locked or the demo is open), with the window's approval for each new terminal session. Plain
// Node: the composition root and the e2e harness build it the same way.
import type { Clock } from '../shared/clock'
import type { Result } from '../shared/result'
import { AgentApprovals } from './agent/approvals'
import type { LoginPromptView } from '../shared/login-prompt'
import { startAgent, type RunningAgent } from './agent/host'
import type { AppSession } from './app-core'

export interface AppAgentDeps {
  core: AppSession
  endpoint: string
  vaultDir: string
  clock: Clock
  /** The window should look again (a prompt waits, or the approved sessions changed). */
  notify: () => void
  log: (line: string) => void
  /**
   * Whether the app opened a login prompt's page in the browser itself (so a client of the agent
   * does not open it again); absent: the app opens none, and clients open it where they can.
   */
  opensBrowser?: (p: LoginPromptView) => boolean
}

/** Owns the app's agent server and its approvals. */
export class AppAgent {
  readonly approvals: AgentApprovals
  private running: RunningAgent | null = null
  private readonly unbind: () => void

  constructor(private readonly deps: AppAgentDeps) {
    this.approvals = new AgentApprovals({
      now: () => deps.clock.now(),
      dontAsk: () => {
        const s = this.actions()?.settings.get()
        return s?.ok === true && s.value.agentApproval === 'dont-ask'
      },
      notify: deps.notify,
    })
    // Locking (or opening the demo) ends every approval and refuses what waits.
    this.unbind = deps.core.onChange(() => {
      if (!this.actions()) this.approvals.clear()
    })
  }

  /** The actions of the user's vault while it is unlocked; null otherwise. */
  private actions() {
    return this.deps.core.userActions()
  }

  async start(): Promise<Result<void>> {
    const r = await startAgent({
      endpoint: this.deps.endpoint,
      vaultDir: this.deps.vaultDir,
      kind: 'app',
      actions: () => this.actions(),
      log: (e) => {
        this.actions()?.events.log(e)
      },
      now: () => this.deps.clock.now(),
      idleTimeoutMinutes: 0,
      approvals: this.approvals,
      ...(this.deps.opensBrowser ? { opensBrowser: this.deps.opensBrowser } : {}),
    })
    if (!r.ok) {
      this.deps.log(`agent: not started (${r.code})`)
      return r
    }
    this.running = r.value
    this.deps.log('agent: serving')
    return { ok: true, value: undefined }
  }

  async close(): Promise<void> {
    this.unbind()
    this.approvals.clear()
    await this.running?.close()
    this.running = null
  }
}
