// Settings: clipboard, auto-lock, token behaviour and shortcut; protection; the agent; the
// gateway; the shared ledger; the tokendeck command; imported providers.
import { useEffect, useId, useState, type FormEvent } from 'react'
import { Lock } from 'lucide-react'
import type { AppStatus } from '../../../shared/ipc/schemas'
import type { Failure } from '../../../shared/result'
import type { VaultSettings } from '../../../shared/settings'
import { api } from '../api'
import { asyncHandler } from '../lib/async-handler'
import { useApp } from '../lib/app-store'
import { toast } from '../lib/toast-store'
import { AgentSettings } from './AgentSettings'
import { CliCommandSettings } from './CliCommandSettings'
import { ErrorBox } from './ErrorBox'
import { GatewaySettings } from './GatewaySettings'
import { LedgerSettings } from './LedgerSettings'
import { ProtectionSettings } from './ProtectionSettings'
import { ProviderImport } from './ProviderImport'
import { lockNow } from './Shell'
import button from '../styles/button.module.css'
import { cx } from '../styles/cx'
import form from '../styles/form.module.css'
import layout from '../styles/layout.module.css'
import styles from './SettingsScreen.module.css'

type Draft = Record<
  | 'clipboardClearSeconds'
  | 'autoLockMinutes'
  | 'expirySkewSeconds'
  | 'renewBeforeMinutes'
  | 'warnBeforeMinutes'
  | 'refusalMintIntervalSeconds'
  | 'globalShortcut',
  string
> & { revokeOnReplace: 'default' | 'on' | 'off' }

const LIMITS = {
  clipboardClearSeconds: [5, 600],
  autoLockMinutes: [0, 1440],
  expirySkewSeconds: [0, 3600],
  renewBeforeMinutes: [1, 1440],
  warnBeforeMinutes: [1, 1440],
  refusalMintIntervalSeconds: [10, 86400],
} as const

function toDraft(s: VaultSettings): Draft {
  return {
    clipboardClearSeconds: String(s.clipboardClearSeconds),
    autoLockMinutes: String(s.autoLockMinutes),
    expirySkewSeconds: String(s.expirySkewSeconds),
    renewBeforeMinutes: String(s.renewBeforeMinutes),
    warnBeforeMinutes: String(s.warnBeforeMinutes),
    refusalMintIntervalSeconds: String(s.refusalMintIntervalSeconds),
    globalShortcut: s.globalShortcut,
    revokeOnReplace: s.revokeOnReplace === null ? 'default' : s.revokeOnReplace ? 'on' : 'off',
  }
}

function problemOf(name: keyof typeof LIMITS, value: string): string | null {
  const [min, max] = LIMITS[name]
  const n = Number(value)
  return Number.isInteger(n) && n >= min && n <= max
    ? null
    : `A whole number from ${min} to ${max}.`
}

