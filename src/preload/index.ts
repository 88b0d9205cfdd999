// The preload: exposes `window.tokendeck`, the intent-level API, and nothing else. Its invoke only
// reaches the contract's 'vault:' channels; its subscribe hands the page the payload, never the
// IpcRendererEvent (which would carry `sender`, an ipcRenderer).
import { contextBridge, ipcRenderer } from 'electron'
import {
  CHANNEL_PREFIX,
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  type EventChannel,
  type InvokeChannel,
} from '../shared/ipc/channels'
import { createApi, type Invoke, type Subscribe } from './api'

const invokeChannels = new Set<string>(INVOKE_CHANNELS)
const eventChannels = new Set<string>(EVENT_CHANNELS)

export function preloadInvoke(ipc: {
  invoke(channel: InvokeChannel, payload: unknown): Promise<unknown>
}): Invoke {
  return (channel, payload) => {
    if (!channel.startsWith(CHANNEL_PREFIX) || !invokeChannels.has(channel)) {
      return Promise.reject(new Error('channel refused'))
    }
    return ipc.invoke(channel as InvokeChannel, payload)
  }
}

type Listener = (event: unknown, payload: unknown) => void

export function preloadSubscribe(ipc: {
  on(channel: EventChannel, listener: Listener): unknown
  removeListener(channel: EventChannel, listener: Listener): unknown
}): Subscribe {
  return (channel, listener) => {
    if (!channel.startsWith(CHANNEL_PREFIX) || !eventChannels.has(channel)) return () => {}
    const wrapped: Listener = (_event, payload) => listener(payload)
    ipc.on(channel as EventChannel, wrapped)
    return () => {
      ipc.removeListener(channel as EventChannel, wrapped)
    }
  }
}

contextBridge.exposeInMainWorld(
  'tokendeck',
  createApi(preloadInvoke(ipcRenderer), preloadSubscribe(ipcRenderer)),
)
