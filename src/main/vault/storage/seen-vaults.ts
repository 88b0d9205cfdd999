// What this machine remembers of each vault it opened: that it was in the sealed format (2), and
// the highest generation of its file seen here (each write numbers the file one higher, inside the
// sealed body). Kept outside the vault folder (localStateDir), one small file per vault id, so
// someone who can write the vault folder (a synced or shared folder, a restored backup) cannot
// make this machine read the vault as format 1 again, or take an older copy for the newest,
// without it being noticed.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { z } from 'zod'
import { localStateDir } from '../../app-identity'
import { writeFileSafely } from '../../platform/safe-write'

/** The state folder for this process: $TOKENDECK_STATE_DIR, else the platform's own. */
export function defaultStateDir(): string {
  return localStateDir({ platform: process.platform, env: process.env, home: os.homedir() })
}

/** What is remembered of one vault. */
export interface SeenVault {
  /** The vault was seen in the sealed format: a format 1 file of it is never read again. */
  format: 2
  /** The highest generation of the file seen here (0 for files from before generations). */
  generation: number
  /** When that file was written (epoch ms; null for files from before generations). */
  writtenAt: number | null
  /** When this machine saw it. */
  seenAt: number
}

const seenSchema = z
  .object({
    format: z.literal(2),
    generation: z.number().int().nonnegative(),
    writtenAt: z.number().nullable(),
    seenAt: z.number(),
  })
  .strict()

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Owns `<state dir>/vaults/<vault id>.json`. */
export class SeenVaults {
  readonly dir: string

  constructor(stateDir: string) {
    this.dir = path.join(path.resolve(stateDir), 'vaults')
  }

  private file(vaultId: string): string | null {
    return UUID.test(vaultId) ? path.join(this.dir, `${vaultId.toLowerCase()}.json`) : null
  }

  /** What this machine remembers of `vaultId`; undefined when it never saw it (or cannot tell). */
  get(vaultId: string): SeenVault | undefined {
    const file = this.file(vaultId)
    if (!file) return undefined
    try {
      const parsed = seenSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')))
      return parsed.success ? parsed.data : undefined
    } catch {
      return undefined
    }
  }

  /**
   * Remembers `seen` unless a higher generation is remembered already. Callers hold the vault's
   * write lock, so two processes of this machine never interleave for one vault. Best effort: a
   * state folder that cannot be written weakens the check on this machine, it never stops the
   * vault (false when nothing was written).
   */
  record(vaultId: string, seen: SeenVault): boolean {
    const file = this.file(vaultId)
    if (!file) return false
    const before = this.get(vaultId)
    if (before && before.generation > seen.generation) return false
    if (before && before.generation === seen.generation && before.writtenAt === seen.writtenAt)
      return false
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 })
      // No fsync: a record lost to a crash only makes the check more lenient (never a false
      // alarm), and every vault write would otherwise pay a second flush.
      writeFileSafely(file, JSON.stringify(seen), { mode: 0o600, fsync: false })
      return true
    } catch {
      return false
    }
  }
}
