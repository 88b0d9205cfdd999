// The account drawer's "Keep a valid token ready" switch (accounts.keepReady), with what it means
// for this account: renewed before expiry while TokenDeck runs, or, without a remembered secret,
// only warned about.
import { useState } from 'react'
import type { AccountView } from '../../../shared/views'
import { api } from '../api'
import { asyncHandler } from '../lib/async-handler'
import { toast, toastFailure } from '../lib/toast-store'
import form from '../styles/form.module.css'

export function KeepReady(props: { account: AccountView }) {
  const { account } = props
  const on = account.keepReady === true
  const [busy, setBusy] = useState(false)
  const change = asyncHandler('keep-ready: change', async (next: boolean) => {
    setBusy(true)
    try {
      const r = await api().accounts.keepReady(account.id, next)
      if (!r.ok) toastFailure(r)
      else if (next) toast('ok', `${account.label} keeps a valid token ready`)
      else toast('ok', `${account.label} no longer keeps a token ready`)
    } finally {
      setBusy(false)
    }
  })
  return (
    <section aria-labelledby="keep-ready">
      <h3 id="keep-ready">Renewal</h3>
      <label className={form.check}>
        <input
          type="checkbox"
          checked={on}
          disabled={busy}
          data-testid="keep-ready"
          onChange={(e) => change(e.target.checked)}
        />
        Keep a valid token ready
      </label>
      <p className={form.hint}>
        {!account.remember
          ? 'This account does not remember its secret, so its token cannot be renewed unattended: TokenDeck warns before it expires instead.'
          : on
            ? 'While TokenDeck runs, it renews the token a few minutes before it expires, also right after the computer wakes up or the vault is unlocked.'
            : 'Off: a new token is minted only when one is asked for.'}
      </p>
    </section>
  )
}
