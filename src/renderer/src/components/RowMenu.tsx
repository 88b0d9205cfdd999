// An account row's ⋯ menu (Radix DropdownMenu) with its "More actions" tooltip: on demand (the
// row shows a stand-in trigger until the overlays chunk is there, then this takes its place).
import { useLayoutEffect, useRef } from 'react'
import { DropdownMenu, Tooltip } from 'radix-ui'
import { Ellipsis, LogIn, PanelRightOpen, Pencil, ShieldOff, ShieldX, Trash2 } from 'lucide-react'
import type { AccountView } from '../../../shared/views'
import { useHandOver } from '../lib/on-demand'
import { overlays } from './chunks'
import type { AccountAction } from './AccountRow'
import button from '../styles/button.module.css'
import { cx } from '../styles/cx'
import styles from './AccountRow.module.css'

export function RowMenu(props: {
  account: AccountView
  /** The stand-in's key (see AccountRow). */
  handOverKey: string
  /** Whether the account has a live token (revoking needs one). */
  live: boolean
  onAction: (action: AccountAction, account: AccountView) => void
}) {
  const { account, live } = props
  const handOver = useHandOver(overlays, props.handOverKey)
  const trigger = useRef<HTMLButtonElement>(null)
  const enteredByKeyboard = useRef(false)
  const act = (a: AccountAction) => () => props.onAction(a, account)
  // The stand-in had the focus: keep it here (an opening menu takes it itself).
  useLayoutEffect(() => {
    if (handOver.focus && !handOver.open) trigger.current?.focus()
  }, [handOver])
  return (
    // The tooltip's provider is here, not at the app's root: its code loads with this menu.
    <Tooltip.Provider delayDuration={400}>
      <DropdownMenu.Root defaultOpen={handOver.open !== null}>
        <Tooltip.Root>
          <Tooltip.Trigger asChild>
            <DropdownMenu.Trigger
              ref={trigger}
              className={button.icon}
              aria-label={`More actions for ${account.label}`}
            >
              <Ellipsis aria-hidden size={18} />
            </DropdownMenu.Trigger>
          </Tooltip.Trigger>
          <Tooltip.Portal>
            <Tooltip.Content className={styles.tooltip} sideOffset={4}>
              More actions
            </Tooltip.Content>
          </Tooltip.Portal>
        </Tooltip.Root>
        <DropdownMenu.Portal>
          <DropdownMenu.Content
            className={styles.menu}
            align="end"
            sideOffset={4}
            onFocus={(e) => {
              // Opened from the keyboard on the stand-in: on to the first item, as Radix does
              // when its own trigger opens the menu from the keyboard. Once, at that opening.
              if (handOver.open !== 'keyboard' || e.target !== e.currentTarget) return
              if (enteredByKeyboard.current) return
              enteredByKeyboard.current = true
              e.currentTarget
                .querySelector<HTMLElement>('[role="menuitem"]:not([data-disabled])')
                ?.focus()
            }}
          >
            <DropdownMenu.Item className={styles.menuItem} onSelect={act('details')}>
              <PanelRightOpen aria-hidden size={15} /> Token details
            </DropdownMenu.Item>
            <DropdownMenu.Item className={styles.menuItem} onSelect={act('login')}>
              <LogIn aria-hidden size={15} /> Log in again
            </DropdownMenu.Item>
            <DropdownMenu.Item
              className={styles.menuItem}
              onSelect={act('revoke')}
              disabled={!live}
            >
              <ShieldOff aria-hidden size={15} /> Revoke token
            </DropdownMenu.Item>
            <DropdownMenu.Item
              className={styles.menuItem}
              onSelect={act('revoke-all')}
              disabled={!live}
            >
              <ShieldX aria-hidden size={15} /> Revoke all tokens
            </DropdownMenu.Item>
            <DropdownMenu.Separator className={styles.separator} />
            <DropdownMenu.Item className={styles.menuItem} onSelect={act('edit')}>
              <Pencil aria-hidden size={15} /> Edit
            </DropdownMenu.Item>
            <DropdownMenu.Item
              className={cx(styles.menuItem, styles.danger)}
              onSelect={act('remove')}
            >
              <Trash2 aria-hidden size={15} /> Remove
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
    </Tooltip.Provider>
  )
}
