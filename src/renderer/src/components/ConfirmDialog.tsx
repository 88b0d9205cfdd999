// A confirmation (Radix AlertDialog) with one or more actions; Cancel always comes first.
import { useState, type ReactNode } from 'react'
import { AlertDialog } from 'radix-ui'

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
}) {
  const [busy, setBusy] = useState(false)
  return (
    <AlertDialog.Root open onOpenChange={(open) => !open && !busy && props.onClose()}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="overlay" />
        <AlertDialog.Content className="dialog narrow">
          <AlertDialog.Title className="dialog-title">{props.title}</AlertDialog.Title>
          <AlertDialog.Description asChild>
            <div className="dialog-text">{props.children}</div>
          </AlertDialog.Description>
          <div className="dialog-actions">
            <AlertDialog.Cancel className="button" disabled={busy}>
              Cancel
            </AlertDialog.Cancel>
            {props.actions.map((a) => (
              <button
                key={a.label}
                type="button"
                className={`button ${a.tone ?? 'primary'}`}
                disabled={busy}
                onClick={async () => {
                  setBusy(true)
                  await a.run()
                  setBusy(false)
                  props.onClose()
                }}
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
