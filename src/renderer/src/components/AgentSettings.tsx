// Settings for the app's agent: whether a new terminal session must be approved, and the
// sessions approved now, each with what it may do (read tokens, or change the vault too) and a
// Revoke button.
import { useEffect, useId, useState } from 'react'
import { TerminalSquare } from 'lucide-react'
import type { AgentSessionView } from '../../../shared/ipc/schemas'
import type { VaultSettings } from '../../../shared/settings'
import { api } from '../api'
import { asyncHandler } from '../lib/async-handler'
import { formatDateTime } from '../lib/format'
import { toast, toastFailure } from '../lib/toast-store'
import button from '../styles/button.module.css'
import { cx } from '../styles/cx'
import form from '../styles/form.module.css'
import layout from '../styles/layout.module.css'
import styles from './AgentSettings.module.css'

export function AgentSettings() {
  const id = useId()
  const [sessions, setSessions] = useState<AgentSessionView[] | null>(null)
  const [mode, setMode] = useState<VaultSettings['agentApproval'] | null>(null)
  useEffect(() => {
    const load = () =>
      void api()
        .agent.sessions()
        .then((r) => setSessions(r.ok ? r.value : null))
    load()
    void api()
      .settings.get()
      .then((r) => r.ok && setMode(r.value.agentApproval))
    return api().agent.onChanged(load)
  }, [])

  async function setAsk(ask: boolean) {
    const r = await api().settings.update({ agentApproval: ask ? 'ask' : 'dont-ask' })
    if (!r.ok) return toastFailure(r)
    setMode(r.value.agentApproval)
  }

  async function revoke(s: AgentSessionView) {
    const r = await api().agent.revokeSession(s.id)
    if (!r.ok) return toastFailure(r)
    toast('ok', 'Session revoked', `${s.client} must be allowed again.`)
    setSessions((list) => list?.filter((x) => x.id !== s.id) ?? null)
  }

  return (
    <section className={layout.card} aria-labelledby={`${id}-agent`}>
      <h2 id={`${id}-agent`}>Agent (command line and helpers)</h2>
      <p className="muted">
        While the vault is unlocked, <code>tokendeck header</code> and the other token commands ask
        this app instead of unlocking the vault themselves.
      </p>
      <label className={form.check}>
        <input
          type="checkbox"
          checked={mode !== 'dont-ask'}
          disabled={mode === null}
          onChange={asyncHandler('agent: approval mode', (e) => setAsk(e.target.checked))}
        />
        Ask before answering a new terminal session
      </label>
      <h3>Approved sessions</h3>
      {sessions === null ? (
        <p className="muted">This TokenDeck serves no agent.</p>
      ) : sessions.length === 0 ? (
        <p className="muted" data-testid="agent-sessions-empty">
          No terminal session is approved.
        </p>
      ) : (
        <ul className={cx(layout.plainList, styles.sessions)} data-testid="agent-sessions">
          {sessions.map((s) => (
            <li key={s.id}>
              <TerminalSquare aria-hidden size={16} />
              <span className={styles.who}>
                {s.client}{' '}
                <span className={styles.scope} data-testid="agent-session-scope">
                  {s.scope === 'change' ? 'reads tokens and changes the vault' : 'reads tokens'}
                </span>
                <span className="muted">
                  {' '}
                  approved {formatDateTime(s.approvedAt)}, lapses {formatDateTime(s.expiresAt)}
                </span>
              </span>
              <button
                type="button"
                className={cx(button.button, button.small)}
                onClick={asyncHandler('agent: revoke session', () => revoke(s))}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
