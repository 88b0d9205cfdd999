// What the window loads after start: the overlays (menus, dialogs, the account drawer, the
// shared-ledger popover, toasts: everything a click opens, with Radix UI), Settings and Activity
// (what two of them share, the Radix dialog, is a common chunk of the build). Start code uses the
// components below; each chunk loads on first use, and all of them once the window is idle after
// its first screen (prefetchChunks), so a click rarely waits.
import { createElement, useEffect } from 'react'
import { useToasts } from '../lib/toast-store'
import { fromChunk, loadSoon, onDemand, prefetchWhenIdle, useOnDemand } from '../lib/on-demand'

export const overlays = onDemand('overlays', () => import('./overlays'))
const settings = onDemand('settings', () => import('./SettingsScreen'))
const activity = onDemand('activity', () => import('./ActivityScreen'))

export const AccountDialog = fromChunk(overlays, (m) => m.AccountDialog)
export const ActionDialog = fromChunk(overlays, (m) => m.ActionDialog)
export const ConfirmDialog = fromChunk(overlays, (m) => m.ConfirmDialog)
export const TokenDrawer = fromChunk(overlays, (m) => m.TokenDrawer)
export const UnlockConsent = fromChunk(overlays, (m) => m.UnlockConsent)
export const LoginPromptDialog = fromChunk(overlays, (m) => m.LoginPromptDialog)
export const SettingsScreen = fromChunk(settings, (m) => m.SettingsScreen)
export const ActivityScreen = fromChunk(activity, (m) => m.ActivityScreen)

/** The toasts, once the overlays are there; the first toast asks for them if they are not yet. */
export function Toasts() {
  const chunk = useOnDemand(overlays)
  const waiting = useToasts().length > 0 && chunk === null
  useEffect(() => {
    if (waiting) loadSoon(overlays)
  }, [waiting])
  return chunk ? createElement(chunk.Toasts) : null
}

/** Called when the first screen is on (the accounts, or unlock): loads the rest when idle. */
export function prefetchChunks(): void {
  prefetchWhenIdle([overlays, settings, activity])
}