export function SettingsScreen({ status }: { status: AppStatus }) {
  const { version } = useApp()
  const [draft, setDraft] = useState<Draft | null>(null)
  const [failure, setFailure] = useState<Failure | null>(null)
  const [busy, setBusy] = useState(false)
  const id = useId()

  useEffect(() => {
    void api()
      .settings.get()
      .then((r) => (r.ok ? setDraft(toDraft(r.value)) : setFailure(r)))
  }, [])

  const problems = draft
    ? {
        clipboardClearSeconds: problemOf('clipboardClearSeconds', draft.clipboardClearSeconds),
        autoLockMinutes: problemOf('autoLockMinutes', draft.autoLockMinutes),
        expirySkewSeconds: problemOf('expirySkewSeconds', draft.expirySkewSeconds),
        renewBeforeMinutes: problemOf('renewBeforeMinutes', draft.renewBeforeMinutes),
        warnBeforeMinutes: problemOf('warnBeforeMinutes', draft.warnBeforeMinutes),
        refusalMintIntervalSeconds: problemOf(
          'refusalMintIntervalSeconds',
          draft.refusalMintIntervalSeconds,
        ),
      }
    : null
  const valid = problems !== null && Object.values(problems).every((p) => p === null)

  async function save(e: FormEvent) {
    e.preventDefault()
    if (!draft || !valid) return
    setBusy(true)
    const r = await api().settings.update({
      clipboardClearSeconds: Number(draft.clipboardClearSeconds),
      autoLockMinutes: Number(draft.autoLockMinutes),
      expirySkewSeconds: Number(draft.expirySkewSeconds),
      renewBeforeMinutes: Number(draft.renewBeforeMinutes),
      warnBeforeMinutes: Number(draft.warnBeforeMinutes),
      refusalMintIntervalSeconds: Number(draft.refusalMintIntervalSeconds),
      globalShortcut: draft.globalShortcut.trim(),
      revokeOnReplace: draft.revokeOnReplace === 'default' ? null : draft.revokeOnReplace === 'on',
    })
    setBusy(false)
    setFailure(r.ok ? null : r)
    if (r.ok) {
      setDraft(toDraft(r.value))
      toast('ok', 'Settings saved')
    }
  }

  const number = (name: keyof typeof LIMITS, label: string, unit: string, help: string) =>
    draft ? (
      <div className={form.field}>
        <label htmlFor={`${id}-${name}`}>{label}</label>
        <span className={styles.withUnit}>
          <input
            id={`${id}-${name}`}
            type="number"
            inputMode="numeric"
            min={LIMITS[name][0]}
            max={LIMITS[name][1]}
            value={draft[name]}
            aria-invalid={problems?.[name] ? true : undefined}
            aria-describedby={`${id}-${name}-help`}
            onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
          />
          <span className="muted">{unit}</span>
        </span>
        <span id={`${id}-${name}-help`} className={problems?.[name] ? form.fieldError : form.hint}>
          {problems?.[name] ?? help}
        </span>
      </div>
    ) : null

  return (
    <main className={layout.screen} aria-labelledby="settings-title">
      <header className={layout.head}>
        <h1 id="settings-title">Settings</h1>
        <button type="button" className={button.button} onClick={() => void lockNow()}>
          <Lock aria-hidden size={16} /> Lock now
        </button>
      </header>
      <div className={cx(layout.scrollBody, styles.settings)} data-testid="settings-body">
        <section className={layout.card} aria-labelledby={`${id}-general`}>
          <h2 id={`${id}-general`}>Tokens and clipboard</h2>
          {draft ? (
            <form className={form.stack} onSubmit={asyncHandler('settings: save', save)}>
              <div className={form.grid2}>
                {number(
                  'clipboardClearSeconds',
                  'Clear the clipboard after',
                  'seconds',
                  'Only if it still holds the copied header.',
                )}
                {number('autoLockMinutes', 'Lock when idle for', 'minutes', '0 never locks.')}
                {number(
                  'expirySkewSeconds',
                  'Renew tokens expiring within',
                  'seconds',
                  'Such a token is not handed out; a new one is minted.',
                )}
                {number(
                  'renewBeforeMinutes',
                  'Renew keep-ready tokens',
                  'minutes early',
                  'For accounts set to keep a valid token ready, while TokenDeck runs.',
                )}
                {number(
                  'warnBeforeMinutes',
                  'Warn if a token cannot renew',
                  'minutes early',
                  'Accounts that do not remember their secret: a notification and a tray line.',
                )}
                {number(
                  'refusalMintIntervalSeconds',
                  'After a server refuses a token, replace it at most every',
                  'seconds',
                  'A 401 or 403 makes a token suspect; it is replaced at most this often, so a refusal never fills a cap.',
                )}
                <div className={form.field}>
                  <label htmlFor={`${id}-revoke`}>Old token when logging in again</label>
                  <select
                    id={`${id}-revoke`}
                    value={draft.revokeOnReplace}
                    onChange={(e) =>
                      setDraft({
                        ...draft,
                        revokeOnReplace: e.target.value as Draft['revokeOnReplace'],
                      })
                    }
                  >
                    <option value="default">Revoke if capped (default)</option>
                    <option value="on">Always revoke</option>
                    <option value="off">Keep it</option>
                  </select>
                </div>
                <div className={form.field}>
                  <label htmlFor={`${id}-shortcut`}>Global shortcut</label>
                  <input
                    id={`${id}-shortcut`}
                    type="text"
                    spellCheck={false}
                    value={draft.globalShortcut}
                    aria-describedby={`${id}-shortcut-help`}
                    onChange={(e) => setDraft({ ...draft, globalShortcut: e.target.value })}
                  />
                  <span id={`${id}-shortcut-help`} className={form.hint}>
                    Shows TokenDeck with the search box, e.g. CommandOrControl+Shift+K. Empty: none.
                  </span>
                </div>
              </div>
              {failure ? <ErrorBox failure={failure} /> : null}
              <div>
                <button
                  type="submit"
                  className={cx(button.button, button.primary)}
                  disabled={busy || !valid}
                >
                  Save settings
                </button>
              </div>
            </form>
          ) : failure ? (
            <ErrorBox failure={failure} />
          ) : null}
        </section>
        <ProtectionSettings status={status} />
        <AgentSettings />
        <GatewaySettings status={status} version={version} />
        <LedgerSettings demo={status.demo} />
        <CliCommandSettings />
        <ProviderImport version={version} />
      </div>
    </main>
  )
}
