// Custom providers: import a profile JSON file (read here, validated by main), list and remove.
import { useId, useRef, useState, type ChangeEvent } from 'react'
import { FileJson, Trash2 } from 'lucide-react'
import type { Failure } from '../../../shared/result'
import { api } from '../api'
import { asyncHandler } from '../lib/async-handler'
import { useApp } from '../lib/app-store'
import { toast, toastFailure } from '../lib/toast-store'
import { ErrorBox } from './ErrorBox'
import button from '../styles/button.module.css'
import { cx } from '../styles/cx'
import form from '../styles/form.module.css'
import layout from '../styles/layout.module.css'
import styles from './ProviderImport.module.css'

const MAX_BYTES = 256 * 1024

function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result ?? ''))
    reader.onerror = () => reject(reader.error ?? new Error('read failed'))
    reader.readAsText(file)
  })
}

export function ProviderImport(_props: { version: number }) {
  const { providers } = useApp()
  const [failure, setFailure] = useState<Failure | null>(null)
  const [busy, setBusy] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  const id = useId()
  const imported = providers.filter((p) => !p.builtin)
  const problems = failure?.details?.problems
  const problemList = Array.isArray(problems) ? problems : []

  async function onFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0]
    e.target.value = ''
    if (!file) return
    setFailure(null)
    if (file.size > MAX_BYTES) {
      setFailure({
        ok: false,
        code: 'VALIDATION_FAILED',
        message: 'A profile file is at most 256 KiB.',
      })
      return
    }
    setBusy(true)
    let text: string
    try {
      text = await readText(file)
    } catch {
      setBusy(false)
      setFailure({ ok: false, code: 'VALIDATION_FAILED', message: 'The file could not be read.' })
      return
    }
    const r =
      text.trim() === ''
        ? ({ ok: false, code: 'VALIDATION_FAILED', message: 'The file is empty.' } as const)
        : await api().providers.import(text)
    setBusy(false)
    if (r.ok) toast('ok', `Imported ${r.value.name}`, 'It is now offered when adding an account.')
    else setFailure(r)
  }

  return (
    <section className={layout.card} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Custom providers</h2>
      <p className={form.hint}>
        Describe another token API as a JSON provider profile (see docs/providers.md) and import it.
      </p>
      {imported.length > 0 ? (
        <ul className={cx(layout.plainList, styles.providers)} data-testid="imported-providers">
          {imported.map((p) => (
            <li key={p.id}>
              <span>
                <strong>{p.name}</strong> <span className="muted small">({p.id})</span>
                {p.description ? <span className="muted small block">{p.description}</span> : null}
              </span>
              <button
                type="button"
                className={button.icon}
                aria-label={`Remove provider ${p.name}`}
                onClick={asyncHandler('providers: remove', async () => {
                  const r = await api().providers.remove(p.id)
                  if (r.ok) toast('ok', `Removed ${p.name}`)
                  else toastFailure(r)
                })}
              >
                <Trash2 aria-hidden size={16} />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <input
        ref={input}
        id={`${id}-file`}
        className="sr-only"
        type="file"
        accept=".json,application/json"
        aria-label="Provider profile file"
        onChange={(e) => void onFile(e)}
      />
      <div>
        <button
          type="button"
          className={button.button}
          disabled={busy}
          onClick={() => input.current?.click()}
        >
          <FileJson aria-hidden size={16} /> Import a provider profile…
        </button>
      </div>
      {failure ? (
        <div data-testid="import-problems">
          <ErrorBox failure={failure} extra={problemList} />
        </div>
      ) : null}
    </section>
  )
}
