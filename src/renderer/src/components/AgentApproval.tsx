// The approval prompt of the app's agent: a terminal session asks for a header, a token or a
// status for the first time, or to change the vault (add, remove, revoke, policy); the person
// allows it for that session or refuses. A reading approval does not cover changes: a change
// asks again, and says it is one. Shown over any screen while the vault is unlocked; main refuses
// on its own after a minute without an answer.
import { useEffect, useState } from 'react'
import type { AgentPromptView } from '../../../shared/ipc/schemas'
import { api } from '../api'
import { toastFailure } from '../lib/toast-store'
import { ConfirmDialog } from './chunks'

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
  const change = prompt.scope === 'change'
  return (
    <ConfirmDialog
      key={prompt.id}
      title={
        change ? 'Allow a terminal to change your vault?' : 'Allow a terminal to use TokenDeck?'
      }
      onClose={() => void decide(false)()}
      cancelLabel="Deny"
      actions={[
        {
          label: change ? 'Allow changes for this session' : 'Allow for this session',
          tone: change ? 'danger' : 'primary',
          run: decide(true),
        },
      ]}
    >
      <p data-testid="agent-prompt">
        <strong>{prompt.client}</strong> asks {prompt.what}.
        {change ? ' This changes your vault.' : null}
      </p>
      <p className="muted" data-testid="agent-prompt-scope">
        {change
          ? 'Allowing lets this terminal session change the vault (add and remove accounts, revoke tokens, set gateway policies) and read tokens, '
          : 'Allowing lets this terminal session read tokens and status; a change to the vault (adding, removing, revoking, policies) asks again. It lasts '}
        until it has been idle for 10 minutes, for 12 hours at most. Programs you run can use the
        agent while it is allowed; revoke it in Settings.
      </p>
    </ConfirmDialog>
  )
}
