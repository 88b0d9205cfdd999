// Settings for the app's gateway: on and off, its port, whether it runs, the access token (copy,
// make a new one) and each account's gateway URL (copy) with its policy in words. Main holds the
// access token and puts copies on the clipboard; neither it nor any account token comes here.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { Copy, KeyRound, Network } from 'lucide-react'
import { Switch } from 'radix-ui'
import type { AppStatus, GatewayStatusView } from '../../../shared/ipc/schemas'
import type { Failure } from '../../../shared/result'
import type { VaultSettings } from '../../../shared/settings'
import { api } from '../api'
import { asyncHandler } from '../lib/async-handler'
import { gatewayFailureWords } from '../lib/error-words'
import { toast, toastFailure } from '../lib/toast-store'
import { ConfirmDialog } from './ConfirmDialog'
import { ErrorBox } from './ErrorBox'
import button from '../styles/button.module.css'
import chips from '../styles/chip.module.css'
import { cx } from '../styles/cx'
import form from '../styles/form.module.css'
import layout from '../styles/layout.module.css'
import styles from './GatewaySettings.module.css'

const PORT_MIN = 1024
const PORT_MAX = 65535

function portProblem(value: string): string | null {
  const n = Number(value)
  return value.trim() !== '' && Number.isInteger(n) && n >= PORT_MIN && n <= PORT_MAX
    ? null
    : `A whole number from ${PORT_MIN} to ${PORT_MAX}.`
}

interface Saved {
  enabled: boolean
  port: number
  clearSeconds: number
}

/** One sentence on whether the gateway runs, and a chip. */
function StatusLine({ gw, saved, demo }: { gw: GatewayStatusView; saved: Saved; demo: boolean }) {
  let chip: { text: string; tone?: string }
  let text: string
  if (gw.state === 'running') {
    chip = { text: 'Running', tone: chips.active }
    text = demo
      ? `Listens on ${gw.origin} for your own vault, which stays locked during the demo: clients get 503 until you leave the demo and unlock.`
      : `Listens on ${gw.origin}. Send requests to the account URLs below.`
  } else if (gw.state === 'failed' && gw.failure) {
    chip = { text: 'Not running', tone: chips.expired }
    text = `${gatewayFailureWords(gw.failure.code)} ${gw.failure.message}`
  } else if (saved.enabled && !demo) {
    chip = { text: 'Starting' }
    text = `Starting on 127.0.0.1:${saved.port}…`
  } else {
    chip = { text: 'Off' }
    text = demo
      ? 'The gateway serves your own vault, not the demo: leave the demo to set it up.'
      : 'Turn it on to let local tools reach your accounts without holding their tokens.'
  }
  return (
    <p className={styles.status} role="status" data-testid="gateway-status">
      <span className={cx(chips.chip, chip.tone)}>{chip.text}</span>
      <span>{text}</span>
    </p>
  )
}

