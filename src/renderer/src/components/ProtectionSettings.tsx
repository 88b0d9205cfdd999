// How the vault is protected, what that means, and adding a passphrase or the OS keychain.
import { useId, useState, type FormEvent } from 'react'
import { KeyRound, ShieldCheck } from 'lucide-react'
import type { AppStatus } from '../../../shared/ipc/schemas'
import type { Failure } from '../../../shared/result'
import { api } from '../api'
import { asyncHandler } from '../lib/async-handler'
import { refresh } from '../lib/app-store'
import { formatDateTime } from '../lib/format'
import { toast } from '../lib/toast-store'
import { ErrorBox } from './ErrorBox'
import button from '../styles/button.module.css'
import { cx } from '../styles/cx'
import form from '../styles/form.module.css'
import layout from '../styles/layout.module.css'
import styles from './ProtectionSettings.module.css'
import { MIN_PASSPHRASE_LENGTH as MIN_PASSPHRASE } from '../../../shared/passphrase'

export function ProtectionSettings({ status }: { status: AppStatus }) {
  const slots = status.vault.slots
  const hasPassphrase = slots.some((s) => s.kind === 'passphrase')
  const hasOs = slots.some((s) => s.kind === 'safe-storage')
  const [pass, setPass] = useState('')
  const [again, setAgain] = useState('')
  const [failure, setFailure] = useState<Failure | null>(null)
  const [busy, setBusy] = useState(false)
  const id = useId()
  const ready = pass.length >= MIN_PASSPHRASE && pass === again

  async function addPassphrase(e: FormEvent) {
    e.preventDefault()
    if (!ready) return
    setBusy(true)
    const r = await api().vault.addPassphrase(pass)
    setBusy(false)
    setFailure(r.ok ? null : r)
    if (r.ok) {
      setPass('')
      setAgain('')
      toast('ok', 'Passphrase added', 'The CLI can now open this vault with it.')
      void refresh()
    }
  }

  async function addOs() {
    setBusy(true)
    const r = await api().vault.addOsProtection()
    setBusy(false)
    setFailure(r.ok ? null : r)
    if (r.ok) {
      toast('ok', 'OS keychain protection added')
      void refresh()
    }
  }

  return (
    <section className={layout.card} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Protection</h2>
      <ul className={cx(layout.plainList, styles.slots)} data-testid="slots">
        {slots.map((s) => (
          <li key={s.id}>
            {s.kind === 'passphrase' ? (
              <KeyRound aria-hidden size={16} />
            ) : (
              <ShieldCheck aria-hidden size={16} />
            )}
            <span>
              <strong>
                {s.kind === 'passphrase' ? 'Passphrase' : `OS keychain (${s.backend ?? 'unknown'})`}
              </strong>
              <span className="muted small"> · added {formatDateTime(s.createdAt)}</span>
            </span>
          </li>
        ))}
      </ul>
      <p className={form.hint}>
        {hasOs
          ? 'The OS keychain opens the vault while you are logged in to this computer; anyone who can use your login session can open it too. '
          : ''}
        {hasPassphrase
          ? 'The passphrase opens the vault anywhere, including the tokendeck CLI; it cannot be recovered.'
          : 'Without a passphrase only this app can open the vault: add one to use the tokendeck CLI.'}
      </p>
      <p className={form.hint} data-testid="os-status">
        OS keychain here:{' '}
        {status.protection.osAvailable
          ? `available (${status.protection.backend}).`
          : `not available${status.protection.reason ? `: ${status.protection.reason}` : '.'}`}
      </p>
      <form
        className={form.stack}
        onSubmit={asyncHandler('protection: add passphrase', addPassphrase)}
      >
        <h3>{hasPassphrase ? 'Add another passphrase' : 'Add a passphrase'}</h3>
        <div className={form.grid2}>
          <div className={form.field}>
            <label htmlFor={`${id}-pass`}>New passphrase</label>
            <input
              id={`${id}-pass`}
              type="password"
              autoComplete="new-password"
              value={pass}
              aria-describedby={`${id}-pass-help`}
              onChange={(e) => setPass(e.target.value)}
            />
            <span id={`${id}-pass-help`} className={form.hint}>
              At least {MIN_PASSPHRASE} characters.
            </span>
          </div>
          <div className={form.field}>
            <label htmlFor={`${id}-again`}>Passphrase again</label>
            <input
              id={`${id}-again`}
              type="password"
              autoComplete="new-password"
              value={again}
              onChange={(e) => setAgain(e.target.value)}
            />
            {again && again !== pass ? (
              <span className={form.fieldError}>The two passphrases differ.</span>
            ) : null}
          </div>
        </div>
        <div className={form.rowButtons}>
          <button type="submit" className={button.button} disabled={busy || !ready}>
            <KeyRound aria-hidden size={16} /> Add passphrase
          </button>
          {!hasOs && status.protection.osAvailable ? (
            <button
              type="button"
              className={button.button}
              disabled={busy}
              onClick={() => void addOs()}
            >
              <ShieldCheck aria-hidden size={16} /> Add OS keychain protection
            </button>
          ) : null}
        </div>
      </form>
      {failure ? <ErrorBox failure={failure} /> : null}
    </section>
  )
}
