// Follows the logins that wait for a person in a browser (OAuth device code, browser sign-in) and
// shows the first one's dialog over any screen. Start code with no Radix in it: the dialog itself
// loads on demand (./chunks). It closes by itself when main says the prompt ended; the login's
// success or failure then shows where the login was asked for (a toast, the account's row).
import { useLoginPrompts } from '../lib/login-prompt-store'
import { LoginPromptDialog } from './chunks'

export function LoginPromptHost() {
  const prompts = useLoginPrompts()
  const prompt = prompts[0]
  if (!prompt) return null
  return <LoginPromptDialog key={prompt.id} prompt={prompt} waiting={prompts.length - 1} />
}
