// The vault's file on disk: read through conf/electron-store (same API), validated twice (JSON
// Schema in the store, zod here), written atomically with mode 0600 under a cross-process lock.
// A file that cannot be read is never reset or deleted: it is kept, copied, and reported.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Conf from 'conf'
import { fail, ok, type Failure, type Result } from '../../shared/result'
import { formatIssues } from '../../shared/providers/profile'
import { KeyedMutex, withFileLock, type LockHandle } from './locks'
import {
  migrate,
  vaultDataSchema,
  vaultJsonSchema,
  VAULT_FORMAT,
  VAULT_SCHEMA_VERSION,
  type VaultData,
} from './schema'

export const VAULT_FILE = 'vault.json'

/** The name of a copy kept of a file that could not be read (see corrupt()). */
const UNREADABLE_COPY = /^vault\.json\.unreadable-[0-9a-f]{12}$/

/** The part of conf / electron-store the vault uses. */
export interface ConfLike {
  readonly path: string
  store: Record<string, unknown>
}

/** Options every store gets; electron-store takes the same ones. */
export interface StoreOptions {
  cwd: string
  configName: string
  fileExtension: string
  projectName: string
  clearInvalidConfig: false
  configFileMode: number
  accessPropertiesByDotNotation: false
  watch: false
  schema: Record<string, unknown>
  ajvOptions: { useDefaults: false }
  serialize: (value: Record<string, unknown>) => string
}

export type StoreFactory = (options: StoreOptions) => ConfLike

/** Plain Node: conf. The app passes `(o) => new ElectronStore(o)` instead. */
export const confStoreFactory: StoreFactory = (options) =>
  new Conf(options as ConstructorParameters<typeof Conf>[0]) as unknown as ConfLike

export interface VaultFileOptions {
  dir: string
  storeFactory?: StoreFactory
  /** How long a write waits for another process. */
  lockWaitMs?: number
}

let cachedSchema: ReturnType<typeof vaultJsonSchema> | undefined

/** Owns vault.json: cached reads, locked atomic writes, corruption reports. */
export class VaultFile {
  readonly dir: string
  readonly path: string
  private readonly factory: StoreFactory
  private readonly lockWaitMs: number
  private readonly mutex = new KeyedMutex()
  private store: ConfLike | undefined
  private cache: { key: string; data: VaultData } | undefined

  constructor(opts: VaultFileOptions) {
    this.dir = path.resolve(opts.dir)
    this.path = path.join(this.dir, VAULT_FILE)
    this.factory = opts.storeFactory ?? confStoreFactory
    this.lockWaitMs = opts.lockWaitMs ?? 30_000
  }

  exists(): boolean {
    return fs.existsSync(this.path)
  }

  private statKey(): string | undefined {
    try {
      const s = fs.statSync(this.path, { bigint: true })
      return `${s.ino}:${s.size}:${s.mtimeNs}`
    } catch {
      return undefined
    }
  }

  private conf(): ConfLike {
    cachedSchema ??= vaultJsonSchema()
    this.store ??= this.factory({
      cwd: this.dir,
      configName: path.basename(VAULT_FILE, '.json'),
      fileExtension: 'json',
      projectName: 'tokendeck',
      clearInvalidConfig: false,
      configFileMode: 0o600,
      accessPropertiesByDotNotation: false,
      watch: false,
      // No `required` at the root: conf validates an empty store when it creates the file, and
      // zod (below) rejects a file that lacks a key anyway.
      schema: cachedSchema.properties,
      ajvOptions: { useDefaults: false },
      serialize: (v) => JSON.stringify(v),
    })
    return this.store
  }

  /** The current data; re-read only when the file changed (another process wrote it). */
  read(): Result<VaultData> {
    const key = this.statKey()
    if (key === undefined) {
      return fail('VAULT_NOT_FOUND', `No vault at ${this.dir}. Create one with "tokendeck init".`)
    }
    if (this.cache?.key === key) return ok(this.cache.data)
    let raw: unknown
    try {
      raw = this.conf().store
    } catch (e) {
      this.store = undefined
      // A newer TokenDeck may have added fields this version's schema does not know.
      return this.newerVersion(readJson(this.path)) ?? this.corrupt(describeReadError(e))
    }
    const newer = this.newerVersion(raw)
    if (newer) return newer
    const parsed = vaultDataSchema.safeParse(migrate(raw))
    if (!parsed.success) return this.corrupt(formatIssues(parsed.error.issues, 3).join('; '))
    this.cache = { key, data: parsed.data }
    return ok(parsed.data)
  }

  /**
   * Read-modify-write under the vault lock: `change` receives a private copy of the newest data
   * and returns a Result; only a success is validated and written, then `afterWrite` runs, still
   * under the lock. No write is ever lost to a concurrent writer in this or another process.
   * Services write through Vault.mutate, which adds the event and the change notification.
   */
  async update<T>(
    change: (draft: VaultData) => Result<T> | Promise<Result<T>>,
    afterWrite?: (value: T) => void,
  ): Promise<Result<T>> {
    return this.locked(async (lock) => {
      const current = this.read()
      if (!current.ok) return current
      const draft = structuredClone(current.value)
      const r = await change(draft)
      if (!r.ok) return r
      if (!lock.stillHeld()) {
        // Taken over as stale (this process was suspended too long): write nothing.
        return fail(
          'VAULT_BUSY',
          'The vault lock was lost while working; nothing was written. Try again.',
        )
      }
      const w = this.write(draft)
      if (!w.ok) return w
      // Still under the lock: what follows a write (its event) is ordered like the writes.
      afterWrite?.(r.value)
      return r
    })
  }

