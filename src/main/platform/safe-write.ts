// Writing a file so that no one else can redirect or read the write: the bytes go to a fresh
// temporary name in the target's folder, created with O_EXCL | O_NOFOLLOW (a name planted in
// advance, a symlink included, makes the write fail instead of following it), with the final mode
// from the start, flushed, and then renamed over the target (atomic on one file system).
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

export interface SafeWriteOptions {
  /** The file's mode from its creation on (default 0600). */
  mode?: number
  /** fsync before the rename (default true): a crash leaves the old file or the new one. */
  fsync?: boolean
  /** The temporary name to use (tests plant files there); default tempNameFor(target). */
  tempName?: string
}

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants

/**
 * open() flags for a file that must be new: created here (O_EXCL), never through a link
 * (O_NOFOLLOW; 0 where the platform has none, Windows, where O_EXCL already refuses any existing
 * name, a link included). Every temporary file of a safe write is opened with these.
 */
export const FRESH_FILE_FLAGS = O_WRONLY | O_CREAT | O_EXCL | (O_NOFOLLOW ?? 0)

/** A fresh temporary name beside `target`: `.NAME.RANDOM.tmp` (hidden, 12 random bytes). */
export function tempNameFor(target: string): string {
  const dir = path.dirname(path.resolve(target))
  return path.join(dir, `.${path.basename(target)}.${randomBytes(12).toString('hex')}.tmp`)
}

/**
 * Writes `data` to `target` through a fresh temporary file (O_CREAT | O_EXCL | O_NOFOLLOW, mode
 * `mode`) renamed over it. Throws the file system's error (nothing is left behind then).
 */
export function writeFileSafely(
  target: string,
  data: string | Uint8Array,
  o: SafeWriteOptions = {},
): void {
  const mode = o.mode ?? 0o600
  const tmp = o.tempName ?? tempNameFor(target)
  const fd = fs.openSync(tmp, FRESH_FILE_FLAGS, mode)
  let renamed = false
  try {
    try {
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data)
      // The mode given to open is reduced by the umask; the file gets exactly `mode`.
      fs.fchmodSync(fd, mode)
      if (o.fsync !== false) fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, target)
    renamed = true
  } finally {
    if (!renamed) fs.rmSync(tmp, { force: true })
  }
}
