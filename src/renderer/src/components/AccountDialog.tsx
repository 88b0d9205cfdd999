// Add, sign up or edit an account. The form is generated from the provider profile's fields;
// the base URL is checked against the URL policy as it is typed; server-side field errors appear
// next to their inputs. Adding logs in right away, so the credentials are verified.
import { useId, useMemo, useState, type FormEvent } from 'react'
import { Dialog } from 'radix-ui'
import type { ProviderView } from '../../../shared/ipc/schemas'
import { isOneTimeField, isSecretField } from '../../../shared/providers/field-roles'
import type { ProfileField } from '../../../shared/providers/profile'
import type { Failure } from '../../../shared/result'
import { ownValue } from '../../../shared/json-path'
import { checkUrl } from '../../../shared/url-policy'
import type { AccountView } from '../../../shared/views'
import { api } from '../api'
import { asyncHandler } from '../lib/async-handler'
import { toast, toastFailure } from '../lib/toast-store'
import { ErrorBox } from './ErrorBox'
import { FieldInput } from './FieldInput'
import button from '../styles/button.module.css'
import { cx } from '../styles/cx'
import dialog from '../styles/dialog.module.css'
import form from '../styles/form.module.css'
import styles from './AccountDialog.module.css'

type Mode = 'login' | 'signup'

const LABEL_FIELD = { name: 'label', label: 'Label', kind: 'text', required: true } as const
const URL_FIELD = { name: 'baseUrl', label: 'Base URL', kind: 'text', required: true } as const

