// The virtualized account list: only the rows in view (plus a few) are in the DOM, so a vault
// with 1,000 accounts scrolls and ticks as cheaply as one with ten.
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import type { AccountView, OrganizationView } from '../../../shared/views'
import { ROW_HEIGHT, type Row } from '../lib/rows'
import { AccountRow, type AccountAction } from './AccountRow'
import { OrgHeader, ProviderHeader, type OrgAction } from './GroupHeaders'
import styles from './AccountList.module.css'

export interface AccountListHandle {
  scrollToRow(index: number): void
  /** Whether the element is the list's scroller (focusable by keyboard: Enter copies there). */
  isScroller(element: Element): boolean
}

interface Props {
  rows: Row[]
  selectedId: string | null
  onAction: (action: AccountAction, account: AccountView) => void
  onOrgAction: (action: OrgAction, org: OrganizationView) => void
  ref?: Ref<AccountListHandle>
}

let firstRenderMarked = false

export function AccountList({ rows, selectedId, onAction, onOrgAction, ref }: Props) {
  const scroller = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => ROW_HEIGHT[rows[i]!.kind],
    getItemKey: (i) => rows[i]!.key,
    overscan: 6,
  })
  useImperativeHandle(ref, () => ({
    scrollToRow: (index) => virtualizer.scrollToIndex(index, { align: 'auto' }),
    isScroller: (element) => element === scroller.current,
  }))
  useEffect(() => {
    if (!firstRenderMarked && rows.length > 0) {
      firstRenderMarked = true
      performance.mark('tokendeck:accounts-rendered')
    }
  }, [rows.length])

  return (
    <div className={styles.scroller} ref={scroller} data-testid="account-list">
      <div
        className={styles.inner}
        role="list"
        aria-label="Accounts"
        style={{ height: virtualizer.getTotalSize() }}
      >
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index]!
          return (
            <div
              key={item.key}
              className={styles.item}
              style={{ height: item.size, transform: `translateY(${item.start}px)` }}
              role="none"
            >
              {row.kind === 'provider' ? (
                <ProviderHeader providerId={row.providerId} name={row.name} count={row.count} />
              ) : row.kind === 'org' ? (
                <OrgHeader org={row.org} count={row.count} onAction={onOrgAction} />
              ) : (
                <AccountRow
                  account={row.account}
                  first={row.first}
                  selected={row.account.id === selectedId}
                  onAction={onAction}
                />
              )}
            </div>
          )
        })}
      </div>
    </div>
  )
}
