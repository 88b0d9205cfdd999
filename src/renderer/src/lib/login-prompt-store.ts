// The logins that wait for a person in a browser, as main tells the window (vault:login-prompts):
// one store for the dialog (LoginPromptHost) and the rows that say "signing in". Followed from
// its first reader on, for the life of the page.
import { useSyncExternalStore } from 'react'
import type { LoginPromptView } from '../../../shared/login-prompt'
import { api } from '../api'

let prompts: LoginPromptView[] = []
const readers = new Set<() => void>()
let following = false

function set(next: LoginPromptView[]): void {
  prompts = next
  for (const r of [...readers]) r()
}

function follow(): void {
  if (following) return
  following = true
  // An event is newer than any list asked for before it: a late answer does not undo it.
  let heard = false
  api().logins.onChanged((p) => {
    heard = true
    set(p)
  })
  void api()
    .logins.list()
    .then((r) => {
      if (!heard && r.ok) set(r.value)
    })
}

function subscribe(reader: () => void): () => void {
  follow()
  readers.add(reader)
  return () => readers.delete(reader)
}

/** The prompts shown now, oldest first. */
export function useLoginPrompts(): LoginPromptView[] {
  return useSyncExternalStore(subscribe, () => prompts)
}

/** Whether a login of this account waits for the person in a browser now. */
export function useSigningIn(accountId: string): boolean {
  return useSyncExternalStore(subscribe, () => prompts.some((p) => p.accountId === accountId))
}