export function GatewaySettings({ status, version }: { status: AppStatus; version: number }) {
  const id = useId()
  const demo = status.demo
  const [saved, setSaved] = useState<Saved | null>(null)
  const [portDraft, setPortDraft] = useState('')
  const [gw, setGw] = useState<GatewayStatusView | null>(null)
  const [failure, setFailure] = useState<Failure | null>(null)
  const [busy, setBusy] = useState(false)
  const [confirmNew, setConfirmNew] = useState(false)
  /** The port last saved: a port being typed is replaced only when that changes. */
  const savedPort = useRef<number | null>(null)

  function adopt(s: VaultSettings) {
    if (savedPort.current !== s.gatewayPort) setPortDraft(String(s.gatewayPort))
    savedPort.current = s.gatewayPort
    setSaved({
      enabled: s.gatewayEnabled,
      port: s.gatewayPort,
      clearSeconds: s.clipboardClearSeconds,
    })
  }

  useEffect(() => {
    const load = () =>
      void api()
        .gateway.status()
        .then((r) => {
          setGw(r.ok ? r.value : null)
          setFailure(r.ok ? null : r)
        })
    load()
    return api().gateway.onChanged(load)
  }, [version])

  useEffect(() => {
    void api()
      .settings.get()
      .then((r) => r.ok && adopt(r.value))
  }, [version])

  async function update(patch: { gatewayEnabled?: boolean; gatewayPort?: number }) {
    setBusy(true)
    const r = await api().settings.update(patch)
    setBusy(false)
    if (!r.ok) return toastFailure(r)
    adopt(r.value)
  }

  const problem = portProblem(portDraft)
  const portChanged = saved !== null && problem === null && Number(portDraft) !== saved.port

  async function savePort(e: FormEvent) {
    e.preventDefault()
    if (!portChanged) return
    await update({ gatewayPort: Number(portDraft) })
  }

  async function copyToken() {
    const r = await api().gateway.copyAccessToken()
    if (!r.ok) return toastFailure(r)
    toast('ok', 'Access token copied', `The clipboard clears in ${r.value.clearsInSeconds} s.`)
  }

  async function copyUrl(accountId: string) {
    const r = await api().gateway.copyUrl(accountId)
    if (!r.ok) return toastFailure(r)
    toast(
      'ok',
      `Gateway URL of ${r.value.label ?? 'the account'} copied`,
      `The clipboard clears in ${r.value.clearsInSeconds} s.`,
    )
  }

  async function newToken() {
    const r = await api().gateway.newAccessToken()
    if (!r.ok) return toastFailure(r)
    setGw(r.value)
    toast(
      'ok',
      'New access token made',
      'The old one no longer works: copy the new one to your clients.',
    )
  }

  const running = gw?.state === 'running' && !demo ? gw : null
  const example = running?.accounts[0]?.url

  return (
    <section className={layout.card} aria-labelledby={`${id}-gateway`}>
      <h2 id={`${id}-gateway`}>Gateway (local proxy)</h2>
      <p className="muted">
        A proxy on 127.0.0.1 that adds an account&apos;s <code>Authorization</code> header, so a
        tool sends <code>/LABEL/path</code> to the gateway instead of holding the token. Requests
        from web pages are refused unless the account allows their origin.
      </p>
      {failure ? <ErrorBox failure={failure} /> : null}
      {saved ? (
        <div className={styles.controls}>
          <div className={styles.switchRow}>
            <Switch.Root
              id={`${id}-on`}
              className={styles.switch}
              checked={saved.enabled}
              disabled={busy || demo}
              onCheckedChange={asyncHandler('gateway: on/off', (on: boolean) =>
                update({ gatewayEnabled: on }),
              )}
            >
              <Switch.Thumb className={styles.thumb} />
            </Switch.Root>
            <label htmlFor={`${id}-on`}>Run the gateway while TokenDeck is open</label>
          </div>
          {gw ? <StatusLine gw={gw} saved={saved} demo={demo} /> : null}
          <form onSubmit={asyncHandler('gateway: port', savePort)}>
            <div className={form.field}>
              <label htmlFor={`${id}-port`}>Port on 127.0.0.1</label>
              <span className={styles.portRow}>
                <input
                  id={`${id}-port`}
                  type="number"
                  inputMode="numeric"
                  min={PORT_MIN}
                  max={PORT_MAX}
                  value={portDraft}
                  disabled={demo}
                  aria-invalid={problem ? true : undefined}
                  aria-describedby={`${id}-port-help`}
                  onChange={(e) => setPortDraft(e.target.value)}
                />
                <button
                  type="submit"
                  className={cx(button.button, button.small)}
                  disabled={busy || !portChanged || demo}
                >
                  Use this port
                </button>
              </span>
              <span id={`${id}-port-help`} className={problem ? form.fieldError : form.hint}>
                {problem ?? 'The gateway moves there at once; clients need the new URL.'}
              </span>
            </div>
          </form>
        </div>
      ) : null}

      {!demo ? (
        <div className={styles.part}>
          <h3>Access token</h3>
          <p className={form.hint}>
            Clients send it in the <code>X-TokenDeck-Gateway</code> header. It is kept in the vault
            and never shown here: copy it into your tool; the clipboard clears after{' '}
            {saved?.clearSeconds ?? 30} s.
          </p>
          <div className={form.rowButtons}>
            <button
              type="button"
              className={button.button}
              onClick={asyncHandler('gateway: copy access token', copyToken)}
            >
              <Copy aria-hidden size={16} /> Copy access token
            </button>
            <button type="button" className={button.button} onClick={() => setConfirmNew(true)}>
              <KeyRound aria-hidden size={16} /> New access token…
            </button>
          </div>
        </div>
      ) : null}

      {running ? (
        <div className={styles.part}>
          <h3>Accounts</h3>
          {running.accounts.length === 0 ? (
            <p className="muted">No accounts yet.</p>
          ) : (
            <ul className={cx(layout.plainList, styles.accounts)} data-testid="gateway-accounts">
              {running.accounts.map((a) => (
                <li key={a.accountId} data-gateway-account={a.label}>
                  <Network aria-hidden size={16} />
                  <span className={styles.account}>
                    <span className={styles.label}>{a.label}</span>
                    <code className={styles.url}>{a.url}</code>
                    <span className="muted small">
                      Forwards to {a.baseUrl} · {a.policy}
                    </span>
                  </span>
                  <button
                    type="button"
                    className={cx(button.button, button.small)}
                    aria-label={`Copy URL of ${a.label}`}
                    disabled={a.url === null}
                    onClick={asyncHandler('gateway: copy url', () => copyUrl(a.accountId))}
                  >
                    <Copy aria-hidden size={14} /> Copy URL
                  </button>
                </li>
              ))}
            </ul>
          )}
          {example ? (
            <p className={form.hint}>
              For example: <code>curl -H &quot;X-TokenDeck-Gateway: $TOKEN&quot; {example}…</code>
            </p>
          ) : null}
        </div>
      ) : null}

      {confirmNew ? (
        <ConfirmDialog
          title="Make a new access token?"
          actions={[{ label: 'Make a new token', tone: 'danger', run: newToken }]}
          onClose={() => setConfirmNew(false)}
        >
          <p>
            The current token stops working at once: every client that uses it gets 401 until it has
            the new one.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  )
}