export function AccountDialog(props: {
  providers: ProviderView[]
  account?: AccountView
  onClose: () => void
}) {
  const editing = props.account
  const [providerId, setProviderId] = useState(editing?.providerId ?? props.providers[0]?.id ?? '')
  const provider = props.providers.find((p) => p.id === providerId)
  const [mode, setMode] = useState<Mode>('login')
  const [label, setLabel] = useState(editing?.label ?? '')
  const [baseUrl, setBaseUrl] = useState(editing?.baseUrl ?? provider?.defaultBaseUrl ?? '')
  const [values, setValues] = useState<Record<string, string>>(editing ? { ...editing.fields } : {})
  const [remember, setRemember] = useState(editing?.remember ?? true)
  const [failure, setFailure] = useState<Failure | null>(null)
  const [busy, setBusy] = useState(false)
  const baseId = useId()

  const signup =
    !editing && mode === 'signup' && provider?.signupFields ? provider.signupFields : null
  const fields: ProfileField[] = signup ?? provider?.fields ?? []
  // Something to remember: a password or key (a one-time code is never kept, a browser sign-in
  // has none).
  const storable = fields.some((f) => isSecretField(f) && !isOneTimeField(f))
  const urlCheck = useMemo(
    () => (baseUrl.trim() === '' ? null : checkUrl(baseUrl.trim())),
    [baseUrl],
  )
  const urlProblem = urlCheck && !urlCheck.ok ? urlCheck.message : null
  const fieldErrors = failure?.fields ?? {}
  const known = new Set([...fields.map((f) => f.name), 'label', 'baseUrl'])
  const otherErrors = Object.entries(fieldErrors)
    .filter(([name]) => !known.has(name))
    .map(([name, msgs]) => `${name}: ${msgs.join(' ')}`)

  function chooseProvider(id: string) {
    const next = props.providers.find((p) => p.id === id)
    setProviderId(id)
    setBaseUrl(next?.defaultBaseUrl ?? '')
    setValues({})
    setFailure(null)
    if (!next?.signupFields) setMode('login')
  }

  function collect(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const f of fields) {
      const v = ownValue(values, f.name) ?? (f.kind === 'checkbox' ? 'false' : '')
      if (editing && isSecretField(f) && v === '') continue
      if (v !== '') out[f.name] = v
    }
    return out
  }

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (!provider || urlProblem) return
    setBusy(true)
    setFailure(null)
    const fieldValues = collect()
    const usernameField = fields.find((f) => f.role === 'username') ?? fields[0]
    const name = label.trim() || (usernameField ? (fieldValues[usernameField.name] ?? '') : '')
    const base = baseUrl.trim()
    const r = editing
      ? await api().accounts.update(editing.id, {
          label: name,
          baseUrl: base,
          fields: fieldValues,
          remember,
        })
      : signup
        ? await api().accounts.signup({
            providerId,
            label: name,
            ...(base ? { baseUrl: base } : {}),
            fields: fieldValues,
            remember,
          })
        : await api().accounts.add({
            label: name,
            providerId,
            ...(base ? { baseUrl: base } : {}),
            fields: fieldValues,
            remember,
            login: true,
          })
    setBusy(false)
    if (r.ok) {
      toast(
        'ok',
        editing ? `Saved ${r.value.label}` : `Added ${r.value.label}`,
        editing ? '' : r.value.current ? 'Logged in: the credentials work.' : '',
      )
      props.onClose()
    } else if (r.details?.accountKept === true) {
      // The login may have minted a token on the server: the account stays, its token counted
      // as uncertain (the same outcome as in the CLI), so the dialog has nothing left to do.
      toastFailure(r)
      props.onClose()
    } else {
      setFailure(r)
    }
  }

  const title = editing ? `Edit ${editing.label}` : signup ? 'Create an account' : 'Add an account'
  return (
    <Dialog.Root open onOpenChange={(open) => !open && !busy && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className={dialog.overlay} />
        <Dialog.Content
          className={cx(dialog.dialog, dialog.sectioned)}
          aria-describedby={undefined}
        >
          <Dialog.Title className={cx(dialog.title, dialog.head)}>{title}</Dialog.Title>
          <form
            onSubmit={asyncHandler('account-dialog: submit', submit)}
            className={dialog.form}
            noValidate
          >
            <div className={dialog.body}>
              <div className={form.field}>
                <label htmlFor={`${baseId}-provider`}>Provider</label>
                <select
                  id={`${baseId}-provider`}
                  value={providerId}
                  disabled={Boolean(editing)}
                  onChange={(e) => chooseProvider(e.target.value)}
                >
                  {props.providers.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                      {p.builtin ? '' : ' (imported)'}
                    </option>
                  ))}
                </select>
                {provider?.description ? (
                  <span className={form.hint}>{provider.description}</span>
                ) : null}
              </div>
              {!editing && provider?.signupFields ? (
                <div className={styles.segmented} role="radiogroup" aria-label="I have">
                  {(['login', 'signup'] as const).map((m) => (
                    <button
                      key={m}
                      type="button"
                      role="radio"
                      aria-checked={mode === m}
                      className={mode === m ? styles.on : undefined}
                      onClick={() => {
                        setMode(m)
                        setFailure(null)
                      }}
                    >
                      {m === 'login' ? 'An existing account' : 'Create account'}
                    </button>
                  ))}
                </div>
              ) : null}
              <FieldInput
                id={`${baseId}-label`}
                field={LABEL_FIELD}
                value={label}
                placeholder="e.g. acme-prod (defaults to the user name)"
                errors={fieldErrors.label}
                onChange={setLabel}
              />
              {fields.map((f) => (
                <FieldInput
                  key={`${mode}-${f.name}`}
                  id={`${baseId}-${mode}-${f.name}`}
                  field={editing && isSecretField(f) ? { ...f, required: false } : f}
                  value={ownValue(values, f.name) ?? ''}
                  placeholder={editing && isSecretField(f) ? 'Unchanged' : undefined}
                  errors={fieldErrors[f.name]}
                  onChange={(v) => setValues({ ...values, [f.name]: v })}
                />
              ))}
              <FieldInput
                id={`${baseId}-url`}
                field={URL_FIELD}
                value={baseUrl}
                errors={urlProblem ? [urlProblem] : fieldErrors.baseUrl}
                onChange={setBaseUrl}
              />
              {storable ? (
                <label className={form.check}>
                  <input
                    type="checkbox"
                    checked={remember}
                    onChange={(e) => setRemember(e.target.checked)}
                  />
                  Remember secret for automatic re-login
                </label>
              ) : null}
              {provider &&
              (provider.signIn === 'oauth-code' || provider.signIn === 'oauth-device') ? (
                <p className="muted small" data-testid="browser-sign-in-note">
                  {provider.signIn === 'oauth-device'
                    ? `You sign in to ${provider.name} in a browser with a code TokenDeck shows you; `
                    : `You sign in to ${provider.name} in your browser; `}
                  TokenDeck keeps only the tokens it gets.
                </p>
              ) : null}
            </div>
            <div className={dialog.foot}>
              {failure ? <ErrorBox failure={failure} extra={otherErrors} /> : null}
              <div className={dialog.actions}>
                <Dialog.Close className={button.button} type="button" disabled={busy}>
                  Cancel
                </Dialog.Close>
                <button
                  type="submit"
                  className={cx(button.button, button.primary)}
                  disabled={busy || !provider || urlProblem !== null}
                >
                  {busy
                    ? 'Checking…'
                    : editing
                      ? 'Save'
                      : signup
                        ? 'Create account'
                        : 'Add and log in'}
                </button>
              </div>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}
