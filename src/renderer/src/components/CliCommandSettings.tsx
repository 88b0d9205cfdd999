// Settings › Command line: "Install the tokendeck command", after VS Code's "Install 'code'
// command in PATH". Main writes a small launcher into a PATH folder that starts this app's own
// command line, so terminals and scripts need no Node. Shows where it is, whether terminals will
// find it and what to add if not; macOS's shared /usr/local/bin is written only after a yes.
import { useEffect, useId, useState } from 'react'
import { SquareTerminal, Trash2 } from 'lucide-react'
import type { CliCommandView } from '../../../shared/ipc/schemas'
import type { Failure } from '../../../shared/result'
import { api } from '../api'
import { asyncHandler } from '../lib/async-handler'
import { toast } from '../lib/toast-store'
import { ConfirmDialog } from './ConfirmDialog'
import { ErrorBox } from './ErrorBox'
import button from '../styles/button.module.css'
import chips from '../styles/chip.module.css'
import { cx } from '../styles/cx'
import form from '../styles/form.module.css'
import layout from '../styles/layout.module.css'
import styles from './CliCommandSettings.module.css'

const CHIP: Record<CliCommandView['state'], { text: string; tone?: string | undefined }> = {
  installed: { text: 'Installed', tone: chips.active },
  outdated: { text: 'Needs an update', tone: chips.expiring },
  absent: { text: 'Not installed' },
  foreign: { text: 'Another file is there', tone: chips.expired },
}

/** Where the command is, in a sentence. */
function where(c: CliCommandView) {
  const file = <code>{c.file}</code>
  if (c.state === 'installed')
    return <>The command is {file}; it starts this app&apos;s command line.</>
  if (c.state === 'outdated')
    return <>{file} starts TokenDeck from another place: update it to start this copy.</>
  if (c.state === 'foreign')
    return <>{file} exists and TokenDeck did not write it, so TokenDeck leaves it alone.</>
  return <>TokenDeck writes {file}, a few lines that start this app&apos;s command line.</>
}

export function CliCommandSettings() {
  const id = useId()
  const [cmd, setCmd] = useState<CliCommandView | null>(null)
  const [failure, setFailure] = useState<Failure | null>(null)
  const [busy, setBusy] = useState(false)
  const [confirm, setConfirm] = useState(false)

  useEffect(() => {
    void api()
      .cliCommand.status()
      .then((r) => (r.ok ? setCmd(r.value) : setFailure(r)))
  }, [])

  async function act(kind: 'install' | 'remove', consent = false) {
    setBusy(true)
    const r =
      kind === 'install' ? await api().cliCommand.install(consent) : await api().cliCommand.remove()
    setBusy(false)
    setFailure(r.ok ? null : r)
    if (!r.ok) return
    setCmd(r.value.command)
    if (kind === 'remove') toast('ok', r.value.changed ? 'Command removed' : 'No command to remove')
    else
      toast('ok', r.value.changed ? 'Command installed' : 'Already installed', r.value.command.file)
  }

  async function install() {
    if (cmd?.needsConsent) setConfirm(true)
    else await act('install')
  }

  const chip = cmd ? CHIP[cmd.state] : null
  const advice = cmd?.pathAdvice ?? null
  return (
    <section className={layout.card} aria-labelledby={`${id}-cli`} data-testid="cli-command">
      <h2 id={`${id}-cli`}>Command line</h2>
      <p className="muted">
        The <code>tokendeck</code> command opens this vault from terminals and scripts. Installed
        from here it runs the copy of the command line inside this app: no Node needed.
      </p>
      {cmd && chip ? (
        <>
          <p className={styles.status} role="status" data-testid="cli-command-status">
            <span className={cx(chips.chip, chip.tone)}>{chip.text}</span>
            <span>{where(cmd)}</span>
          </p>
          {cmd.state !== 'foreign' && !cmd.onPath && advice ? (
            <div className={styles.advice} data-testid="cli-command-path">
              <p className={form.hint}>
                <code>{cmd.folder}</code> is not on your PATH, so terminals will not find it yet.{' '}
                {advice.file ? (
                  <>
                    Add this line to <code>{advice.file}</code>, then open a new terminal:
                  </>
                ) : (
                  <>Run this once, then open a new terminal:</>
                )}
              </p>
              <pre className={styles.line}>{advice.line}</pre>
            </div>
          ) : null}
          {cmd.shadowedBy ? (
            <p className={form.hint} data-testid="cli-command-shadowed">
              A terminal finds <code>{cmd.shadowedBy}</code> first: put <code>{cmd.folder}</code>{' '}
              before its folder on your PATH.
            </p>
          ) : null}
          <div className={form.rowButtons}>
            {cmd.state === 'absent' || cmd.state === 'outdated' ? (
              <button
                type="button"
                className={cx(button.button, button.primary)}
                disabled={busy}
                onClick={asyncHandler('cli command: install', install)}
              >
                <SquareTerminal aria-hidden size={16} />
                {cmd.state === 'absent' ? (
                  <span>
                    Install the <code>tokendeck</code> command
                  </span>
                ) : (
                  <span>Update the command</span>
                )}
              </button>
            ) : null}
            {cmd.state === 'installed' || cmd.state === 'outdated' ? (
              <button
                type="button"
                className={button.button}
                disabled={busy}
                onClick={asyncHandler('cli command: remove', () => act('remove'))}
              >
                <Trash2 aria-hidden size={16} /> Remove the command
              </button>
            ) : null}
          </div>
        </>
      ) : null}
      {failure ? <ErrorBox failure={failure} /> : null}
      {confirm && cmd ? (
        <ConfirmDialog
          title={`Install the command into ${cmd.folder}?`}
          actions={[{ label: 'Install', run: () => act('install', true) }]}
          onClose={() => setConfirm(false)}
        >
          <p>
            TokenDeck writes <code>{cmd.file}</code>, a few lines that start this app&apos;s command
            line. That folder is shared by every user of this Mac.
          </p>
          <p>
            If writing there needs an administrator, TokenDeck says so and does not ask for those
            rights.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  )
}
