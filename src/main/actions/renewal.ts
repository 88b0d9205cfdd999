// Renewal actions: turning an account's "keep a valid token ready" on or off (a stored account
// setting; src/main/renewal.ts renews those accounts before their tokens expire). The window's
// toggle and `tokendeck accounts keep-ready` both call this.
import { fail, ok, type Result } from '../../shared/result'
import type { AccountView, Surface } from '../../shared/views'
import type { ActionDeps } from './context'

export function renewalActions(deps: ActionDeps) {
  const s = deps.services

  /** Turns keep-ready on or off for one account; answers its new view. */
  async function setKeepReady(
    accountId: string,
    on: boolean,
    surface: Surface,
  ): Promise<Result<AccountView>> {
    const { vault, accounts } = s()
    const r = await vault.mutate(
      (draft, now) => {
        const acc = draft.accounts.find((a) => a.id === accountId)
        if (!acc) return fail('NOT_FOUND', 'No such account.')
        if (on) acc.keepReady = true
        else delete acc.keepReady
        acc.updatedAt = now
        return ok({ label: acc.label, remember: acc.remember })
      },
      (v) => ({
        type: 'account',
        accountId,
        label: v.label,
        surface,
        message: on
          ? `"${v.label}" keeps a valid token ready: renewed before it expires${v.remember ? '' : ' (its secret is not remembered: it cannot renew unattended, and is warned about instead)'}.`
          : `"${v.label}" no longer keeps a token ready.`,
      }),
    )
    if (!r.ok) return r
    return accounts.get(accountId)
  }

  return { setKeepReady }
}

export type RenewalActions = ReturnType<typeof renewalActions>
