// First run (choose how the vault is protected) and unlock; both offer the sandbox demo.
import { useEffect, useId, useState, type FormEvent } from 'react'
import { FlaskConical, KeyRound, LockKeyhole, ShieldCheck } from 'lucide-react'
import type { AppStatus } from '../../../shared/ipc/schemas'
import { DEMO_PASSPHRASE } from '../../../shared/demo'
import type { Failure } from '../../../shared/result'
import { api } from '../api'
import { setStatus } from '../lib/app-store'
import { formatDateTime } from '../lib/format'
import { toast } from '../lib/toast-store'
import { prefetchChunks, UnlockConsent } from './chunks'
import { ErrorBox } from './ErrorBox'
import { Logo } from './Logo'
import button from '../styles/button.module.css'
import { cx } from '../styles/cx'
import form from '../styles/form.module.css'
import styles from './UnlockScreen.module.css'
import { MIN_PASSPHRASE_LENGTH as MIN_PASSPHRASE } from '../../../shared/passphrase'

/** What the person agrees to when they confirm a question of UnlockConsent. */
export type Consent = { acceptOlder: true } | { upgrade: true }

/** The failure codes an unlock asks with (UnlockConsent). */
function asksConsent(f: Failure): boolean {
  return f.code === 'VAULT_ROLLED_BACK' || f.code === 'VAULT_UPGRADE_NEEDED'
}

type Answer = { ok: true; value: AppStatus } | Failure

export function UnlockScreen({ status }: { status: AppStatus }) {
  const [error, setError] = useState<Failure | null>(null)
  const [busy, setBusy] = useState(false)
  /** An unlock that asked the person first (an older copy, a format 1 vault), and its retry. */
  const [asked, setAsked] = useState<{
    failure: Failure
    retry: (c: Consent) => Promise<Answer>
  } | null>(null)
  // The first screen is on: what comes after it loads while the window is idle.
  useEffect(() => prefetchChunks(), [])

  async function run(task: () => Promise<Answer>, retry?: (c: Consent) => Promise<Answer>) {
    setBusy(true)
    setError(null)
    const r = await task()
    setBusy(false)
    if (!r.ok) {
      setError(r)
      if (retry && asksConsent(r)) setAsked({ failure: r, retry })
      return
    }
    setStatus(r.value)
    // Someone changed how the vault opens since it was last unlocked here: say so, every time.
    const changes = r.value.protectionChanges ?? []
    if (changes.length > 0) {
      toast(
        'error',
        'The vault’s protection changed since you last unlocked it',
        changes.map((c) => `${formatDateTime(c.at)}: ${c.message}`).join(' '),
      )
    }
  }

  return (
    <main className={styles.unlock}>
      <div className={styles.card}>
        <Logo />
        {status.vault.exists ? (
          <UnlockForm status={status} busy={busy} run={run} />
        ) : (
          <CreateForm status={status} busy={busy} run={run} />
        )}
        {error ? <ErrorBox failure={error} /> : null}
        {asked ? (
          <UnlockConsent
            failure={asked.failure}
            confirm={(c) => run(() => asked.retry(c))}
            onClose={() => setAsked(null)}
          />
        ) : null}
        <div className={styles.divider} role="separator">
          <span>or</span>
        </div>
        <button
          type="button"
          className={cx(button.button, button.wide)}
          disabled={busy}
          onClick={() => void run(() => api().app.startDemo())}
        >
          <FlaskConical aria-hidden size={16} /> Try it with local sandbox providers
        </button>
        <p className={form.hint}>
          A throwaway demo vault with accounts on local TPStreams, xpay and classic API servers.
          Nothing leaves this computer.
        </p>
      </div>
    </main>
  )
}

interface FormProps {
  status: AppStatus
  busy: boolean
  run: (task: () => Promise<Answer>, retry?: (c: Consent) => Promise<Answer>) => Promise<void>
}