  private newerVersion(raw: unknown): Failure | undefined {
    const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion
    if (typeof version !== 'number' || version <= VAULT_SCHEMA_VERSION) return undefined
    return fail(
      'UNSUPPORTED',
      `The vault file ${this.path} was written by a newer TokenDeck (format ${version}); update TokenDeck to open it. The file was not changed.`,
    )
  }

  /** Writes the first version of the file; refuses if a vault is already there. */
  async create(data: VaultData): Promise<Result<void>> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    return this.locked(async () => {
      if (this.exists()) return fail('VAULT_EXISTS', `A vault already exists at ${this.dir}.`)
      return this.write(data)
    })
  }

  /** Runs `task` under the vault's write lock (in-process, then cross-process). */
  locked<T>(task: (lock: LockHandle) => Promise<Result<T>>): Promise<Result<T>> {
    return this.mutex.run('file', async () => {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 })
      const r = await withFileLock(
        path.join(this.dir, '.vault.lock'),
        { waitMs: this.lockWaitMs },
        async (lock) => {
          this.removeTornWrites()
          return task(lock)
        },
      )
      return r.ok ? r.value : r
    })
  }

  /**
   * Temp files of atomic writes that a killed process left behind. Only lock holders write, so
   * under the lock any such file is garbage (it holds encrypted data only, mode 0600).
   */
  private removeTornWrites(): void {
    try {
      for (const name of fs.readdirSync(this.dir)) {
        if (name.startsWith(`${VAULT_FILE}.tmp-`))
          fs.rmSync(path.join(this.dir, name), { force: true })
      }
    } catch {
      /* nothing to tidy */
    }
  }

  private write(data: VaultData): Result<void> {
    const checked = vaultDataSchema.safeParse(data)
    if (!checked.success) {
      // A bug, not a user error: refuse to write a file that could not be read back.
      return fail(
        'INTERNAL',
        `Refused to write an invalid vault: ${formatIssues(checked.error.issues, 3).join('; ')}`,
      )
    }
    try {
      this.conf().store = checked.data as unknown as Record<string, unknown>
    } catch (e) {
      this.store = undefined
      return fail('INTERNAL', `Could not write ${this.path}: ${(e as Error).message.slice(0, 200)}`)
    }
    const key = this.statKey()
    if (key) this.cache = { key, data: checked.data }
    return ok(undefined)
  }

  /** The copies of unreadable files kept beside the vault (file names, oldest name first). */
  unreadableCopies(): string[] {
    try {
      return fs
        .readdirSync(this.dir)
        .filter((n) => UNREADABLE_COPY.test(n))
        .sort()
    } catch {
      return []
    }
  }

  /** Deletes one kept copy, by its exact file name (nothing else in the folder can be named). */
  deleteUnreadableCopy(name: string): Result<void> {
    if (!UNREADABLE_COPY.test(name) || !this.unreadableCopies().includes(name)) {
      return fail('NOT_FOUND', 'No such kept copy.')
    }
    try {
      fs.rmSync(path.join(this.dir, name))
      return ok(undefined)
    } catch (e) {
      return fail('INTERNAL', `Could not delete ${name}: ${(e as Error).message.slice(0, 120)}`)
    }
  }

  /** Keeps the unreadable file as it is, saves a copy beside it, and says where. */
  private corrupt(reason: string): Failure {
    let copy: string
    try {
      const bytes = fs.readFileSync(this.path)
      const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 12)
      copy = `${this.path}.unreadable-${digest}`
      if (!fs.existsSync(copy)) fs.copyFileSync(this.path, copy, fs.constants.COPYFILE_EXCL)
      fs.chmodSync(copy, 0o600)
    } catch {
      copy = ''
    }
    return fail(
      'VAULT_CORRUPT',
      `The vault file ${this.path} could not be read (${reason}). It was left untouched` +
        (copy ? `, and a copy was saved as ${copy}.` : '.') +
        ' Restore it from a backup, or move it away to start a new vault.',
      { details: { path: this.path, copy } },
    )
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

function describeReadError(e: unknown): string {
  const err = e as { name?: string; message?: string }
  // JSON.parse messages quote the file's text; say what is wrong without echoing content.
  if (err?.name === 'SyntaxError') return 'it is not valid JSON: truncated or edited by hand?'
  const msg = String(err?.message ?? e)
  if (/schema violation/i.test(msg))
    return msg.replace(/^.*?schema violation:?\s*/i, 'schema: ').slice(0, 200)
  return msg.slice(0, 200)
}

export function emptyVault(
  vaultId: string,
  now: number,
  keySlots: VaultData['keySlots'],
): VaultData {
  return vaultDataSchema.parse({
    format: VAULT_FORMAT,
    schemaVersion: VAULT_SCHEMA_VERSION,
    vaultId,
    createdAt: now,
    keySlots,
    accounts: [],
    tokens: [],
    customProfiles: [],
    settings: {},
  })
}
