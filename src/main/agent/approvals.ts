// Consent for the app's agent: the first request from a terminal session asks the person at the
// window (naming the client and what it wants); an approval lasts for that session with an idle
// limit and a maximum lifetime, can be revoked, and can be switched off ("don't ask"). It has a
// scope: reading tokens, or changing the vault too. A read approval does not let a change
// through: the change asks again, saying so. Plain logic over an injected clock and a `notify`
// port; the window is only one way to answer.
import { randomUUID } from 'node:crypto'
import { fail, ok, type Result } from '../../shared/result'
import type { AgentClient } from './protocol'

export const APPROVAL_IDLE_MS = 10 * 60_000
export const APPROVAL_MAX_MS = 12 * 60 * 60_000
/** How long a prompt waits for an answer before it counts as a refusal. */
export const PROMPT_TIMEOUT_MS = 60_000

/**
 * What an approval lets through: `read` (headers, tokens, status, the log: what the vault holds,
 * as it is) or `change` (adding, removing, revoking, policies: what changes it, reads included).
 */
export type ApprovalScope = 'read' | 'change'

const covers = (have: ApprovalScope, want: ApprovalScope) => have === 'change' || want === 'read'

/** One question for the person: who asks, for what, and whether it changes the vault. */
export interface ApprovalPrompt {
  id: string
  client: string
  what: string
  scope: ApprovalScope
  at: number
}

export interface ApprovedSession {
  id: string
  client: string
  /** The terminal and session id the approval is bound to. */
  terminal: string
  scope: ApprovalScope
  approvedAt: number
  lastUsedAt: number
  /** When it lapses: idle limit from the last use, capped by the maximum lifetime. */
  expiresAt: number
}

interface Session extends ApprovedSession {
  key: string
}

export interface ApprovalDeps {
  now: () => number
  /** true while approvals are switched off ("don't ask"). */
  dontAsk: () => boolean
  /** Something changed: a prompt is waiting or was answered, a session was approved or revoked. */
  notify: () => void
  idleMs?: number
  maxMs?: number
  promptTimeoutMs?: number
}

/** The terminal session a client belongs to: its session id and terminal, else its process. */
export function sessionKey(c: AgentClient): string {
  return c.session || c.tty ? `session:${c.session}|tty:${c.tty}` : `pid:${c.pid}`
}

/** Owns the approved sessions and the prompts waiting for an answer. */
export class AgentApprovals {
  private readonly sessions = new Map<string, Session>()
  private readonly waiting = new Map<
    string,
    { prompt: ApprovalPrompt; key: string; answer: Promise<boolean>; resolve: (v: boolean) => void }
  >()

  constructor(private readonly deps: ApprovalDeps) {}

  private get idleMs(): number {
    return this.deps.idleMs ?? APPROVAL_IDLE_MS
  }
  private get maxMs(): number {
    return this.deps.maxMs ?? APPROVAL_MAX_MS
  }

  private live(s: Session, now: number): boolean {
    return now - s.lastUsedAt < this.idleMs && now - s.approvedAt < this.maxMs
  }

  private expiry(s: Session): number {
    return Math.min(s.lastUsedAt + this.idleMs, s.approvedAt + this.maxMs)
  }

  /**
   * Lets the request through when its session is approved for `scope` (and marks it used), else
   * asks once per session and scope (concurrent requests share the prompt) and waits for the
   * answer. A session approved for reading is asked again for a change.
   */
  async check(
    client: AgentClient,
    clientWords: string,
    what: string,
    scope: ApprovalScope,
  ): Promise<Result<void>> {
    if (this.deps.dontAsk()) return ok(undefined)
    const now = this.deps.now()
    const key = sessionKey(client)
    const s = this.sessions.get(key)
    if (s && this.live(s, now) && covers(s.scope, scope)) {
      s.lastUsedAt = now
      s.expiresAt = this.expiry(s)
      return ok(undefined)
    }
    if (s && !this.live(s, now)) this.sessions.delete(key)
    let pending = [...this.waiting.values()].find(
      (w) => w.key === key && covers(w.prompt.scope, scope),
    )
    if (!pending) {
      let resolve: (v: boolean) => void = () => {}
      const answer = new Promise<boolean>((r) => (resolve = r))
      const prompt = { id: randomUUID(), client: clientWords, what, scope, at: now }
      pending = { prompt, key, answer, resolve }
      this.waiting.set(prompt.id, pending)
      const id = prompt.id
      const timer = setTimeout(
        () => this.decide(id, false),
        this.deps.promptTimeoutMs ?? PROMPT_TIMEOUT_MS,
      )
      timer.unref()
      void answer.then(() => clearTimeout(timer))
      this.deps.notify()
    }
    const allowed = await pending.answer
    if (!allowed) {
      return fail(
        'AGENT_DENIED',
        scope === 'change'
          ? 'TokenDeck did not allow this change to the vault (refused in the window, or nobody answered in time).'
          : 'TokenDeck did not allow this request (refused in the window, or nobody answered in time).',
      )
    }
    return ok(undefined)
  }

  /**
   * The person's answer to a prompt; approving records the session with the prompt's scope (a
   * change approval also answers the session's waiting read prompts). False if no such prompt.
   */
  decide(promptId: string, allow: boolean): boolean {
    const w = this.waiting.get(promptId)
    if (!w) return false
    this.waiting.delete(promptId)
    if (allow) {
      const now = this.deps.now()
      const s: Session = {
        id: randomUUID(),
        key: w.key,
        client: w.prompt.client,
        terminal: w.key,
        scope: w.prompt.scope,
        approvedAt: now,
        lastUsedAt: now,
        expiresAt: 0,
      }
      s.expiresAt = this.expiry(s)
      this.sessions.set(w.key, s)
      for (const [id, other] of this.waiting) {
        if (other.key !== w.key || !covers(s.scope, other.prompt.scope)) continue
        this.waiting.delete(id)
        other.resolve(true)
      }
    }
    w.resolve(allow)
    this.deps.notify()
    return true
  }

  /** Prompts waiting for an answer, oldest first. */
  pending(): ApprovalPrompt[] {
    return [...this.waiting.values()].map((w) => w.prompt)
  }

  /** Approved sessions still live, most recently used first (lapsed ones are dropped). */
  approved(): ApprovedSession[] {
    const now = this.deps.now()
    for (const [k, s] of this.sessions) if (!this.live(s, now)) this.sessions.delete(k)
    return [...this.sessions.values()]
      .sort((a, b) => b.lastUsedAt - a.lastUsedAt)
      .map(({ key: _key, ...view }) => view)
  }

  revoke(sessionId: string): boolean {
    for (const [k, s] of this.sessions) {
      if (s.id !== sessionId) continue
      this.sessions.delete(k)
      this.deps.notify()
      return true
    }
    return false
  }

  /** Refuses every waiting prompt and forgets every approval (the vault locked, the app quits). */
  clear(): void {
    for (const id of [...this.waiting.keys()]) this.decide(id, false)
    if (this.sessions.size > 0) {
      this.sessions.clear()
      this.deps.notify()
    }
  }
}
