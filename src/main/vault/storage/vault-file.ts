// The vault's file on disk: read through conf/electron-store (same API), validated twice (JSON
// Schema in the store, zod here), sealed and opened with the data key (vault-codec.ts), written
// atomically with mode 0600 under a cross-process lock. A file that cannot be read, or that was
// changed outside TokenDeck, is never reset or deleted: it is kept and reported.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Conf from 'conf'
import type { z } from 'zod'
import { formatAgo } from '../../../shared/expiry'
import { fail, ok, type Failure, type Result } from '../../../shared/result'
import { formatIssues } from '../../../shared/providers/profile'
import { KeyedMutex, withFileLock, type LockHandle } from './locks'
import { decodeVault, encodeVault } from './vault-codec'
import { BINDINGS } from './bindings'
import {
  vaultDataSchema,
  vaultFileV1Schema,
  vaultFileV2Schema,
  vaultHeaderSchema,
  vaultJsonSchema,
  VAULT_FORMAT,
  VAULT_SCHEMA_VERSION,
  type VaultData,
  type VaultFileV2,
  type VaultHeader,
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
  /** Epoch ms, for the time each write records (default Date.now). */
  now?: () => number
  /** Called after each write (under the vault lock) with the generation just written. */
  onWritten?: (vaultId: string, newest: Generation) => void
}

/** Which copy of the file: its generation (one higher at every write) and when it was written. */
export interface Generation {
  generation: number
  writtenAt: number | null
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
  /** The last file read, by stat key: its header, its format, and its data once opened. */
  private cache:
    { stat: string; header: VaultHeader; format: 1 | 2; raw: unknown; data?: VaultData } | undefined
  /** The data key that opens and seals the file; null while the vault is locked. */
  private key: Buffer | null = null
  /** The newest copy of the file this process knows of (read, written, or seen on this machine). */
  private newest: Generation = { generation: 0, writtenAt: null }
  /** Reads refuse a file older than this generation: VAULT_ROLLED_BACK (see acceptOlder). */
  private floor = 0
  private readonly now: () => number
  private readonly onWritten: VaultFileOptions['onWritten']

  constructor(opts: VaultFileOptions) {
    this.dir = path.resolve(opts.dir)
    this.path = path.join(this.dir, VAULT_FILE)
    this.factory = opts.storeFactory ?? confStoreFactory
    this.lockWaitMs = opts.lockWaitMs ?? 30_000
    this.now = opts.now ?? Date.now
    this.onWritten = opts.onWritten
  }

  /**
   * What this machine saw of the vault before (seen-vaults.ts): from now on, a copy of the file
   * older than that is VAULT_ROLLED_BACK until the person accepts it (acceptOlder).
   */
  expectAtLeast(seen: Generation): void {
    if (seen.generation > this.newest.generation) this.newest = { ...seen }
    this.floor = Math.max(this.floor, seen.generation)
  }

  /** The newest generation this process knows of. */
  newestSeen(): Generation {
    return { ...this.newest }
  }