function CreateForm({ status, busy, run }: FormProps) {
  const os = status.protection
  const [choice, setChoice] = useState<'os' | 'passphrase'>(os.osAvailable ? 'os' : 'passphrase')
  const [pass, setPass] = useState('')
  const [again, setAgain] = useState('')
  const ids = { pass: useId(), again: useId(), hint: useId() }
  const short = pass.length > 0 && pass.length < MIN_PASSPHRASE
  const mismatch = again.length > 0 && pass !== again
  const ready = choice === 'os' || (pass.length >= MIN_PASSPHRASE && pass === again)

  function submit(e: FormEvent) {
    e.preventDefault()
    if (!ready) return
    void run(() =>
      api().vault.create(
        choice === 'os' ? { protection: 'os' } : { protection: 'passphrase', passphrase: pass },
      ),
    )
  }

  return (
    <form onSubmit={submit} className={form.stack}>
      <h1>Welcome to TokenDeck</h1>
      <p className={styles.lead}>
        One encrypted vault for the tokens of the HTTP APIs you work with. First, choose how it is
        protected.
      </p>
      <fieldset className={styles.choices}>
        <legend>Protect the vault with</legend>
        <label className={cx(styles.choice, !os.osAvailable && styles.disabled)}>
          <input
            type="radio"
            name="protection"
            value="os"
            checked={choice === 'os'}
            disabled={!os.osAvailable}
            onChange={() => setChoice('os')}
          />
          <ShieldCheck aria-hidden size={18} />
          <span>
            <strong>OS keychain</strong>
            <span className={form.hint}>
              {os.osAvailable
                ? `Opens when you are logged in to this computer (${os.backend}).`
                : `Not available here: ${os.reason ?? 'the OS offers no keychain.'}`}
            </span>
          </span>
        </label>
        <label className={styles.choice}>
          <input
            type="radio"
            name="protection"
            value="passphrase"
            checked={choice === 'passphrase'}
            onChange={() => setChoice('passphrase')}
          />
          <KeyRound aria-hidden size={18} />
          <span>
            <strong>Passphrase</strong>
            <span className={form.hint}>
              You type it to unlock; the CLI can open the vault with it.
            </span>
          </span>
        </label>
      </fieldset>
      {choice === 'passphrase' ? (
        <>
          <div className={form.field}>
            <label htmlFor={ids.pass}>Passphrase</label>
            <input
              id={ids.pass}
              type="password"
              autoComplete="new-password"
              value={pass}
              aria-describedby={ids.hint}
              aria-invalid={short || undefined}
              onChange={(e) => setPass(e.target.value)}
            />
            <span id={ids.hint} className={short ? form.fieldError : form.hint}>
              At least {MIN_PASSPHRASE} characters. It cannot be recovered if you forget it.
            </span>
          </div>
          <div className={form.field}>
            <label htmlFor={ids.again}>Passphrase again</label>
            <input
              id={ids.again}
              type="password"
              autoComplete="new-password"
              value={again}
              aria-invalid={mismatch || undefined}
              onChange={(e) => setAgain(e.target.value)}
            />
            {mismatch ? <span className={form.fieldError}>The two passphrases differ.</span> : null}
          </div>
        </>
      ) : null}
      <button
        type="submit"
        className={cx(button.button, button.primary, button.wide)}
        disabled={busy || !ready}
      >
        <LockKeyhole aria-hidden size={16} /> Create vault
      </button>
    </form>
  )
}

function UnlockForm({ status, busy, run }: FormProps) {
  const [pass, setPass] = useState('')
  const id = useId()
  const hasPassphrase = status.vault.slots.some((s) => s.kind === 'passphrase')
  const hasOs = status.vault.slots.some((s) => s.kind === 'safe-storage')

  function submit(e: FormEvent) {
    e.preventDefault()
    if (pass === '') return
    const unlock = (c: Consent | object = {}) =>
      api().vault.unlock({ method: 'passphrase', passphrase: pass, ...c })
    void run(unlock, unlock)
  }

  return (
    <form onSubmit={submit} className={form.stack}>
      <h1>Unlock TokenDeck</h1>
      <p className={styles.lead}>
        {status.demo ? 'The demo vault is locked.' : 'Your vault is locked.'}
      </p>
      {status.demo ? (
        <p className={form.hint}>
          The demo vault's passphrase is <code>{DEMO_PASSPHRASE}</code>.
        </p>
      ) : null}
      {hasPassphrase ? (
        <>
          <div className={form.field}>
            <label htmlFor={id}>Passphrase</label>
            <input
              id={id}
              type="password"
              autoComplete="current-password"
              autoFocus
              value={pass}
              onChange={(e) => setPass(e.target.value)}
            />
          </div>
          <button
            type="submit"
            className={cx(button.button, button.primary, button.wide)}
            disabled={busy || pass === ''}
          >
            <LockKeyhole aria-hidden size={16} /> Unlock
          </button>
        </>
      ) : null}
      {hasOs ? (
        <button
          type="button"
          className={cx(button.button, button.wide, !hasPassphrase && button.primary)}
          disabled={busy || !status.protection.osAvailable}
          onClick={() => {
            const unlock = (c: Consent | object = {}) => api().vault.unlock({ method: 'os', ...c })
            void run(unlock, unlock)
          }}
        >
          <ShieldCheck aria-hidden size={16} /> Unlock with OS keychain
        </button>
      ) : null}
      {hasOs && !status.protection.osAvailable ? (
        <p className={form.hint}>{status.protection.reason}</p>
      ) : null}
    </form>
  )
}
