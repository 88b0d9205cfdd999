// Token details: when the account's token was issued and expires, its scheme and scopes,
// the surface that minted it, earlier tokens, and the account's events. Never the token itself.
import { useEffect, useState } from 'react'
import { Dialog } from 'radix-ui'
import { CircleHelp, X } from 'lucide-react'
import { isRefused, tokenWord } from '../../../shared/state'
import { TokenHealth } from './TokenHealth'
import { KeepReady } from './KeepReady'
import type { AccountView, TokenView, VaultEvent } from '../../../shared/views'
import { api } from '../api'
import { asyncHandler } from '../lib/async-handler'
import { liveToken } from '../lib/account-state'
import { providerById } from '../lib/app-store'
import { formatDateTime, formatWhen, hostOf, localTimes, surfaceWords } from '../lib/format'
import { useCountdown } from '../lib/tick-store'
import { toast, toastFailure } from '../lib/toast-store'
import button from '../styles/button.module.css'
import chips from '../styles/chip.module.css'
import { cx } from '../styles/cx'
import dialog from '../styles/dialog.module.css'
import form from '../styles/form.module.css'
import layout from '../styles/layout.module.css'
import styles from './TokenDrawer.module.css'

export function TokenDrawer(props: { account: AccountView; version: number; onClose: () => void }) {
  const { account } = props
  const [events, setEvents] = useState<VaultEvent[] | null>(null)
  useEffect(() => {
    let live = true
    void api()
      .events.list({ accountId: account.id, limit: 50 })
      .then((r) => {
        if (live) setEvents(r.ok ? r.value.events : [])
      })
    return () => {
      live = false
    }
  }, [account.id, props.version])
  const token = liveToken(account)
  const uncertain = account.tokens.filter((t) => t.state === 'uncertain')
  const earlier = account.tokens.filter((t) => t.id !== token?.id && t.state !== 'uncertain')

  return (
    <Dialog.Root open onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className={cx(dialog.overlay, dialog.light)} />
        <Dialog.Content className={styles.drawer} aria-describedby={undefined}>
          <header className={styles.head}>
            <div>
              <Dialog.Title className={dialog.title}>{account.label}</Dialog.Title>
              <p className="muted small">
                {account.providerName} · {account.username}
                {account.organizationId ? ` · ${account.organizationId}` : ''} ·{' '}
                {hostOf(account.baseUrl)}
              </p>
            </div>
            <Dialog.Close className={button.icon} aria-label="Close details">
              <X aria-hidden size={18} />
            </Dialog.Close>
          </header>
          <div className={styles.body}>
            <section aria-labelledby="current-token">
              <h3 id="current-token">Current token</h3>
              {token ? (
                <TokenFacts token={token} />
              ) : (
                <p className="muted">No live token. Copying the header logs in and mints one.</p>
              )}
              <TokenHealth
                account={account}
                hasToken={token !== null}
                canProbe={providerById(account.providerId)?.probe === true}
              />
              <p className={form.hint}>
                The token itself never reaches this window: “Copy header” puts it on the clipboard
                from the main process.
              </p>
            </section>
            <KeepReady account={account} />
            {uncertain.map((t) => (
              <UncertainToken key={t.id} token={t} />
            ))}
            {earlier.length > 0 ? (
              <section aria-labelledby="earlier-tokens">
                <h3 id="earlier-tokens">Earlier tokens</h3>
                <ul className={layout.plainList}>
                  {earlier.slice(0, 10).map((t) => (
                    <li key={t.id}>
                      <span
                        className={cx(
                          chips.chip,
                          isRefused(t)
                            ? chips.rejected
                            : t.state === 'active' && t.suspect
                              ? chips.suspect
                              : t.state === 'active'
                                ? chips.active
                                : t.state === 'evicted'
                                  ? chips.evicted
                                  : chips.ended,
                        )}
                      >
                        {tokenWord(t)}
                      </span>{' '}
                      issued {formatDateTime(t.issuedAt)}
                      {t.endedAt ? `, ended ${formatDateTime(t.endedAt)}` : ''}
                      {t.state === 'forgotten' && t.expiresAt !== null
                        ? `, valid on its server until ${formatDateTime(t.expiresAt)}`
                        : ''}
                      {t.note ? (
                        <span className="muted small block">{localTimes(t.note)}</span>
                      ) : null}
                    </li>
                  ))}
                </ul>
              </section>
            ) : null}
            <section aria-labelledby="account-events">
              <h3 id="account-events">Events</h3>
              {events === null ? (
                <p className="muted">Loading…</p>
              ) : events.length === 0 ? (
                <p className="muted">Nothing yet.</p>
              ) : (
                <ul className={cx(layout.plainList, styles.events)} data-testid="drawer-events">
                  {events.map((e) => (
                    <li key={e.id}>
                      <span className="muted small">{formatWhen(e.at)}</span>{' '}
                      <span className={cx(chips.chip, chips[`event-${e.type}`])}>{e.type}</span>{' '}
                      {localTimes(e.message)}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}

function TokenFacts({ token }: { token: TokenView }) {
  const countdown = useCountdown(token.expiresAt)
  const meta = Object.entries(token.metadata)
  return (
    <dl className={styles.facts} data-testid="token-facts">
      <dt>Issued</dt>
      <dd>{formatDateTime(token.issuedAt)}</dd>
      <dt>Expires</dt>
      <dd>
        {token.expiresAt === null
          ? 'never (valid until revoked)'
          : `${formatDateTime(token.expiresAt)} (${countdown.text === 'expired' ? 'expired' : `in ${countdown.text}`})`}
      </dd>
      {token.refreshable !== undefined ? (
        <>
          <dt>Refresh</dt>
          <dd data-testid="refreshable">
            {token.refreshable
              ? `refreshable${token.refreshExpiresAt ? ` until ${formatDateTime(token.refreshExpiresAt)}` : ''}: renewed without a login`
              : 'its refresh token expired: the next request logs in'}
          </dd>
        </>
      ) : null}
      {token.suspect ? (
        <>
          <dt>Refused</dt>
          <dd data-testid="suspect">
            its server refused it once (a 401 or 403), not confirmed: it still counts toward the
            cap. The next request replaces it (at most once a minute), unless the server is seen to
            accept it again.
          </dd>
        </>
      ) : null}
      <dt>Header</dt>
      <dd>
        <code>
          {token.headerName}: {token.scheme} ••••••••
        </code>
      </dd>
      {meta.map(([k, v]) => (
        <FactRow key={k} name={k} value={Array.isArray(v) ? v.join(', ') : String(v)} />
      ))}
      <dt>Minted from</dt>
      <dd>{surfaceWords(token.surface)}</dd>
    </dl>
  )
}

function FactRow({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt>{name === 'requestId' ? 'Request id' : name[0]!.toUpperCase() + name.slice(1)}</dt>
      <dd>
        <code>{value}</code>
      </dd>
    </>
  )
}

function UncertainToken({ token }: { token: TokenView }) {
  const [busy, setBusy] = useState(false)
  return (
    <section className={styles.notice} aria-labelledby={`uncertain-${token.id}`}>
      <h3 id={`uncertain-${token.id}`}>
        <CircleHelp aria-hidden size={16} /> An uncertain token
      </h3>
      <p>
        {token.note
          ? localTimes(token.note)
          : 'A login lost its answer; the server may have created a token anyway.'}{' '}
        Until you check, it counts toward the provider’s token limit.
      </p>
      <p className="muted small">Login attempted {formatDateTime(token.issuedAt)}.</p>
      <button
        type="button"
        className={cx(button.button, button.small)}
        disabled={busy}
        onClick={asyncHandler('token-drawer: dismiss uncertain', async () => {
          setBusy(true)
          const r = await api().tokens.dismissUncertain(token.id)
          setBusy(false)
          if (r.ok) toast('ok', 'Dismissed the uncertain token')
          else toastFailure(r)
        })}
      >
        I checked the server: dismiss
      </button>
    </section>
  )
}
