// How the vault is protected and changing it: every change asks for the current passphrase (or,
// for a vault without one, a fresh OS keychain unwrap) in main. Change passphrase, add the
// keychain or a passphrase, remove a way to open the vault, delete kept unreadable copies.
import { useId, useState, type FormEvent } from 'react'
import { KeyRound, ShieldCheck, Trash2 } from 'lucide-react'
import type { AppStatus } from '../../../shared/ipc/schemas'
import type { Failure } from '../../../shared/result'
import { MIN_PASSPHRASE_LENGTH as MIN_PASSPHRASE } from '../../../shared/passphrase'
import type { Proof } from '../../../preload/api'
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

export function ProtectionSettings({ status }: { status: AppStatus }) {
  const slots = status.vault.slots
  const hasPassphrase = slots.some((s) => s.kind === 'passphrase')
  const hasOs = slots.some((s) => s.kind === 'safe-storage')
  const [current, setCurrent] = useState('')
  const [pass, setPass] = useState('')
  const [again, setAgain] = useState('')
  const [failure, setFailure] = useState<Failure | null>(null)
  const [busy, setBusy] = useState(false)
  const id = useId()
  const proof: Proof | null = hasPassphrase
    ? current === ''
      ? null
      : { method: 'passphrase', passphrase: current }
    : { method: 'os' }
  const ready = proof !== null && pass.length >= MIN_PASSPHRASE && pass === again

  /** Runs one protection change; on success clears the typed passphrases and says what changed. */
  async function change(
    task: (p: Proof) => Promise<{ ok: true } | Failure>,
    done: [string, string?],
  ): Promise<void> {
    if (!proof) {
      setFailure({
        ok: false,
        code: 'VALIDATION_FAILED',
        message: 'Type your current passphrase first.',
      })
      return
    }
    setBusy(true)
    const r = await task(proof)
    setBusy(false)
    setFailure(r.ok ? null : r)
    if (!r.ok) return
    setCurrent('')
    setPass('')
    setAgain('')
    toast('ok', ...done)
    await refresh()
  }

  async function submitPassphrase(e: FormEvent) {
    e.preventDefault()
    if (!ready) return
    await (hasPassphrase
      ? change(
          (p) => api().vault.changePassphrase(p, pass),
          [
            'Passphrase changed',
            'The vault key was rotated: the old passphrase and old copies open nothing new.',
          ],
        )
      : change(
          (p) => api().vault.addPassphrase(p, pass),
          ['Passphrase added', 'The CLI can now open this vault with it.'],
        ))
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
            <span className={styles.slotName}>
              <strong>
                {s.kind === 'passphrase' ? 'Passphrase' : `OS keychain (${s.backend ?? 'unknown'})`}
              </strong>
              <span className="muted small"> · added {formatDateTime(s.createdAt)}</span>
            </span>
            {slots.length > 1 ? (
              <button
                type="button"
                className={cx(button.button, button.small)}
                disabled={busy}
                onClick={asyncHandler('protection: remove slot', () =>
                  change(
                    (p) => api().vault.removeSlot(s.id, p),
                    [
                      s.kind === 'passphrase' ? 'Passphrase removed' : 'OS keychain removed',
                      'The vault key was rotated.',
                    ],
                  ),
                )}
              >
                <Trash2 aria-hidden size={14} /> Remove
              </button>
            ) : null}
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
        onSubmit={asyncHandler('protection: passphrase', submitPassphrase)}
      >
        <h3>{hasPassphrase ? 'Change passphrase' : 'Add a passphrase'}</h3>
        {hasPassphrase ? (
          <div className={form.field}>
            <label htmlFor={`${id}-current`}>Current passphrase</label>
            <input
              id={`${id}-current`}
              type="password"
              autoComplete="current-password"
              value={current}
              aria-describedby={`${id}-current-help`}
              onChange={(e) => setCurrent(e.target.value)}
            />
            <span id={`${id}-current-help`} className={form.hint}>
              Every change of protection asks for it, here in this form.
            </span>
          </div>
        ) : (
          <p className={form.hint}>The OS keychain confirms it is you.</p>
        )}
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
            <KeyRound aria-hidden size={16} />{' '}
            {hasPassphrase ? 'Change passphrase' : 'Add passphrase'}
          </button>
          {!hasOs && status.protection.osAvailable ? (
            <button
              type="button"
              className={button.button}
              disabled={busy || proof === null}
              onClick={asyncHandler('protection: add keychain', () =>
                change((p) => api().vault.addOsProtection(p), ['OS keychain protection added']),
              )}
            >
              <ShieldCheck aria-hidden size={16} /> Add OS keychain protection
            </button>
          ) : null}
        </div>
      </form>
      {failure ? <ErrorBox failure={failure} /> : null}
      <UnreadableCopies names={status.vault.unreadableCopies} />
    </section>
  )
}

/** Copies of vault files that could not be read, kept beside the vault until deleted here. */
function UnreadableCopies({ names }: { names: readonly string[] }) {
  if (names.length === 0) return null
  async function remove(name: string) {
    const r = await api().vault.deleteUnreadableCopy(name)
    if (r.ok) {
      toast('ok', 'Copy deleted', name)
      await refresh()
    } else toast('error', 'Could not delete the copy', r.message)
  }
  return (
    <div data-testid="unreadable-copies">
      <h3>Kept copies of unreadable files</h3>
      <p className={form.hint}>
        TokenDeck never deletes a vault file it cannot read; it keeps a copy beside it. Delete a
        copy once you no longer need it.
      </p>
      <ul className={cx(layout.plainList, styles.slots)}>
        {names.map((n) => (
          <li key={n}>
            <code className={styles.slotName}>{n}</code>
            <button
              type="button"
              className={cx(button.button, button.small)}
              onClick={asyncHandler('protection: delete copy', () => remove(n))}
            >
              <Trash2 aria-hidden size={14} /> Delete
            </button>
          </li>
        ))}
      </ul>
    </div>
  )
}
