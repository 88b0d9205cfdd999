// The step a login waits for in the browser. Device flow: the code to type, large and selectable,
// with Copy code, the page as text and Open page. Browser sign-in: "Continue in your browser"
// with the page and Open again (main opened it once by itself). Both: a live countdown to expiry
// and Cancel, which ends the login with no token. Main opens pages and copies the code by the
// prompt's id; this dialog never hands main a URL. On demand (./chunks), with Radix Dialog.
import { useRef, useState } from 'react'
import { Dialog } from 'radix-ui'
import { Copy, ExternalLink } from 'lucide-react'
import type { LoginPromptView } from '../../../shared/login-prompt'
import { api } from '../api'
import { asyncHandler } from '../lib/async-handler'
import { useClockText } from '../lib/tick-store'
import { toastFailure } from '../lib/toast-store'
import button from '../styles/button.module.css'
import { cx } from '../styles/cx'
import dialog from '../styles/dialog.module.css'
import styles from './LoginPromptDialog.module.css'

/** "14:32", "0:05"; "expired" once the time is up. */
function clockLeft(ms: number): string {
  if (ms < 1000) return 'expired'
  const s = Math.floor(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

function Countdown(props: { expiresAt: number; what: string }) {
  const left = useClockText((now) => clockLeft(props.expiresAt - now))
  return (
    <p className={styles.countdown} role="timer" data-testid="login-countdown">
      {left === 'expired' ? (
        `The ${props.what} has expired.`
      ) : (
        <>
          The {props.what} expires in <span className={styles.time}>{left}</span>
        </>
      )}
    </p>
  )
}

export function LoginPromptDialog(props: { prompt: LoginPromptView; waiting: number }) {
  const p = props.prompt
  const [copied, setCopied] = useState(false)
  const [busy, setBusy] = useState(false)
  const primary = useRef<HTMLButtonElement>(null)
  const device = p.kind === 'device' && p.userCode !== null

  const cancel = async () => {
    setBusy(true)
    const r = await api().logins.cancel(p.id)
    // NOT_FOUND: it ended meanwhile; the dialog goes when main says so.
    if (!r.ok && r.code !== 'NOT_FOUND') {
      setBusy(false)
      toastFailure(r)
    }
  }
  const open = async () => {
    const r = await api().logins.open(p.id)
    if (!r.ok && r.code !== 'NOT_FOUND') toastFailure(r)
  }
  const copy = async () => {
    const r = await api().logins.copyCode(p.id)
    if (r.ok) setCopied(true)
    else if (r.code !== 'NOT_FOUND') toastFailure(r)
  }

  return (
    <Dialog.Root open onOpenChange={(isOpen) => !isOpen && !busy && void cancel()}>
      <Dialog.Portal>
        <Dialog.Overlay className={dialog.overlay} />
        <Dialog.Content
          className={cx(dialog.dialog, dialog.narrow)}
          data-testid="login-prompt"
          data-kind={p.kind}
          // A click beside the dialog does not end a sign-in the person is in the middle of.
          onPointerDownOutside={(e) => e.preventDefault()}
          // The focus starts on the page button: Enter must not cancel a sign-in by accident.
          onOpenAutoFocus={(e) => {
            e.preventDefault()
            primary.current?.focus()
          }}
        >
          <Dialog.Title className={dialog.title}>
            {device ? `Sign in to ${p.provider}` : 'Continue in your browser'}
          </Dialog.Title>
          <Dialog.Description className={dialog.text}>
            {device
              ? `To sign in as ${p.label}, open the page below and enter this code. TokenDeck continues by itself once you approve.`
              : `TokenDeck opened the ${p.provider} sign-in page for ${p.label} in your browser. Sign in there; TokenDeck continues by itself.`}
          </Dialog.Description>

          {device ? (
            <div className={styles.codeRow}>
              <output className={styles.code} aria-label="Code to enter" data-testid="login-code">
                {p.userCode}
              </output>
              <button
                type="button"
                className={cx(button.button, button.small)}
                onClick={asyncHandler('login-prompt: copy', copy)}
              >
                <Copy aria-hidden size={14} /> {copied ? 'Copied' : 'Copy code'}
              </button>
            </div>
          ) : null}

          <div className={styles.page}>
            <span className={styles.pageLabel}>{device ? 'Page' : 'Sign-in page'}</span>
            <span className={styles.url} data-testid="login-url" title={p.url}>
              {p.url}
            </span>
          </div>

          <Countdown expiresAt={p.expiresAt} what={device ? 'code' : 'sign-in'} />
          {props.waiting > 0 ? (
            <p className={styles.more}>
              {props.waiting === 1
                ? 'One more sign-in waits after this one.'
                : `${props.waiting} more sign-ins wait after this one.`}
            </p>
          ) : null}
          <span className="sr-only" aria-live="polite">
            {copied ? 'Code copied.' : ''}
          </span>

          <div className={dialog.actions}>
            <button
              type="button"
              className={button.button}
              disabled={busy}
              onClick={asyncHandler('login-prompt: cancel', cancel)}
            >
              Cancel
            </button>
            <button
              ref={primary}
              type="button"
              className={cx(button.button, button.primary)}
              disabled={busy}
              onClick={asyncHandler('login-prompt: open', open)}
            >
              <ExternalLink aria-hidden size={15} /> {device ? 'Open page' : 'Open again'}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}
