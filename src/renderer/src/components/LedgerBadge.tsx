// A shared organization's ledger state in its header ("Shared · connected", "Shared · offline"),
// a button that opens a popover (LedgerPopover, on demand) with what the state means and who holds
// the tokens. Words carry the state; the colour only repeats it.
import { useId, type ComponentProps } from 'react'
import { CloudCheck, CloudOff, Loader } from 'lucide-react'
import { LEDGER_OFFLINE_WORDS } from '../../../shared/ledger-words'
import type { CapUsage, SharedOrgView } from '../../../shared/views'
import { standIn, useOnDemand } from '../lib/on-demand'
import { overlays } from './chunks'
import type { LedgerPopover } from './LedgerPopover'
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

/** What a ledger state looks like and says: its icon, its word, what it means. */
export type LedgerLook = (typeof STATE)[SharedOrgView['state']] & { Icon: typeof CloudOff }

export function LedgerBadge(props: {
  /** The organization's key (unique in the list). */
  orgKey: string
  org: string
  shared: SharedOrgView
  cap: CapUsage | null
}) {
  const { orgKey, ...shown } = props
  const { shared } = shown
  const id = useId()
  const chunk = useOnDemand(overlays)
  const look: LedgerLook = {
    ...STATE[shared.state],
    Icon:
      shared.state === 'offline' ? CloudOff : shared.state === 'connected' ? CloudCheck : Loader,
  }
  const trigger: ComponentProps<typeof LedgerPopover>['trigger'] = {
    className: cx(styles.badge, styles[shared.state]),
    'data-testid': 'ledger-state',
    'data-ledger': shared.state,
    'aria-describedby': `${id}-why`,
    children: (
      <>
        <look.Icon aria-hidden size={13} />
        <span>Shared · {look.word}</span>
      </>
    ),
  }
  const key = `ledger:${orgKey}`
  return (
    <>
      {chunk ? (
        <chunk.LedgerPopover {...shown} look={look} trigger={trigger} handOverKey={key} />
      ) : (
        // Until the overlays chunk is there: the same button; a click opens the popover then.
        <button {...standIn(overlays, key, 'click', 'dialog')} {...trigger} />
      )}
      <span id={`${id}-why`} className="sr-only">
        {look.sentence}
      </span>
    </>
  )
}
