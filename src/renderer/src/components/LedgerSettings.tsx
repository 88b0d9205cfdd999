// Settings › Shared ledger: which backend counts this vault's caps (local, or PostgreSQL at a URL
// shown without its password), this machine's name, whether the ledger is reachable, each shared
// organization with its holders; connecting (the URL goes to main once and never comes back) and
// disconnecting, after a confirmation.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { CloudCheck, Database, Unplug } from 'lucide-react'
import type { Failure } from '../../../shared/result'
import { elsewhereText, holderTokens, LEDGER_OFFLINE_WORDS } from '../../../shared/ledger-words'
import { capUsageText } from '../../../shared/state'
import type { LedgerStatusView } from '../../../shared/views'
import { api } from '../api'
import { asyncHandler } from '../lib/async-handler'
import { providerById, useApp } from '../lib/app-store'
import { hostOf } from '../lib/format'
import { toast } from '../lib/toast-store'
import { ConfirmDialog } from './ConfirmDialog'
import { ErrorBox } from './ErrorBox'
import button from '../styles/button.module.css'
import chips from '../styles/chip.module.css'
import { cx } from '../styles/cx'
import form from '../styles/form.module.css'
import layout from '../styles/layout.module.css'
import styles from './LedgerSettings.module.css'

type Org = LedgerStatusView['organizations'][number]

/** The chip and the sentence for the ledger's state. */
function StatusLine({ s }: { s: LedgerStatusView }) {
  const [chip, tone, text] =
    s.backend === 'local'
      ? [
          'Local',
          undefined,
          'This vault alone counts its caps. Connect a PostgreSQL database to count them across machines and teammates.',
        ]
      : s.state === 'offline'
        ? [
            'Offline',
            chips.expiring,
            `${s.problem || 'The shared ledger cannot be reached.'} ${LEDGER_OFFLINE_WORDS}`,
          ]
        : [
            'Connected',
            chips.active,
            'Caps are counted across every machine connected to this database.',
          ]
  return (
    <p className={styles.status} role="status" data-testid="ledger-status">
      <span className={cx(chips.chip, tone)}>{chip}</span>
      <span>{text}</span>
    </p>
  )
}

