// Asks for an account's secret when it does not remember it, or for the one-time code a login
// needs (NO_SECRET names which), then retries with it.
import { useId, useState, type FormEvent } from 'react'
import { Dialog } from 'radix-ui'
import type { ProviderView } from '../../../shared/ipc/schemas'
import type { AccountView } from '../../../shared/views'
import type { Failure } from '../../../shared/result'
import { ownValue } from '../../../shared/json-path'
import { isOneTimeField, isSecretField } from '../../../shared/providers/field-roles'
import { asyncHandler } from '../lib/async-handler'
import { ErrorBox } from './ErrorBox'
import button from '../styles/button.module.css'
import { cx } from '../styles/cx'
import dialog from '../styles/dialog.module.css'
import form from '../styles/form.module.css'

export function SecretDialog(props: {
  account: AccountView
  provider: ProviderView | undefined
  purpose: 'copy' | 'login'
  /** The fields the login needs (NO_SECRET's details.fields); every secret field when absent. */
  needed?: readonly string[] | undefined
  /** Returns a failure to show, or null when done. */
  submit: (secrets: Record<string, string>) => Promise<Failure | null>
  onClose: () => void
}) {
  const fields = (props.provider?.fields ?? [])
    .filter(isSecretField)
    .filter((f) => !props.needed || props.needed.includes(f.name))
  const onlyCodes = fields.length > 0 && fields.every(isOneTimeField)
  const [values, setValues] = useState<Record<string, string>>({})
  const [error, setError] = useState<Failure | null>(null)
  const [busy, setBusy] = useState(false)
  const baseId = useId()
  const ready = fields.every((f) => !f.required || (ownValue(values, f.name) ?? '') !== '')

  async function onSubmit(e: FormEvent) {
    e.preventDefault()
    if (!ready) return
    setBusy(true)
    const failure = await props.submit(values)
    setBusy(false)
    // The typed secret is not kept once it has been used.
    setValues({})
    if (failure) setError(failure)
    else props.onClose()
  }

  return (
    <Dialog.Root open onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className={dialog.overlay} />
        <Dialog.Content className={cx(dialog.dialog, dialog.narrow)}>
          <Dialog.Title className={dialog.title}>Log in to {props.account.label}</Dialog.Title>
          <Dialog.Description className={dialog.text}>
            {onlyCodes ? 'A new token needs the current ' : 'This account does not remember its '}
            {fields.map((f) => f.label.toLowerCase()).join(' and ') || 'secret'}. Type it to get a
            new token{props.purpose === 'copy' ? ' and copy the header' : ''}; it is used for this
            login only{onlyCodes ? ' and never stored' : ''}.
          </Dialog.Description>
          <form onSubmit={asyncHandler('secret-dialog: submit', onSubmit)} className={form.stack}>
            {fields.map((f) => (
              <div className={form.field} key={f.name}>
                <label htmlFor={`${baseId}-${f.name}`}>{f.label}</label>
                <input
                  id={`${baseId}-${f.name}`}
                  type={isOneTimeField(f) ? 'text' : 'password'}
                  inputMode={isOneTimeField(f) ? 'numeric' : undefined}
                  autoComplete={isOneTimeField(f) ? 'one-time-code' : 'off'}
                  value={ownValue(values, f.name) ?? ''}
                  onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                />
              </div>
            ))}
            {error ? <ErrorBox failure={error} /> : null}
            <div className={dialog.actions}>
              <Dialog.Close className={button.button} type="button">
                Cancel
              </Dialog.Close>
              <button
                type="submit"
                className={cx(button.button, button.primary)}
                disabled={busy || !ready}
              >
                {props.purpose === 'copy' ? 'Log in and copy' : 'Log in'}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  )
}
