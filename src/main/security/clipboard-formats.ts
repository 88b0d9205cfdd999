// The platform clipboard formats that tell clipboard managers and OS clipboard history "this is a
// secret: do not record, show or sync it". They go in the same atomic write as the text.

/** Electron's name for a raw platform clipboard format (see Electron's clipboard docs). */
export function osClipboardFormat(name: string): string {
  return `electron application/osclipboard;format="${name}"`
}

/** A DWORD holding 0 (Windows clipboard-history formats are read as a 32-bit value). */
const DWORD_ZERO = new Uint8Array(4)
const DWORD_ONE = Uint8Array.of(1, 0, 0, 0)

/**
 * The "sensitive" markers per platform, keyed by Electron clipboard format name:
 * - macOS: org.nspasteboard.ConcealedType (nspasteboard.org convention; 1Password, KeePassXC).
 * - Windows: ExcludeClipboardContentFromMonitorProcessing (history and monitors skip it),
 *   CanIncludeInClipboardHistory = 0 (Win+V history) and CanUploadToCloudClipboard = 0 (sync).
 * - Linux and other X11/Wayland desktops: x-kde-passwordManagerHint = "secret" (Klipper, CopyQ,
 *   GPaste and others honour it).
 */
export function sensitiveClipboardFormats(platform: string): Record<string, string | Uint8Array> {
  if (platform === 'darwin') {
    return { [osClipboardFormat('org.nspasteboard.ConcealedType')]: 'secret' }
  }
  if (platform === 'win32') {
    return {
      [osClipboardFormat('ExcludeClipboardContentFromMonitorProcessing')]: DWORD_ONE,
      [osClipboardFormat('CanIncludeInClipboardHistory')]: DWORD_ZERO,
      [osClipboardFormat('CanUploadToCloudClipboard')]: DWORD_ZERO,
    }
  }
  return { [osClipboardFormat('x-kde-passwordManagerHint')]: 'secret' }
}