function OrgItem({ o }: { o: Org }) {
  const provider = providerById(o.providerId)?.name ?? o.providerId
  const cap = { max: o.max, used: o.used, uncertain: o.uncertain, active: o.used - o.uncertain }
  return (
    <li data-ledger-org={o.organizationId}>
      <div className={styles.orgHead}>
        <span className={styles.orgName}>{o.organizationId}</span>
        <span className="muted small">
          {provider} · {hostOf(o.baseUrl)}
        </span>
        <span className={styles.count} data-testid="ledger-org-count">
          {capUsageText(cap)} · {o.here} here · {elsewhereText(o.elsewhere)}
        </span>
      </div>
      {o.holders.length > 0 ? (
        <ul
          className={styles.holders}
          aria-label={`Machines holding tokens in ${o.organizationId}`}
        >
          {o.holders.map((h, i) => (
            <li key={`${h.name}-${i}`} data-holder={h.name}>
              <span className={styles.machine}>{h.name}</span>
              {h.thisMachine ? <span className={styles.here}>this machine</span> : null}
              <span className="muted">{holderTokens(h)}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">No machine holds a token.</p>
      )}
    </li>
  )
}

export function LedgerSettings({ demo }: { demo: boolean }) {
  const id = useId()
  const { version } = useApp()
  const [status, setStatus] = useState<LedgerStatusView | null>(null)
  const [loadFailure, setLoadFailure] = useState<Failure | null>(null)
  const [failure, setFailure] = useState<Failure | null>(null)
  const [url, setUrl] = useState('')
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [editing, setEditing] = useState(false)
  const [confirm, setConfirm] = useState(false)
  /** Answers can come back out of order: only the newest request's answer is shown. */
  const asked = useRef(0)

  useEffect(() => {
    const n = ++asked.current
    void api()
      .ledger.status()
      .then((r) => {
        if (n !== asked.current) return
        setStatus(r.ok ? r.value : null)
        setLoadFailure(r.ok ? null : r)
      })
  }, [version])

  function adopt(s: LedgerStatusView) {
    asked.current++
    setStatus(s)
    setLoadFailure(null)
  }

  async function connect(e: FormEvent) {
    e.preventDefault()
    if (!url.trim()) return
    setBusy(true)
    const r = await api().ledger.connect(url, name)
    setBusy(false)
    setFailure(r.ok ? null : r)
    if (!r.ok) return
    // The URL (and its password) leaves the window's state at once.
    setUrl('')
    setEditing(false)
    adopt(r.value)
    toast(
      'ok',
      'Connected to the shared ledger',
      `${r.value.url ?? ''} as "${r.value.machineName}"`,
    )
  }

  async function disconnect() {
    const r = await api().ledger.disconnect()
    if (!r.ok) return setFailure(r)
    setFailure(null)
    toast(
      'ok',
      'Disconnected from the shared ledger',
      'The tokens this machine holds there stay counted until they expire.',
    )
    const s = await api().ledger.status()
    if (s.ok) adopt(s.value)
  }

  const connected = status?.backend === 'postgresql'
  const showForm = status !== null && !demo && (!connected || editing)
  const fieldProblem = (f: string) => failure?.fields?.[f]?.[0] ?? null

  return (
    <section className={layout.card} aria-labelledby={`${id}-ledger`} data-testid="ledger-settings">
      <h2 id={`${id}-ledger`}>Shared ledger</h2>
      <p className="muted">
        Counts each organization&apos;s token cap across your machines and teammates, in a
        PostgreSQL database you run. The database holds no token and no password: only counts and
        machine names.
      </p>
      {loadFailure ? <ErrorBox failure={loadFailure} /> : null}
      {status ? (
        <>
          <StatusLine s={status} />
          <dl className={styles.facts}>
            <dt>Backend</dt>
            <dd data-testid="ledger-backend">
              {status.backend === 'local' ? (
                'Local (this vault)'
              ) : (
                <>
                  PostgreSQL at <code>{status.url ?? 'an address that no longer reads'}</code>
                </>
              )}
            </dd>
            <dt>This machine</dt>
            <dd data-testid="ledger-machine">{status.machineName}</dd>
          </dl>
          {connected && status.state === 'connected' ? (
            status.organizations.length === 0 ? (
              <p className="muted">
                No shared organization yet: accounts with a per-organization cap are shared.
              </p>
            ) : (
              <ul className={cx(layout.plainList, styles.orgs)} data-testid="ledger-orgs">
                {status.organizations.map((o) => (
                  <OrgItem key={o.orgKey} o={o} />
                ))}
              </ul>
            )
          ) : null}
          {connected && !demo ? (
            <div className={form.rowButtons}>
              {!editing ? (
                <button
                  type="button"
                  className={button.button}
                  onClick={() => {
                    setName(status.machineName)
                    setEditing(true)
                  }}
                >
                  <Database aria-hidden size={16} /> Change connection…
                </button>
              ) : null}
              <button
                type="button"
                className={cx(button.button, button.danger)}
                onClick={() => setConfirm(true)}
              >
                <Unplug aria-hidden size={16} /> Disconnect…
              </button>
            </div>
          ) : null}
        </>
      ) : null}
      {demo ? (
        <p className="muted">
          The demo vault has no shared ledger: leave the demo to connect yours.
        </p>
      ) : null}

      {showForm ? (
        <form
          className={cx(form.stack, connected && styles.part)}
          onSubmit={asyncHandler('ledger: connect', connect)}
          data-testid="ledger-connect"
        >
          {connected ? <h3>Connect again</h3> : null}
          <div className={form.grid2}>
            <div className={form.field}>
              <label htmlFor={`${id}-url`}>Database URL</label>
              <input
                id={`${id}-url`}
                type="password"
                autoComplete="off"
                spellCheck={false}
                placeholder="postgres://user:password@db.example.com:5432/tokendeck"
                value={url}
                aria-invalid={fieldProblem('url') ? true : undefined}
                aria-describedby={`${id}-url-help`}
                onChange={(e) => setUrl(e.target.value)}
              />
              <span
                id={`${id}-url-help`}
                className={fieldProblem('url') ? form.fieldError : form.hint}
              >
                {fieldProblem('url') ??
                  'Kept sealed in the vault and never shown again, password included. A database off this machine is reached over verified TLS only.'}
              </span>
            </div>
            <div className={form.field}>
              <label htmlFor={`${id}-name`}>This machine&apos;s name</label>
              <input
                id={`${id}-name`}
                type="text"
                spellCheck={false}
                maxLength={100}
                placeholder={connected ? 'the host name' : status.machineName}
                value={name}
                aria-invalid={fieldProblem('machineName') ? true : undefined}
                aria-describedby={`${id}-name-help`}
                onChange={(e) => setName(e.target.value)}
              />
              <span
                id={`${id}-name-help`}
                className={fieldProblem('machineName') ? form.fieldError : form.hint}
              >
                {fieldProblem('machineName') ??
                  'Other machines see it beside the tokens this one holds. Empty: the host name.'}
              </span>
            </div>
          </div>
          {failure ? <ErrorBox failure={failure} /> : null}
          <div className={form.rowButtons}>
            <button
              type="submit"
              className={cx(button.button, button.primary)}
              disabled={busy || !url.trim()}
            >
              <CloudCheck aria-hidden size={16} /> {busy ? 'Connecting…' : 'Connect'}
            </button>
            {connected ? (
              <button
                type="button"
                className={button.button}
                disabled={busy}
                onClick={() => {
                  setEditing(false)
                  setUrl('')
                  setFailure(null)
                }}
              >
                Cancel
              </button>
            ) : null}
          </div>
        </form>
      ) : failure ? (
        <ErrorBox failure={failure} />
      ) : null}

      {confirm ? (
        <ConfirmDialog
          title="Disconnect from the shared ledger?"
          actions={[{ label: 'Disconnect', tone: 'danger', run: disconnect }]}
          onClose={() => setConfirm(false)}
        >
          <p>
            The tokens this machine holds stay counted in the shared ledger until they expire, so
            other machines still cannot go past a cap with them.
          </p>
          <p>
            From then on this vault counts its caps alone; other machines&apos; tokens are no longer
            counted here.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  )
}
