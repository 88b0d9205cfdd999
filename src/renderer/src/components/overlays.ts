// The window's on-demand chunk: what opens on a click (menus, dialogs, the account drawer, the
// shared-ledger popover) and the toasts, with Radix UI under them. Never imported at start: start
// code reaches it through ./chunks (loaded when first used, or when the window is idle after its
// first screen).
export { AccountDialog } from './AccountDialog'
export { ActionDialog } from './ActionDialogs'
export { ConfirmDialog } from './ConfirmDialog'
export { LedgerPopover } from './LedgerPopover'
export { LoginPromptDialog } from './LoginPromptDialog'
export { RowMenu } from './RowMenu'
export { Toasts } from './Toasts'
export { TokenDrawer } from './TokenDrawer'
export { UnlockConsent } from './UnlockConsent'
