// Accounts: search, the grouped virtualized list, keyboard navigation (arrows, Enter copies,
// "/" searches) and every account action with its dialogs.
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react'
import type { KeyboardEvent as ReactKeyboardEvent } from 'react'
import { KeySquare, Plus, Search } from 'lucide-react'
import type { AccountView, OrganizationView } from '../../../shared/views'
import { api } from '../api'
import { useApp } from '../lib/app-store'
import { buildRows } from '../lib/rows'
import { AccountList, type AccountListHandle } from './AccountList'
import type { AccountAction } from './AccountRow'
import { useAccountActions } from './AccountActions'
import { AccountDialog, prefetchChunks, TokenDrawer } from './chunks'
import type { OrgAction } from './GroupHeaders'
import button from '../styles/button.module.css'
import { cx } from '../styles/cx'
import form from '../styles/form.module.css'
import layout from '../styles/layout.module.css'
import styles from './AccountsScreen.module.css'

export function AccountsScreen() {
  const { snapshot, providers, version, status } = useApp()
  const [query, setQuery] = useState('')
  const deferredQuery = useDeferredValue(query)
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const [editing, setEditing] = useState<AccountView | 'new' | null>(null)
  const [detailsId, setDetailsId] = useState<string | null>(null)
  const search = useRef<HTMLInputElement>(null)
  const list = useRef<AccountListHandle>(null)
  const { run, runOrg, dialogs } = useAccountActions()

  const rows = useMemo(
    () => (snapshot ? buildRows(snapshot, deferredQuery) : []),
    [snapshot, deferredQuery],
  )
  const accountRows = useMemo(
    () => rows.flatMap((r, i) => (r.kind === 'account' ? [{ row: i, account: r.account }] : [])),
    [rows],
  )

  const onAction = useCallback(
    (action: AccountAction, account: AccountView) => {
      setSelectedId(account.id)
      if (action === 'select') return
      if (action === 'details') setDetailsId(account.id)
      else if (action === 'edit') setEditing(account)
      else run(action, account)
    },
    [run],
  )
  const onOrgAction = useCallback(
    (action: OrgAction, org: OrganizationView) => runOrg(action, org),
    [runOrg],
  )

  // "/" focuses the search box (unless typing somewhere); so does the global shortcut.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return
      const t = e.target as HTMLElement | null
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return
      if (document.querySelector('[role="dialog"],[role="alertdialog"]')) return
      e.preventDefault()
      search.current?.focus()
    }
    document.addEventListener('keydown', onKey)
    const off = api().onFocusSearch(() => search.current?.focus())
    return () => {
      document.removeEventListener('keydown', onKey)
      off()
    }
  }, [])

  function onKeyDown(e: ReactKeyboardEvent) {
    if (accountRows.length === 0) return
    const t = e.target as HTMLElement
    const inSearch = t === search.current
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (t.closest('[role="menu"]')) return
      e.preventDefault()
      const at = accountRows.findIndex((r) => r.account.id === selectedId)
      const next =
        at < 0
          ? e.key === 'ArrowDown'
            ? 0
            : accountRows.length - 1
          : Math.min(accountRows.length - 1, Math.max(0, at + (e.key === 'ArrowDown' ? 1 : -1)))
      const target = accountRows[next]!
      setSelectedId(target.account.id)
      list.current?.scrollToRow(target.row)
    } else if (e.key === 'Enter' && (inSearch || list.current?.isScroller(t) === true)) {
      const selected =
        accountRows.find((r) => r.account.id === selectedId) ??
        (inSearch && accountRows.length === 1 ? accountRows[0] : undefined)
      if (!selected) return
      e.preventDefault()
      run('copy', selected.account)
    } else if (e.key === 'Escape' && inSearch && query !== '') {
      e.preventDefault()
      setQuery('')
    }
  }

  // The first screen is on: what a click opens loads while the window is idle.
  const shown = snapshot !== null
  useEffect(() => {
    if (shown) prefetchChunks()
  }, [shown])

  const details = detailsId ? snapshot?.accounts.find((a) => a.id === detailsId) : undefined
  const total = snapshot?.accounts.length ?? 0

  return (
    <main className={layout.screen} onKeyDown={onKeyDown} aria-labelledby="accounts-title">
      <header className={layout.head}>
        <h1 id="accounts-title">Accounts</h1>
        <div className={styles.search}>
          <Search aria-hidden size={16} />
          <input
            ref={search}
            type="search"
            placeholder="Search accounts  ( / )"
            aria-label="Search accounts"
            aria-keyshortcuts="/"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
        <button
          type="button"
          className={cx(button.button, button.primary)}
          onClick={() => setEditing('new')}
        >
          <Plus aria-hidden size={16} /> Add account
        </button>
      </header>
      {snapshot === null ? (
        <div className={layout.empty} aria-busy="true" />
      ) : total === 0 ? (
        <div className={layout.empty}>
          <KeySquare aria-hidden size={40} />
          <h2>No accounts yet</h2>
          <p>
            Add the login of an API you work with. TokenDeck logs in, keeps the token, and copies a
            ready <code>Authorization</code> header whenever you need one.
          </p>
          <button
            type="button"
            className={cx(button.button, button.primary)}
            onClick={() => setEditing('new')}
          >
            <Plus aria-hidden size={16} /> Add account
          </button>
          {status?.demo ? null : (
            <p className={form.hint}>
              Or lock the vault and try the sandbox demo from the start screen.
            </p>
          )}
        </div>
      ) : rows.length === 0 ? (
        <div className={layout.empty}>
          <Search aria-hidden size={36} />
          <h2>No account matches “{deferredQuery}”</h2>
          <p>Search looks at labels, user names, providers and organizations.</p>
        </div>
      ) : (
        <AccountList
          ref={list}
          rows={rows}
          selectedId={selectedId}
          onAction={onAction}
          onOrgAction={onOrgAction}
        />
      )}
      <p className={styles.statusLine} role="status">
        {snapshot && total > 0
          ? `${total} account${total === 1 ? '' : 's'}${deferredQuery ? `, ${accountRows.length} shown` : ''} · ↑↓ to select, Enter copies the header`
          : ''}
      </p>
      {editing ? (
        <AccountDialog
          providers={providers}
          {...(editing === 'new' ? {} : { account: editing })}
          onClose={() => setEditing(null)}
        />
      ) : null}
      {details ? (
        <TokenDrawer account={details} version={version} onClose={() => setDetailsId(null)} />
      ) : null}
      {dialogs}
    </main>
  )
}
