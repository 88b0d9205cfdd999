// The approval prompt of the app's agent: a terminal session asks for a header, a token or a
// status for the first time; the person allows it for that session or refuses. Shown over any
// screen while the vault is unlocked; main refuses on its own after a minute without an answer.
import { useEffect, useState } from 'react'
import type { AgentPromptView } from '../../../shared/ipc/schemas'
import { api } from '../api'
import { toastFailure } from '../lib/toast-store'
import { ConfirmDialog } from './ConfirmDialog'

export function AgentApproval() {
  const [pending, setPending] = useState<AgentPromptView[]>([])
  useEffect(() => {
    const load = () =>
      void api()
        .agent.pending()
        .then((r) => setPending(r.ok ? r.value : []))
    load()
    return api().agent.onChanged(load)
  }, [])
  const prompt = pending[0]
  if (!prompt) return null
  const decide = (allow: boolean) => async () => {
    const r = await api().agent.decide(prompt.id, allow)
    if (!r.ok && r.code !== 'NOT_FOUND') toastFailure(r)
    setPending((p) => p.filter((x) => x.id !== prompt.id))
  }
  return (
    <ConfirmDialog
      key={prompt.id}
      title="Allow a terminal to use TokenDeck?"
      onClose={() => void decide(false)()}
      cancelLabel="Deny"
      actions={[{ label: 'Allow for this session', tone: 'primary', run: decide(true) }]}
    >
      <p data-testid="agent-prompt">
        <strong>{prompt.client}</strong> asks {prompt.what}.
      </p>
      <p className="muted">
        Allowing answers this terminal session until it has been idle for 10 minutes, for 12 hours
        at most. Programs you run can use the agent while it is allowed; revoke it in Settings.
      </p>
    </ConfirmDialog>
  )
}
