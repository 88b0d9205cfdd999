// Electron's clipboard behind ClipboardPort (clipboard-guard.ts), writing the header together
// with the platform's "sensitive" markers in one atomic write.
import { clipboard, ClipboardItem } from 'electron'
import type { ClipboardPort } from './clipboard-guard'
import { sensitiveClipboardFormats } from './security/clipboard-formats'

/** The Electron clipboard behind ClipboardPort, with the platform's sensitive markers. */
export function electronClipboardPort(platform: string = process.platform): ClipboardPort {
  const markers = sensitiveClipboardFormats(platform)
  return {
    writeText: (text) => clipboard.writeText(text),
    readText: () => clipboard.readText(),
    clear: () => clipboard.clear(),
    writeSensitive: (text) => {
      const items: Record<string, string | Blob> = { 'text/plain': text }
      for (const [format, value] of Object.entries(markers)) {
        items[format] = typeof value === 'string' ? value : new Blob([value])
      }
      return clipboard.write([new ClipboardItem(items)])
    },
  }
}
