// Toasts as data: anything may push one; <Toasts> renders them with Radix Toast. One subject, one
// toast: a toast with the key of one on screen replaces it (as the newest) instead of stacking.
import { useSyncExternalStore } from 'react'
import type { Failure } from '../../../shared/result'
import { describeFailure, failureKey } from './error-words'

export interface ToastItem {
  id: number
  tone: 'ok' | 'error'
  title: string
  detail: string
  /** What the toast is about; the same key replaces, never stacks. Default: tone, title, detail. */
  key: string
}

/** At most this many toasts are on screen; the oldest goes first. */
const MAX_TOASTS = 3

let items: ToastItem[] = []
let nextId = 1
const listeners = new Set<() => void>()

function emit(): void {
  for (const l of listeners) l()
}

export function toast(
  tone: ToastItem['tone'],
  title: string,
  detail = '',
  o: { key?: string } = {},
): void {
  const key = o.key ?? `${tone}\n${title}\n${detail}`
  const others = items.filter((t) => t.key !== key)
  items = [...others.slice(-(MAX_TOASTS - 1)), { id: nextId++, tone, title, detail, key }]
  emit()
}

/** A failure in words; failures about the same thing (one login cooldown) share one toast. */
export function toastFailure(f: Pick<Failure, 'code' | 'message' | 'details'>): void {
  const { title, detail } = describeFailure(f)
  const key = failureKey(f)
  toast('error', title, detail, key ? { key } : {})
}

export function dismissToast(id: number): void {
  items = items.filter((t) => t.id !== id)
  emit()
}

/** The toasts on screen, oldest first. */
export function toastsNow(): ToastItem[] {
  return items
}

export function useToasts(): ToastItem[] {
  return useSyncExternalStore((l) => {
    listeners.add(l)
    return () => listeners.delete(l)
  }, toastsNow)
}
