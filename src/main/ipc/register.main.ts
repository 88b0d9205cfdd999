// Wires the handler table to ipcMain: one ipcMain.handle per invoke channel, each refusing any
// sender that is not the main frame of a window this app created, showing the app's own origin.
// A refused request gets a VALIDATION_FAILED Result and never reaches the handler.
import { BrowserWindow, ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import { INVOKE_CHANNELS } from '../../shared/ipc/channels'
import { fail } from '../../shared/result'
import { isAppUrl } from '../security/app-url'
import type { HandlerTable } from './handlers'

export interface SenderPolicy {
  /** True for webContents of windows the app created (AppWindows.owns). */
  owns(contents: WebContents): boolean
  /** The dev server URL in development, else null (only app:// is trusted). */
  devServerUrl: string | null
}

type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>

/** Whether an IPC message comes from the top frame of one of our windows, on our origin. */
export function isTrustedSender(event: SenderEvent, policy: SenderPolicy): boolean {
  const contents = event.sender
  if (!contents || !policy.owns(contents)) return false
  const win = BrowserWindow.fromWebContents(contents)
  if (!win || win.webContents !== contents) return false
  let frame: IpcMainInvokeEvent['senderFrame']
  try {
    frame = event.senderFrame
  } catch {
    return false // the frame navigated or was destroyed meanwhile
  }
  if (!frame || frame.parent !== null) return false
  return isAppUrl(frame.url, policy.devServerUrl)
}

export const UNTRUSTED_SENDER_MESSAGE =
  'The request did not come from a TokenDeck window and was ignored.'

/** Registers every channel of the table; returns a function that removes them again. */
export function registerIpc(
  handlers: HandlerTable,
  policy: SenderPolicy,
  log: (line: string) => void = () => {},
): () => void {
  for (const channel of INVOKE_CHANNELS) {
    const handler = handlers[channel]
    if (typeof handler !== 'function') throw new Error(`no handler for ${channel}`)
    ipcMain.handle(channel, async (event, payload: unknown) => {
      if (!isTrustedSender(event, policy)) {
        log(`ipc: refused ${channel} from an untrusted sender`)
        return fail('VALIDATION_FAILED', UNTRUSTED_SENDER_MESSAGE)
      }
      return handler(payload)
    })
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel)
  }
}
