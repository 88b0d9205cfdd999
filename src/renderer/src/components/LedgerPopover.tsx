// The shared-ledger popover of an organization (Radix Popover), on demand: what the ledger's state
// means, the split of the count, and the holders by machine name, this machine marked.
import { useId, useLayoutEffect, useRef, type ReactNode } from 'react'
import { Popover } from 'radix-ui'
import { elsewhereText, holderTokens } from '../../../shared/ledger-words'
import type { CapUsage, SharedOrgView } from '../../../shared/views'
import { useHandOver } from '../lib/on-demand'
import { overlays } from './chunks'
import type { LedgerLook } from './LedgerBadge'
import styles from './LedgerBadge.module.css'

export function LedgerPopover(props: {
  org: string
  shared: SharedOrgView
  cap: CapUsage | null
  look: LedgerLook
  /** The badge button's look and content (LedgerBadge draws it, before and after this loads). */
  trigger: {
    className: string
    'data-testid': string
    'data-ledger': string
    'aria-describedby': string
    children: ReactNode
  }
  /** The stand-in's key (see LedgerBadge). */
  handOverKey: string
}) {
  const { shared, cap, look } = props
  const id = useId()
  const handOver = useHandOver(overlays, props.handOverKey)
  const trigger = useRef<HTMLButtonElement>(null)
  useLayoutEffect(() => {
    if (handOver.focus && !handOver.open) trigger.current?.focus()
  }, [handOver])
  return (
    <Popover.Root defaultOpen={handOver.open !== null}>
      <Popover.Trigger ref={trigger} {...props.trigger} />
      <Popover.Portal>
        <Popover.Content
          className={styles.popover}
          sideOffset={6}
          align="start"
          aria-label={`Shared ledger of ${props.org}`}
          data-testid="ledger-popover"
        >
          <p className={styles.title}>
            <look.Icon aria-hidden size={15} className={styles[shared.state]} />
            Shared ledger: {look.word}
          </p>
          <p className={styles.sentence}>{look.sentence}</p>
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
