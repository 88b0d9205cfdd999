// Code the window loads on first use instead of at start: a chunk loaded once (when first needed,
// or when the window is idle after its first screen), components that wait for it, and the hand-
// over from a start-time stand-in (a trigger rendered before its menu's code is there) to the real
// control: the focus the stand-in had and the opening it was asked for.
import {
  createElement,
  lazy,
  Suspense,
  useEffect,
  useState,
  useSyncExternalStore,
  type ButtonHTMLAttributes,
  type ComponentType,
} from 'react'

export interface OnDemand<M> {
  /** Loads the chunk (once; again after a failure); resolves with its module. */
  load(): Promise<M>
  /** The module once loaded, else null. */
  current(): M | null
  subscribe(listener: () => void): () => void
}

/** Stand-ins that were pressed before the chunk was there, by key: the real control opens. */
const opening = new Map<string, 'pointer' | 'keyboard'>()
/** The stand-in that had the focus when the chunk arrived: the real control takes it over. */
let focused: string | null = null

export function onDemand<M>(importer: () => Promise<M>): OnDemand<M> {
  let mod: M | null = null
  let pending: Promise<M> | null = null
  const listeners = new Set<() => void>()
  return {
    load() {
      pending ??= importer().then(
        (m) => {
          const active = document.activeElement
          focused = active instanceof HTMLElement ? (active.dataset.standIn ?? null) : null
          mod = m
          for (const l of listeners) l()
          // The stand-ins were replaced in the render those listeners scheduled (a microtask):
          // a request for a control that was not on screen then (scrolled away) is dropped.
          setTimeout(() => {
            opening.clear()
            focused = null
          })
          return m
        },
        (e: unknown) => {
          pending = null
          throw e
        },
      )
      return pending
    },
    current: () => mod,
    subscribe(l) {
      listeners.add(l)
      return () => listeners.delete(l)
    },
  }
}

/** The chunk's module once it is loaded (re-renders then), else null. */
export function useOnDemand<M>(chunk: OnDemand<M>): M | null {
  return useSyncExternalStore(chunk.subscribe, chunk.current)
}

/** Loads a chunk without waiting for it; a failure is logged, and the next use tries again. */
export function loadSoon(chunk: OnDemand<unknown>, tag: string): void {
  chunk.load().catch((e: unknown) => {
    console.error(`[tokendeck] ${tag}: failed to load (${e instanceof Error ? e.name : 'error'})`)
  })
}

/** What the window shows while a chunk loads: nothing on screen, a status for screen readers. */
function Loading() {
  return createElement('span', { role: 'status', className: 'sr-only' }, 'Loading…')
}

/**
 * A component of a chunk, usable from start-time code: rendered at once when the chunk is there,
 * else after it arrived (with `Loading` meanwhile). Decided at mount, so a mounted component never
 * changes identity (and loses its state) when the chunk arrives.
 */
export function fromChunk<M, P extends object>(
  chunk: OnDemand<M>,
  pick: (m: M) => ComponentType<P>,
): ComponentType<P> {
  const Lazy = lazy(async () => ({ default: pick(await chunk.load()) }))
  return function OnDemandComponent(props: P) {
    const [Component] = useState<ComponentType<P>>(() => {
      const m = chunk.current()
      return m ? pick(m) : Lazy
    })
    return createElement(
      Suspense,
      { fallback: createElement(Loading) },
      createElement(Component, props),
    )
  }
}

let prefetched = false

/**
 * Loads these chunks once the window is idle after its first screen, so that a click rarely
 * waits for one (it is a local file: a few milliseconds when it does). Once per window.
 */
export function prefetchWhenIdle(chunks: Record<string, OnDemand<unknown>>): void {
  if (prefetched) return
  prefetched = true
  const run = () => {
    for (const [tag, chunk] of Object.entries(chunks)) loadSoon(chunk, tag)
  }
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 2000 })
  else setTimeout(run, 200)
}

/**
 * The props of a stand-in trigger: what the real trigger's button shows before its chunk is there
 * (the caller adds its label, class and content), marked so the real control can take over its
 * focus. Pressing it (`press`: pointer down, Enter, Space, ↓, like a Radix menu trigger; `click`:
 * a click, like a Radix popover trigger) loads the chunk, and the real control opens at mount.
 */
export function standIn(
  chunk: OnDemand<unknown>,
  key: string,
  opensOn: 'press' | 'click',
  popup: 'menu' | 'dialog',
): ButtonHTMLAttributes<HTMLButtonElement> & { 'data-stand-in': string; 'data-state': string } {
  const open = (how: 'pointer' | 'keyboard') => {
    opening.set(key, how)
    loadSoon(chunk, key)
  }
  return {
    type: 'button',
    'aria-haspopup': popup,
    'aria-expanded': false,
    'data-state': 'closed',
    'data-stand-in': key,
    ...(opensOn === 'press'
      ? {
          onPointerDown: (e) => {
            if (e.button !== 0 || e.ctrlKey) return
            e.preventDefault()
            open('pointer')
          },
          onKeyDown: (e) => {
            if (e.key !== 'Enter' && e.key !== ' ' && e.key !== 'ArrowDown') return
            e.preventDefault()
            open('keyboard')
          },
        }
      : { onClick: (e) => open(e.detail === 0 ? 'keyboard' : 'pointer') }),
  }
}

/**
 * For the real control that replaces stand-in `key`: whether to open at mount (and how it was
 * asked: a keyboard opening puts the focus on the first item), and whether to take the focus.
 */
export function useHandOver(key: string): {
  open: 'pointer' | 'keyboard' | null
  focus: boolean
} {
  const [handOver] = useState(() => ({ open: opening.get(key) ?? null, focus: focused === key }))
  useEffect(() => {
    opening.delete(key)
    if (focused === key) focused = null
  }, [key])
  return handOver
}
