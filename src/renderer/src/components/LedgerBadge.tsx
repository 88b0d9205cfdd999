// A shared organization's ledger state in its header ("Shared · connected", "Shared · offline"),
// a button that opens a popover with what the state means and who holds the tokens, by machine
// name, this machine marked. Words carry the state; the colour only repeats it.
import { useId } from 'react'
import { CloudCheck, CloudOff, Loader } from 'lucide-react'
import { Popover } from 'radix-ui'
import { elsewhereText, holderTokens, LEDGER_OFFLINE_WORDS } from '../../../shared/ledger-words'
import type { CapUsage, SharedOrgView } from '../../../shared/views'
import { cx } from '../styles/cx'
import styles from './LedgerBadge.module.css'

const STATE: Record<SharedOrgView['state'], { word: string; sentence: string }> = {
  connected: {
    word: 'connected',
    sentence:
      'Counted across every machine that shares this organization; changes show here as they happen.',
  },
  offline: {
    word: 'offline',
    sentence: `The shared ledger cannot be reached. ${LEDGER_OFFLINE_WORDS}`,
  },
  unknown: {
    word: 'connecting',
    sentence: 'Reading the shared ledger; the count shown is this machine’s own.',
  },
}

export function LedgerBadge(props: { org: string; shared: SharedOrgView; cap: CapUsage | null }) {
  const { shared, cap } = props
  const id = useId()
  const s = STATE[shared.state]
  const Icon =
    shared.state === 'offline' ? CloudOff : shared.state === 'connected' ? CloudCheck : Loader
  return (
    <Popover.Root>
      <Popover.Trigger
        className={cx(styles.badge, styles[shared.state])}
        data-testid="ledger-state"
        data-ledger={shared.state}
        aria-describedby={`${id}-why`}
      >
        <Icon aria-hidden size={13} />
        <span>Shared · {s.word}</span>
      </Popover.Trigger>
      <span id={`${id}-why`} className="sr-only">
        {s.sentence}
      </span>
      <Popover.Portal>
        <Popover.Content
          className={styles.popover}
          sideOffset={6}
          align="start"
          aria-label={`Shared ledger of ${props.org}`}
          data-testid="ledger-popover"
        >
          <p className={styles.title}>
            <Icon aria-hidden size={15} className={styles[shared.state]} />
            Shared ledger: {s.word}
          </p>
          <p className={styles.sentence}>{s.sentence}</p>
          {cap && shared.here !== null && shared.elsewhere !== null ? (
            <p className={styles.split}>
              {cap.used} of {cap.max} tokens in use: {shared.here} here,{' '}
              {elsewhereText(shared.elsewhere)}.
            </p>
          ) : null}
          <p className={styles.heading} id={`${id}-holders`}>
            Held by
          </p>
          {shared.holders.length === 0 ? (
            <p className="muted small">No machine holds a token.</p>
          ) : (
            <ul
              className={styles.holders}
              aria-labelledby={`${id}-holders`}
              data-testid="ledger-holders"
            >
              {shared.holders.map((h, i) => (
                <li
                  key={`${h.name}-${i}`}
                  data-holder={h.name}
                  data-this-machine={h.thisMachine || undefined}
                >
                  <span className={styles.machine}>{h.name}</span>
                  {h.thisMachine ? <span className={styles.here}>this machine</span> : null}
                  <span className={styles.tokens}>{holderTokens(h)}</span>
                </li>
              ))}
            </ul>
          )}
          <Popover.Arrow className={styles.arrow} width={12} height={6} />
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  )
}
