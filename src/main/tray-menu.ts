// The tray menu as plain data, built from a snapshot, the time and the vault's state: accounts
// grouped by organization with their token state and time left, the gateway's line while it
// runs, then Open / Lock / Quit.
// tray.main.ts turns it into an Electron menu; tests read the labels. The words come from
// src/shared/state.ts, as in the window and the CLI.
import { accountSummary, capUsageText } from '../shared/state'
import type { AccountView, OrganizationView } from '../shared/views'

export type TrayVaultState = 'no-vault' | 'locked' | 'unlocked' | 'demo'

export type TrayAction =
  | { kind: 'copy'; accountId: string; label: string }
  | { kind: 'open' }
  | { kind: 'unlock' }
  | { kind: 'lock' }
  | { kind: 'quit' }

export type TrayItem =
  | { type: 'separator' }
  | { type: 'header'; label: string }
  | { type: 'action'; label: string; action: TrayAction }

/** The app's gateway, when it runs or could not start (absent: off). */
export type TrayGateway =
  { state: 'running'; port: number } | { state: 'failed'; port: number; code: string }

export interface TrayMenuInput {
  state: TrayVaultState
  gateway?: TrayGateway
  accounts: readonly AccountView[]
  organizations: readonly OrganizationView[]
  now: number
  /** At most this many account items; the rest behind "More… (open TokenDeck)". */
  maxAccounts?: number
  /**
   * Accounts whose token expires soon and cannot renew unattended (state.ts
   * cannotRenewWarnings), one line each at the top of the menu.
   */
  warnings?: readonly string[]
}

export const MAX_TRAY_ACCOUNTS = 30

/** "TPStreams · acme — 12/20 tokens": provider, organization, and the cap when there is one. */
export function organizationHeader(org: OrganizationView): string {
  const label = org.organizationId
    ? `${org.providerName} · ${org.organizationId}`
    : org.providerName
  return org.cap && org.organizationId ? `${label} — ${capUsageText(org.cap)}` : label
}

/** The state part of an account item: "active, 3 h left", "no token, needs secret", ... */
function accountStatus(a: AccountView, now: number): string {
  return accountSummary(a, now).text
}

export function accountItemLabel(a: AccountView, now: number): string {
  return `${a.label} · ${accountStatus(a, now)}`
}

interface Section {
  header: string
  accounts: AccountView[]
}

/**
 * Organizations with an organization id (or a shared cap) get their own header; accounts whose
 * organization is only themselves (no org field) are grouped under their provider's name.
 */
function sections(
  accounts: readonly AccountView[],
  organizations: readonly OrganizationView[],
): Section[] {
  const byOrgKey = new Map(organizations.map((o) => [o.key, o]))
  const out = new Map<string, Section>()
  for (const a of accounts) {
    const org = byOrgKey.get(a.orgKey)
    let key: string
    let header: string
    if (org && org.organizationId) {
      key = `org:${org.key}`
      header = organizationHeader(org)
    } else {
      key = `provider:${a.providerId}`
      header = a.providerName
    }
    let s = out.get(key)
    if (!s) {
      s = { header, accounts: [] }
      out.set(key, s)
    }
    s.accounts.push(a)
  }
  return [...out.values()]
}

/**
 * "Gateway on 127.0.0.1:17380" (with "· your vault is locked" while it answers 503 because the
 * user's vault is locked or the demo is open), or why it is not running.
 */
export function gatewayItemLabel(g: TrayGateway, state: TrayVaultState): string {
  if (g.state === 'failed') {
    return g.code === 'CONFLICT'
      ? `Gateway not running: port ${g.port} is in use`
      : 'Gateway not running (see Settings)'
  }
  const where = `Gateway on 127.0.0.1:${g.port}`
  return state === 'unlocked' ? where : `${where} · your vault is locked`
}

/** The whole menu, top to bottom. */
export function buildTrayMenu(input: TrayMenuInput): TrayItem[] {
  const max = input.maxAccounts ?? MAX_TRAY_ACCOUNTS
  const items: TrayItem[] = []
  const open: TrayItem = { type: 'action', label: 'Open TokenDeck', action: { kind: 'open' } }
  const quit: TrayItem = { type: 'action', label: 'Quit TokenDeck', action: { kind: 'quit' } }

  if (input.state === 'no-vault') {
    items.push({ type: 'header', label: 'No vault yet' })
    items.push({ type: 'action', label: 'Set up TokenDeck…', action: { kind: 'open' } })
    return [...items, { type: 'separator' }, quit]
  }
  const gateway: TrayItem[] = input.gateway
    ? [
        { type: 'separator' },
        { type: 'header', label: gatewayItemLabel(input.gateway, input.state) },
      ]
    : []
  if (input.state === 'locked') {
    items.push({ type: 'header', label: 'TokenDeck is locked' })
    items.push({ type: 'action', label: 'Unlock…', action: { kind: 'unlock' } })
    return [...items, ...gateway, { type: 'separator' }, open, { type: 'separator' }, quit]
  }

  if (input.state === 'demo') items.push({ type: 'header', label: 'Demo mode · sandbox providers' })
  for (const w of input.warnings ?? []) items.push({ type: 'header', label: `⚠ ${w}` })
  if (input.accounts.length === 0) items.push({ type: 'header', label: 'No accounts yet' })
  let shown = 0
  let hidden = 0
  for (const section of sections(input.accounts, input.organizations)) {
    if (shown >= max) {
      hidden += section.accounts.length
      continue
    }
    if (items.length > 0) items.push({ type: 'separator' })
    items.push({ type: 'header', label: section.header })
    for (const a of section.accounts) {
      if (shown >= max) {
        hidden++
        continue
      }
      items.push({
        type: 'action',
        label: accountItemLabel(a, input.now),
        action: { kind: 'copy', accountId: a.id, label: a.label },
      })
      shown++
    }
  }
  if (hidden > 0) {
    items.push({
      type: 'action',
      label: `${hidden} more… (open TokenDeck)`,
      action: { kind: 'open' },
    })
  }
  items.push(...gateway, { type: 'separator' }, open)
  // The demo vault locks too (its public passphrase is on the unlock screen), as in the window.
  items.push({ type: 'action', label: 'Lock', action: { kind: 'lock' } })
  items.push({ type: 'separator' }, quit)
  return items
}

/** The tray icon's tooltip. */
export function trayTooltip(state: TrayVaultState): string {
  switch (state) {
    case 'no-vault':
      return 'TokenDeck: no vault yet'
    case 'locked':
      return 'TokenDeck: locked'
    case 'demo':
      return 'TokenDeck: demo mode'
    default:
      return 'TokenDeck: click an account to copy its header'
  }
}
