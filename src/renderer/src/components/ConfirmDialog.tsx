// A confirmation (Radix AlertDialog) with one or more actions; Cancel (or its own label) comes first.
import { useState, type ReactNode } from 'react'
import { AlertDialog } from 'radix-ui'
import { asyncHandler } from '../lib/async-handler'
import button from '../styles/button.module.css'
import { cx } from '../styles/cx'
import dialog from '../styles/dialog.module.css'

export interface ConfirmAction {
  label: string
  tone?: 'primary' | 'danger'
  run: () => Promise<void>
}

export function ConfirmDialog(props: {
  title: string
  children: ReactNode
  actions: ConfirmAction[]
  onClose: () => void
  /** The first button, which closes without acting (default "Cancel"). */
  cancelLabel?: string
}) {
  const [busy, setBusy] = useState(false)
  return (
    <AlertDialog.Root open onOpenChange={(open) => !open && !busy && props.onClose()}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className={dialog.overlay} />
        <AlertDialog.Content className={cx(dialog.dialog, dialog.narrow)}>
          <AlertDialog.Title className={dialog.title}>{props.title}</AlertDialog.Title>
          <AlertDialog.Description asChild>
            <div className={dialog.text}>{props.children}</div>
          </AlertDialog.Description>
          <div className={dialog.actions}>
            <AlertDialog.Cancel className={button.button} disabled={busy}>
              {props.cancelLabel ?? 'Cancel'}
            </AlertDialog.Cancel>
            {props.actions.map((a) => (
              <button
                key={a.label}
                type="button"
                className={cx(button.button, button[a.tone ?? 'primary'])}
                disabled={busy}
                onClick={asyncHandler('confirm-dialog: action', async () => {
                  setBusy(true)
                  try {
                    await a.run()
                  } finally {
                    setBusy(false)
                  }
                  props.onClose()
                })}
              >
                {a.label}
              </button>
            ))}
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  )
}
