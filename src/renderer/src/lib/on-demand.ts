// Code the window loads on first use instead of at start: a chunk loaded once (when first needed,
// or when the window is idle after its first screen), components that wait for it, and the hand-
// over from a start-time stand-in (a trigger rendered before its menu's code is there) to the real
// control: the focus the stand-in had and the opening it was asked for.
import {
  createElement,
  useEffect,
  useState,
  useSyncExternalStore,
  type ButtonHTMLAttributes,
  type ComponentType,
} from 'react'

export interface OnDemand<M> {
  /** The chunk's name in logs. */
  readonly name: string
  /** Loads the chunk (once; again after a failure); resolves with its module. */
  load(): Promise<M>
  /** The module once loaded, else null. */
  current(): M | null
  subscribe(listener: () => void): () => void
  /** What this chunk's stand-ins hand over to the controls that replace them (see standIn). */
  readonly handOver: HandOver
}

interface HandOver {
  /** Stand-ins pressed before the chunk was there, by key: the real control opens. */
  opening: Map<string, 'pointer' | 'keyboard'>
  /** The stand-in that had the focus when the chunk arrived: the real control takes it over. */
  focused: string | null
}

export function onDemand<M>(name: string, importer: () => Promise<M>): OnDemand<M> {
  let mod: M | null = null
  let pending: Promise<M> | null = null
  const listeners = new Set<() => void>()
  const handOver: HandOver = { opening: new Map(), focused: null }
  return {
    name,
    handOver,
    load() {
      pending ??= importer().then(
        (m) => {
          const active = document.activeElement
          const standIn = active instanceof HTMLElement ? active.dataset.standIn : undefined
          handOver.focused = standIn?.startsWith(`${name}:`) ? standIn : null
          mod = m
          for (const l of listeners) l()
          // React renders what those listeners scheduled in a microtask queued before this one,
          // replacing the stand-ins: a request left over was for a control not on screen then
          // (scrolled away), and is dropped. (A microtask, not a timer: timers may be paused.)
          queueMicrotask(() => {
            handOver.opening.clear()
            handOver.focused = null
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
export function loadSoon(chunk: OnDemand<unknown>): void {
  chunk.load().catch((e: unknown) => {
    const what = e instanceof Error ? e.name : 'error'
    console.error(`[tokendeck] ${chunk.name}: failed to load (${what})`)
  })
}

/** What the window shows while a chunk loads: nothing on screen, a status for screen readers. */
function Loading() {
  return createElement('span', { role: 'status', className: 'sr-only' }, 'Loading…')
}

/**
 * A component of a chunk, usable from start-time code: rendered at once when the chunk is there;
 * else `Loading` (and the chunk is asked for) until it arrives, then the component. A loaded
 * chunk stays, so a mounted component never changes identity (and loses its state) after that.
 */
export function fromChunk<M, P extends object>(
  chunk: OnDemand<M>,
  pick: (m: M) => ComponentType<P>,
): ComponentType<P> {
  return function OnDemandComponent(props: P) {
    const m = useOnDemand(chunk)
    useEffect(() => {
      if (m === null) loadSoon(chunk)
    }, [m])
    return m ? createElement(pick(m), props) : createElement(Loading)
  }
}

let prefetched = false

/**
 * Loads these chunks once the window is idle after its first screen, so that a click rarely
 * waits for one (it is a local file: a few milliseconds when it does). Once per window.
 */
export function prefetchWhenIdle(chunks: OnDemand<unknown>[]): void {
  if (prefetched) return
  prefetched = true
  const run = () => {
    for (const chunk of chunks) loadSoon(chunk)
  }
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 2000 })
  else setTimeout(run, 200)
}

/**
 * The props of a stand-in trigger: what the real trigger's button shows before its chunk is there
 * (the caller adds its label, class and content), marked so the real control can take over its
 * focus; `key` names the control (unique on the page), `useHandOver(chunk, key)` is its side of
 * the hand-over. Pressing it (`press`: pointer down, Enter, Space, ↓, like a Radix menu trigger;
 * `click`: a click, like a Radix popover trigger) loads the chunk, and the real control opens at
 * mount.
 */
export function standIn(
  chunk: OnDemand<unknown>,
  key: string,
  opensOn: 'press' | 'click',
  popup: 'menu' | 'dialog',
): ButtonHTMLAttributes<HTMLButtonElement> & { 'data-stand-in': string; 'data-state': string } {
  const open = (how: 'pointer' | 'keyboard') => {
    chunk.handOver.opening.set(key, how)
    loadSoon(chunk)
  }
  return {
    type: 'button',
    'aria-haspopup': popup,
    'aria-expanded': false,
    'data-state': 'closed',
    'data-stand-in': `${chunk.name}:${key}`,
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
export function useHandOver(
  chunk: OnDemand<unknown>,
  key: string,
): { open: 'pointer' | 'keyboard' | null; focus: boolean } {
  const state = chunk.handOver
  const standIn = `${chunk.name}:${key}`
  const [handOver] = useState(() => ({
    open: state.opening.get(key) ?? null,
    focus: state.focused === standIn,
  }))
  useEffect(() => {
    state.opening.delete(key)
    if (state.focused === standIn) state.focused = null
  }, [state, key, standIn])
  return handOver
}