  /**
   * The person chose to use the older copy now on disk: it is read, and the next write numbers the
   * file above the newest generation seen, so the copy becomes the newest again.
   */
  acceptOlder(): void {
    // The next read takes the copy on disk as the floor (read() raises it to what it opens).
    this.floor = 0
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

  /**
   * Sets the key that opens and seals the file (the Vault's data key), or null on lock: the data
   * read with the old key is forgotten.
   */
  useKey(key: Buffer | null): void {
    this.key = key
    if (this.cache) delete this.cache.data
  }

  /**
   * The file's header (format, vault id, key slots), readable while locked. Until the vault is
   * unlocked nothing in it is authenticated: unlocking opens the body, whose associated data is
   * a hash of this header, and so checks it.
   */
  readHeader(): Result<VaultHeader & { format: typeof VAULT_FORMAT }> {
    const r = this.load()
    return r.ok ? ok(r.value.header) : r
  }

  /** Which format the file on disk is in: 1 is upgraded to 2 at unlock. */
  formatOnDisk(): Result<1 | 2> {
    const r = this.load()
    return r.ok ? ok(r.value.format) : r
  }

  /** Reads and checks the envelope: re-read only when the file changed (another process wrote). */
  private load(): Result<NonNullable<VaultFile['cache']>> {
    const stat = this.statKey()
    if (stat === undefined) {
      return fail('VAULT_NOT_FOUND', `No vault at ${this.dir}. Create one with "tokendeck init".`)
    }
    if (this.cache?.stat === stat) return ok(this.cache)
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
    const version = (raw as { schemaVersion?: unknown }).schemaVersion
    const parsed =
      version === 1 ? vaultFileV1Schema.safeParse(raw) : vaultFileV2Schema.safeParse(raw)
    if (!parsed.success) return this.corrupt(formatIssues(parsed.error.issues, 3).join('; '))
    const header = vaultHeaderSchema.parse(parsed.data) as VaultHeader & {
      format: typeof VAULT_FORMAT
    }
    this.cache = { stat, header, format: version === 1 ? 1 : 2, raw: parsed.data }
    return ok(this.cache)
  }

  /**
   * The whole data, opened and authenticated with the key (VAULT_LOCKED without one). Re-read and
   * re-opened only when the file changed. A file changed outside TokenDeck is VAULT_TAMPERED; one
   * re-keyed by another process is VAULT_LOCKED (unlock again).
   */
  read(): Result<VaultData> {
    const loaded = this.load()
    if (!loaded.ok) return loaded
    const c = loaded.value
    if (!this.key) return fail('VAULT_LOCKED', 'The vault is locked.')
    if (c.data) return ok(c.data)
    let data: Result<VaultData>
    if (c.format === 1) {
      // Format 1: nothing but the secrets was authenticated. Upgraded at unlock (Vault.unlock).
      const v1 = c.raw as z.infer<typeof vaultFileV1Schema>
      data = ok({ ...structuredClone(v1), schemaVersion: VAULT_SCHEMA_VERSION })
    } else {
      data = decodeVault(c.raw as VaultFileV2, this.key, this.path)
    }
    if (!data.ok) return data
    const generation = data.value.generation ?? 0
    if (c.format === 2 && generation < this.floor) return this.rolledBack(data.value)
    if (generation > this.newest.generation) {
      this.newest = { generation, writtenAt: data.value.writtenAt ?? null }
    }
    this.floor = Math.max(this.floor, generation)
    c.data = data.value
    return data
  }

  private rolledBack(file: VaultData): Failure {
    const seen = this.newest
    // How long ago, in words: the exact times are in the details, for each surface to format.
    const now = this.now()
    const when = (at: number | null | undefined) =>
      at ? formatAgo(now - at) : 'at an unknown time'
    return fail(
      'VAULT_ROLLED_BACK',
      `The vault file ${this.path} is older than the newest copy this computer has seen: this one ` +
        `was written ${when(file.writtenAt)} (version ${file.generation ?? 0}), the newest seen ` +
        `here ${when(seen.writtenAt)} (version ${seen.generation}). It may be a backup restored on ` +
        'purpose, or an old copy put back by someone else; accounts, settings and tokens changed ' +
        'since are not in it. Nothing was written. If you restored it yourself, open it anyway ' +
        '(the app asks; the CLI: tokendeck vault accept-older).',
      {
        details: {
          path: this.path,
          fileGeneration: file.generation ?? 0,
          fileWrittenAt: file.writtenAt ?? null,
          seenGeneration: seen.generation,
          seenWrittenAt: seen.writtenAt,
        },
      },
    )
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
    /** The key to seal the new file with when it is not the current one (key rotation). */
    sealWith?: () => Buffer,
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
      const key = sealWith?.() ?? this.key
      if (!key) return fail('VAULT_LOCKED', 'The vault is locked.')
      const w = this.write(draft, key)
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

  /** Writes the first version of the file, sealed with `key`; refuses if a vault is there. */
  async create(data: VaultData, key: Buffer): Promise<Result<void>> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    return this.locked(async () => {
      if (this.exists()) return fail('VAULT_EXISTS', `A vault already exists at ${this.dir}.`)
      return this.write(data, key)
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

  /** Seals `data` with `key` (vault-codec.ts) and writes it; the cache then holds it opened. */
  private write(data: VaultData, key: Buffer): Result<void> {
    const checked = vaultDataSchema.safeParse(data)
    if (!checked.success) {
      // A bug, not a user error: refuse to write a file that could not be read back.
      return fail(
        'INTERNAL',
        `Refused to write an invalid vault: ${formatIssues(checked.error.issues, 3).join('; ')}`,
      )
    }
    // One higher than any copy this process knows of, so an accepted older copy moves ahead.
    const generation = Math.max(checked.data.generation ?? 0, this.newest.generation) + 1
    const writtenAt = this.now()
    const sealed = encodeVault({ ...checked.data, generation, writtenAt }, key)
    try {
      this.conf().store = sealed as unknown as Record<string, unknown>
    } catch (e) {
      this.store = undefined
      return fail('INTERNAL', `Could not write ${this.path}: ${(e as Error).message.slice(0, 200)}`)
    }
    const stat = this.statKey()
    const { body: _body, ...header } = sealed
    this.cache = stat
      ? {
          stat,
          header,
          format: 2,
          raw: sealed,
          // Opened data only while this key is the file's key (not after sealing with a new one).
          ...(this.key === key
            ? { data: { ...checked.data, keyCheck: sealed.keyCheck, generation, writtenAt } }
            : {}),
        }
      : undefined
    this.newest = { generation, writtenAt }
    this.floor = generation
    this.onWritten?.(sealed.vaultId, this.newest)
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
    bindings: BINDINGS,
    accounts: [],
    tokens: [],
    customProfiles: [],
    settings: {},
  })
}
