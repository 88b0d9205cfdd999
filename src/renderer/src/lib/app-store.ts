// The window's view of main: app status, the accounts snapshot and the provider list, fetched
// again whenever main says something changed. Bursts of changes collapse into one re-fetch.
import { useSyncExternalStore } from 'react'
import type { AppStatus, ProviderView, Snapshot } from '../../../shared/ipc/schemas'
import type { Failure } from '../../../shared/result'
import { api } from '../api'

export interface AppState {
  loaded: boolean
  status: AppStatus | null
  snapshot: Snapshot | null
  providers: ProviderView[]
  /** Why the last fetch failed (other than a locked vault). */
  error: Failure | null
  /** Bumped on every change main reports, so screens can re-fetch their own data. */
  version: number
}

let state: AppState = {
  loaded: false,
  status: null,
  snapshot: null,
  providers: [],
  error: null,
  version: 0,
}
const listeners = new Set<() => void>()
let running: Promise<void> | null = null
let again = false

function set(patch: Partial<AppState>): void {
  state = { ...state, ...patch }
  for (const l of listeners) l()
}

async function load(): Promise<void> {
  const status = await api().app.status()
  if (!status.ok) {
    set({ loaded: true, error: status })
    return
  }
  if (!status.value.vault.unlocked) {
    set({ loaded: true, status: status.value, snapshot: null, error: null })
    return
  }
  if (state.snapshot === null) performance.mark('tokendeck:snapshot-asked')
  const [snapshot, providers] = await Promise.all([
    api().accounts.snapshot(),
    api().providers.list(),
  ])
  if (snapshot.ok && state.snapshot === null) performance.mark('tokendeck:snapshot-received')
  set({
    loaded: true,
    status: status.value,
    snapshot: snapshot.ok ? snapshot.value : null,
    providers: providers.ok ? providers.value : state.providers,
    error: !snapshot.ok && snapshot.code !== 'VAULT_LOCKED' ? snapshot : null,
  })
}

/** Fetches status and snapshot; calls made while one runs are folded into one more run. */
export function refresh(): Promise<void> {
  if (running) {
    again = true
    return running
  }
  running = (async () => {
    do {
      again = false
      await load()
    } while (again)
  })().finally(() => {
    running = null
  })
  return running
}

/** Starts listening to main; returns the unsubscribe. */
export function connect(): () => void {
  const off = api().onStateChanged(() => {
    set({ version: state.version + 1 })
    void refresh()
  })
  void refresh()
  return off
}

/** Puts a status main just answered with (unlock, create, lock) in place right away. */
export function setStatus(status: AppStatus): void {
  set({ status, ...(status.vault.unlocked ? {} : { snapshot: null }) })
  void refresh()
}

function subscribe(l: () => void): () => void {
  listeners.add(l)
  return () => listeners.delete(l)
}

export function useApp(): AppState {
  return useSyncExternalStore(subscribe, () => state)
}

export function providerById(id: string): ProviderView | undefined {
  return state.providers.find((p) => p.id === id)
}
