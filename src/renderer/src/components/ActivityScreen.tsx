// The event log: what happened and why, filtered by type and account, and how many of its lines
// could not be verified (said, never silently left out).
import { useEffect, useId, useState } from 'react'
import { History, ShieldAlert } from 'lucide-react'
import type { EventType, VaultEvent } from '../../../shared/views'
import { unverifiedWords } from '../../../shared/event-log-words'
import type { Failure } from '../../../shared/result'
import { api } from '../api'
import { useApp } from '../lib/app-store'
import { formatWhen, localTimes, surfaceWords } from '../lib/format'
import { ErrorBox } from './ErrorBox'
import chips from '../styles/chip.module.css'
import { cx } from '../styles/cx'
import layout from '../styles/layout.module.css'
import styles from './ActivityScreen.module.css'

const TYPE_WORDS: Record<EventType, string> = {
  mint: 'Minted',
  refresh: 'Refreshed',
  reuse: 'Reused',
  copy: 'Copied',
  revoke: 'Revoked',
  refusal: 'Refused by a server',
  forget: 'Forgotten',
  failure: 'Failures',
  account: 'Accounts',
  vault: 'Vault',
  agent: 'Agent requests',
  gateway: 'Gateway requests',
}

// Not EVENT_TYPES from shared/views: that module brings zod into the window's bundle.
const EVENT_TYPES = Object.keys(TYPE_WORDS) as EventType[]

export function ActivityScreen() {
  const { snapshot, version } = useApp()
  const [type, setType] = useState<EventType | ''>('')
  const [accountId, setAccountId] = useState('')
  const [events, setEvents] = useState<VaultEvent[] | null>(null)
  const [unverified, setUnverified] = useState(0)
  const [failure, setFailure] = useState<Failure | null>(null)
  const ids = { type: useId(), account: useId() }

  useEffect(() => {
    let live = true
    void api()
      .events.list({
        limit: 500,
        ...(type ? { types: [type] } : {}),
        ...(accountId ? { accountId } : {}),
      })
      .then((r) => {
        if (!live) return
        setEvents(r.ok ? r.value.events : [])
        setUnverified(r.ok ? r.value.unverified : 0)
        setFailure(r.ok ? null : r)
      })
    return () => {
      live = false
    }
  }, [type, accountId, version])

  const accounts = [...(snapshot?.accounts ?? [])].sort((a, b) => a.label.localeCompare(b.label))
  return (
    <main className={layout.screen} aria-labelledby="activity-title">
      <header className={layout.head}>
        <h1 id="activity-title">Activity</h1>
        <div className={styles.filters}>
          <label htmlFor={ids.type}>Type</label>
          <select
            id={ids.type}
            value={type}
            onChange={(e) => setType(e.target.value as EventType | '')}
          >
            <option value="">All events</option>
            {EVENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_WORDS[t]}
              </option>
            ))}
          </select>
          <label htmlFor={ids.account}>Account</label>
          <select id={ids.account} value={accountId} onChange={(e) => setAccountId(e.target.value)}>
            <option value="">All accounts</option>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
      </header>
      <div className={layout.scrollBody}>
        {failure ? <ErrorBox failure={failure} /> : null}
        {unverified > 0 ? (
          <p className={styles.unverified} role="status" data-testid="events-unverified">
            <ShieldAlert aria-hidden size={16} />
            {unverifiedWords(unverified)}
          </p>
        ) : null}
        {events === null ? null : events.length === 0 ? (
          <div className={layout.empty}>
            <History aria-hidden size={36} />
            <h2>
              No events
              {type || accountId ? ' match these filters' : unverified > 0 ? ' to show' : ' yet'}
            </h2>
            <p>Logins, copies, revocations and failures are recorded here, never a secret.</p>
          </div>
        ) : (
          <table className={styles.table} data-testid="events">
            <caption className="sr-only">Newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Event</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap muted">{formatWhen(e.at)}</td>
                  <td>
                    <span className={cx(chips.chip, chips[`event-${e.type}`])}>{e.type}</span>
                  </td>
                  <td>
                    {localTimes(e.message)}
                    {e.code ? <span className="muted small"> ({e.code})</span> : null}
                  </td>
                  <td className="nowrap muted">{e.surface ? surfaceWords(e.surface) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </main>
  )
}
