// Toasts as data: anything may push one; <Toasts> renders them with Radix Toast.
import { useSyncExternalStore } from 'react'
import type { Failure } from '../../../shared/result'
import { describeFailure } from './error-words'

export interface ToastItem {
  id: number
  tone: 'ok' | 'error'
  title: string
  detail: string
}

let items: ToastItem[] = []
let nextId = 1
const listeners = new Set<() => void>()

function emit(): void {
  for (const l of listeners) l()
}

export function toast(tone: ToastItem['tone'], title: string, detail = ''): void {
  items = [...items.slice(-2), { id: nextId++, tone, title, detail }]
  emit()
}

export function toastFailure(f: Pick<Failure, 'code' | 'message'>): void {
  const { title, detail } = describeFailure(f)
  toast('error', title, detail)
}

export function dismissToast(id: number): void {
  items = items.filter((t) => t.id !== id)
  emit()
}

export function useToasts(): ToastItem[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    () => items,
  )
}
