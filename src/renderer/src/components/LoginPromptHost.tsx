// Follows the logins that wait for a person in a browser (OAuth device code, browser sign-in) and
// shows the first one's dialog over any screen. Start code with no Radix in it: the dialog itself
// loads on demand (./chunks). It closes by itself when main says the prompt ended; the login's
// success or failure then shows where the login was asked for (a toast, the account's row).
import { useEffect, useState } from 'react'
import type { LoginPromptView } from '../../../shared/login-prompt'
import { api } from '../api'
import { LoginPromptDialog } from './chunks'

export function LoginPromptHost() {
  const [prompts, setPrompts] = useState<LoginPromptView[]>([])
  useEffect(() => {
    let live = true
    // An event is newer than any list asked for before it: a late answer does not undo it.
    let heard = false
    const off = api().logins.onChanged((p) => {
      heard = true
      setPrompts(p)
    })
    void api()
      .logins.list()
      .then((r) => {
        if (live && !heard && r.ok) setPrompts(r.value)
      })
    return () => {
      live = false
      off()
    }
  }, [])
  const prompt = prompts[0]
  if (!prompt) return null
  return <LoginPromptDialog key={prompt.id} prompt={prompt} waiting={prompts.length - 1} />
}
