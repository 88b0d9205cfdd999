// vault-file.ts, schema.ts, vault-codec.ts and event-log.ts on real files in temp folders: file
// modes, atomic writes, corrupt, tampered and newer files kept untouched, the two schemas agreeing
// on the envelope, concurrent writers, and the sealed event log.
import { describe, expect, it } from 'vitest'
import { createHash, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { confStoreFactory, VaultFile, VAULT_FILE } from '../../src/main/vault/storage/vault-file'
import {
  vaultFileV1Schema,
  vaultFileV2Schema,
  vaultJsonSchema,
  type VaultData,
  type VaultFileV2,
} from '../../src/main/vault/storage/schema'
import {
  EventLog,
  EVENT_LOG_FILE,
  EVENT_LOG_LIMIT,
  sealedEventCipher,
} from '../../src/main/vault/storage/event-log'
import { generateKey } from '../../src/main/vault/storage/crypto'
import { keyCheck } from '../../src/main/vault/storage/rekey'
import { passphraseProtector, Vault } from '../../src/main/vault'
import { ok, type Result } from '../../src/shared/result'
import {
  CHEAP_SCRYPT,
  TEST_PASSPHRASE,
  manualClock,
  newVault,
  readSealed,
  rewriteSealed,
  tempDir,
  vaultKey,
} from '../helpers/vault'

const mode = (p: string) => fs.statSync(p).mode & 0o777

function unwrapOk<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`)
  return r.value
}

let template: Promise<{ dir: string; key: Buffer }> | undefined

/**
 * A valid vault (with a remembered account) in a folder of its own, copied from one template;
 * `data` is the file as it is on disk (the format 2 envelope), `key` its data key.
 */
async function validData(): Promise<{
  dir: string
  text: string
  data: Record<string, unknown>
  key: Buffer
}> {
  template ??= (async () => {
    const v = await newVault()
    unwrapOk(
      await v.accounts.add({
        label: 'sample',
        providerId: 'classic',
        fields: { username: 'u', password: 'sample-password' },
        remember: true,
      }),
    )
    return { dir: v.dir, key: vaultKey(v) }
  })()
  const t = await template
  const dir = tempDir()
  fs.cpSync(t.dir, dir, { recursive: true })
  const text = fs.readFileSync(path.join(dir, VAULT_FILE), 'utf8')
  return { dir, text, data: JSON.parse(text) as Record<string, unknown>, key: t.key }
}

const SECOND_PASSPHRASE = 'a second passphrase, for the second slot'
let twoSlotTemplate: Promise<{ dir: string; key: Buffer }> | undefined

/** Like validData, but the vault has two passphrase slots (so they can be reordered or removed). */
async function twoSlotData(): Promise<{ dir: string; data: VaultFileV2; key: Buffer }> {
  twoSlotTemplate ??= (async () => {
    const v = await newVault()
    unwrapOk(await v.vault.addKeySlot(passphraseProtector(SECOND_PASSPHRASE, CHEAP_SCRYPT)))
    return { dir: v.dir, key: vaultKey(v) }
  })()
  const t = await twoSlotTemplate
  const dir = tempDir()
  fs.cpSync(t.dir, dir, { recursive: true })
  const data = JSON.parse(fs.readFileSync(path.join(dir, VAULT_FILE), 'utf8')) as VaultFileV2
  expect(data.keySlots).toHaveLength(2)
  return { dir, data, key: t.key }
}

/** A fresh Vault over `dir` (another process) trying to unlock with `passphrase`. */
async function unlockFresh(dir: string, passphrase = TEST_PASSPHRASE) {
  const vault = new Vault({ dir, clock: manualClock() })
  const r = await vault.unlock(passphraseProtector(passphrase, CHEAP_SCRYPT))
  return { r, vault }
}

/** A VaultFile over `dir` holding the data key, as an unlocked vault's does. */
function keyed(dir: string, key: Buffer): VaultFile {
  const f = new VaultFile({ dir })
  f.useKey(key)
  return f
}

/** An event cipher under a fresh key, as an unlocked vault gives its log. */
function testCipher() {
  const c = sealedEventCipher(generateKey(), randomUUID())
  return () => c
}

function copiesIn(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.startsWith(`${VAULT_FILE}.unreadable-`))
}

describe('the vault file on disk', () => {
  it('is created with mode 0600 in a folder created with mode 0700', async () => {
    const root = tempDir()
    fs.chmodSync(root, 0o755)
    const dir = path.join(root, 'nested', 'vault')
    const v = await newVault({ dir })
    expect(mode(path.join(dir, VAULT_FILE))).toBe(0o600)
    expect(mode(dir)).toBe(0o700)
    expect(mode(path.join(root, 'nested'))).toBe(0o700)
    // Still 0600 after rewrites (the atomic rename makes a new file each time), and the event log too.
    unwrapOk(await v.vault.updateSettings({ clipboardClearSeconds: 12 }))
    expect(mode(path.join(dir, VAULT_FILE))).toBe(0o600)
    expect(mode(path.join(dir, EVENT_LOG_FILE))).toBe(0o600)
    // An existing folder is used as it is.
    const own = tempDir()
    fs.chmodSync(own, 0o750)
    await newVault({ dir: own })
    expect(mode(own)).toBe(0o750)
    expect(mode(path.join(own, VAULT_FILE))).toBe(0o600)
  })

  it('writes atomically: a reader in another thread never sees a partial file during 200 writes', async () => {
    const v = await newVault()
    const file = v.vault.file
    // A big file makes a torn write easy to catch.
    unwrapOk(
      await file.update((d) => {
        d.customProfiles.push({ id: 'padding', pad: 'x'.repeat(400_000) })
        return ok(undefined)
      }),
    )
    const flag = new Int32Array(new SharedArrayBuffer(4))
    const reader = new Worker(
      `
      const { workerData, parentPort } = require('node:worker_threads')
      const fs = require('node:fs')
      const flag = workerData.flag
      let reads = 0, bad = 0, missing = 0, versions = new Set()
      while (Atomics.load(flag, 0) === 0) {
        let text
        try { text = fs.readFileSync(workerData.path, 'utf8') } catch { missing++; continue }
        try { const b = JSON.parse(text).body; if (!b.ct) throw 0; versions.add(b.iv); reads++ } catch { bad++ }
      }
      parentPort.postMessage({ reads, bad, missing, versions: versions.size })
      `,
      { eval: true, workerData: { path: file.path, flag } },
    )
    const result = new Promise<{ reads: number; bad: number; missing: number; versions: number }>(
      (resolve, reject) => {
        reader.once('message', resolve)
        reader.once('error', reject)
      },
    )
    for (let i = 1; i <= 200; i++) {
      unwrapOk(
        await file.update((d) => {
          d.settings.expirySkewSeconds = i
          return ok(undefined)
        }),
      )
    }
    Atomics.store(flag, 0, 1)
    const r = await result
    await reader.terminate()
    expect(r.bad).toBe(0)
    expect(r.missing).toBe(0)
    expect(r.reads).toBeGreaterThan(50)
    expect(r.versions).toBeGreaterThan(10) // the reads really ran during the writes
    expect(unwrapOk(file.read()).settings.expirySkewSeconds).toBe(200)
    // No temporary file is left behind.
    expect(fs.readdirSync(v.dir).sort()).toEqual([EVENT_LOG_FILE, VAULT_FILE])
  })
})

describe('unreadable files are kept, copied and reported', () => {
  const cases: { name: string; bytes: (valid: string, data: Record<string, unknown>) => Buffer }[] =
    [
      { name: 'truncated JSON', bytes: (t) => Buffer.from(t.slice(0, Math.floor(t.length / 2))) },
      {
        name: 'random bytes',
        bytes: () => Buffer.from(Array.from({ length: 700 }, (_, i) => (i * 97 + 13) % 256)),
      },
      { name: 'an empty file', bytes: () => Buffer.alloc(0) },
      { name: 'whitespace only', bytes: () => Buffer.from('  \n') },
      { name: 'JSON null', bytes: () => Buffer.from('null') },
      { name: 'a JSON array', bytes: () => Buffer.from('[1,2,3]') },
      {
        name: 'missing keys',
        bytes: (_, d) => Buffer.from(JSON.stringify({ ...d, body: undefined })),
      },
      {
        name: 'no key slot',
        bytes: (_, d) => Buffer.from(JSON.stringify({ ...d, keySlots: [] })),
      },
      {
        name: 'a wrong type (createdAt as text)',
        bytes: (_, d) => Buffer.from(JSON.stringify({ ...d, createdAt: 'yesterday' })),
      },
      {
        name: 'a wrong type (the body as text)',
        bytes: (_, d) => Buffer.from(JSON.stringify({ ...d, body: 'plain-text-password' })),
      },
      {
        name: 'an unknown top-level key',
        bytes: (_, d) => Buffer.from(JSON.stringify({ ...d, plaintextBackup: 'oops' })),
      },
      {
        name: 'an unknown nested key',
        bytes: (_, d) =>
          Buffer.from(JSON.stringify({ ...d, body: { ...(d.body as object), theme: 'dark' } })),
      },
      {
        name: 'no key check (required in format 2)',
        bytes: (_, d) => Buffer.from(JSON.stringify({ ...d, keyCheck: undefined })),
      },
      {
        name: 'another format',
        bytes: (_, d) => Buffer.from(JSON.stringify({ ...d, format: 'something-else' })),
      },
      {
        name: 'a body that is not an EncRecord',
        bytes: (_, d) =>
          Buffer.from(
            JSON.stringify({ ...d, body: { v: 1, iv: '!!', ct: 'plain-text-password', tag: '' } }),
          ),
      },
    ]

  for (const c of cases) {
    it(`${c.name}: VAULT_CORRUPT naming the file; bytes untouched; one copy; no write`, async () => {
      const { dir, text, data } = await validData()
      const bytes = c.bytes(text, data)
      const file = path.join(dir, VAULT_FILE)
      fs.writeFileSync(file, bytes)
      const vf = new VaultFile({ dir })
      const r = vf.read()
      expect(r.ok).toBe(false)
      if (r.ok) return
      expect(r.code).toBe('VAULT_CORRUPT')
      expect(r.message).toContain(file)
      expect(r.message).toMatch(/left untouched/)
      // Never echoes the file's content (a JSON parse error would quote it).
      expect(r.message).not.toContain('plain-text-password')
      expect(fs.readFileSync(file).equals(bytes)).toBe(true)
      const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 12)
      expect(copiesIn(dir)).toEqual([`${VAULT_FILE}.unreadable-${digest}`])
      const copy = path.join(dir, `${VAULT_FILE}.unreadable-${digest}`)
      expect(fs.readFileSync(copy).equals(bytes)).toBe(true)
      expect(mode(copy)).toBe(0o600)
      expect(r.details).toMatchObject({ path: file, copy })
      expect(r.message).toContain(copy)

      // Reading again (also from other instances) makes no more copies.
      expect(vf.read().ok).toBe(false)
      expect(new VaultFile({ dir }).read().ok).toBe(false)
      expect(copiesIn(dir)).toHaveLength(1)

      // An update does not write, and does not even run its change.
      let ran = false
      const u = await vf.update((d: VaultData) => {
        ran = true
        d.accounts = []
        return ok(undefined)
      })
      expect(!u.ok && u.code).toBe('VAULT_CORRUPT')
      expect(ran).toBe(false)

      // The vault refuses to unlock and create over it; still nothing changed or deleted.
      const vault = new Vault({ dir, clock: manualClock() })
      const un = await vault.unlock(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT))
      expect(!un.ok && un.code).toBe('VAULT_CORRUPT')
      const cr = await vault.create(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT))
      expect(!cr.ok && cr.code).toBe('VAULT_EXISTS')
      expect(vault.status()).toMatchObject({ exists: true, unlocked: false, slots: [] })
      expect(fs.readFileSync(file).equals(bytes)).toBe(true)
      expect(copiesIn(dir)).toHaveLength(1)
    })
  }

  // What the JSON Schema and zod once both checked in the plain file (labels, settings, token
  // states, secrets as EncRecords) is now inside the sealed body: only zod sees it, once the body
  // has opened. Content that is authentic (sealed with the key, as only a TokenDeck holding it can
  // write: a bug or another version, not an attacker) but not valid is VAULT_CORRUPT, untouched.
  const invalidContent: [string, (d: VaultData) => void][] = [
    [
      'a secret in plain text',
      (d) => {
        ;(d.accounts[0]!.secrets as Record<string, unknown>).password = 'plain-text-password'
      },
    ],
    [
      'a secret EncRecord not in base64',
      (d) => {
        d.accounts[0]!.secrets.password = { v: 1, iv: '!!', ct: 'plain-text-password', tag: '' }
      },
    ],
    [
      'a secret EncRecord of version 2',
      (d) => {
        ;(d.accounts[0]!.secrets.password as { v: number }).v = 2
      },
    ],
    ['a setting out of range', (d) => (d.settings.clipboardClearSeconds = 1)],
    ['a setting not an integer', (d) => (d.settings.autoLockMinutes = 1.5)],
    ['an unknown setting', (d) => ((d.settings as Record<string, unknown>).theme = 'dark')],
    ['a label too long', (d) => (d.accounts[0]!.label = 'x'.repeat(81))],
    ['an empty label', (d) => (d.accounts[0]!.label = '')],
    ['an unknown account key', (d) => ((d.accounts[0] as Record<string, unknown>).token = 't')],
    [
      'a token with an unknown state',
      (d) => {
        d.tokens.push({
          id: 't',
          accountId: d.accounts[0]!.id,
          providerId: 'classic',
          orgKey: 'k',
          state: 'stolen' as 'active',
          issuedAt: 1,
          expiresAt: null,
          headerName: 'Authorization',
          scheme: 'Token',
          metadata: {},
          surface: 'ui',
          secret: null,
          endedAt: null,
          note: null,
        })
      },
    ],
    ['customProfiles not an array', (d) => (d.customProfiles = {} as never)],
  ]
  for (const [name, change] of invalidContent) {
    it(`authentic content that is not valid (${name}): VAULT_CORRUPT, untouched, no write`, async () => {
      const { dir, key } = await validData()
      const file = path.join(dir, VAULT_FILE)
      const bytes = rewriteSealed(dir, key, change)
      // Authentic: the body opens (with the header as its associated data) under the key.
      expect(bytes).not.toContain('plain-text-password')
      const vf = keyed(dir, key)
      const r = vf.read()
      expect(!r.ok && r.code).toBe('VAULT_CORRUPT')
      expect(!r.ok && r.message).toContain(file)
      expect(!r.ok && r.message).toMatch(/left untouched/)
      expect(!r.ok && r.message).not.toContain('plain-text-password')
      let ran = false
      const u = await vf.update(() => {
        ran = true
        return ok(undefined)
      })
      expect(!u.ok && u.code).toBe('VAULT_CORRUPT')
      expect(ran).toBe(false)
      // The vault refuses to unlock on it and stays locked.
      const { r: un, vault } = await unlockFresh(dir)
      expect(!un.ok && un.code).toBe('VAULT_CORRUPT')
      expect(vault.status().unlocked).toBe(false)
      expect(fs.readFileSync(file, 'utf8')).toBe(bytes)
    })
  }

  it('any edit of the header or the body: VAULT_TAMPERED, bytes untouched, no write, no unlock', async () => {
    const flipBase64 = (s: string, i: number) =>
      s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1)
    const edits: [string, (d: VaultFileV2) => void][] = [
      [
        'one base64 character of the body',
        (d) => (d.body.ct = flipBase64(d.body.ct, d.body.ct.length >> 1)),
      ],
      ['the first base64 character of the body', (d) => (d.body.ct = flipBase64(d.body.ct, 0))],
      ['the body nonce', (d) => (d.body.iv = flipBase64(d.body.iv, 0))],
      ['the body tag', (d) => (d.body.tag = Buffer.alloc(16).toString('base64'))],
      ['the creation time', (d) => (d.createdAt += 1)],
      ['the vault id', (d) => (d.vaultId = randomUUID())],
      ['the key slots, reordered', (d) => d.keySlots.reverse()],
      ['the second key slot, removed', (d) => d.keySlots.splice(1, 1)],
      ['the first key slot, removed', (d) => d.keySlots.splice(0, 1)],
      ['a key slot, duplicated', (d) => d.keySlots.push(d.keySlots[0]!)],
      ['a key slot field (its creation time)', (d) => (d.keySlots[1]!.createdAt += 1)],
    ]
    for (const [name, edit] of edits) {
      const { dir, data, key } = await twoSlotData()
      const file = path.join(dir, VAULT_FILE)
      const d = structuredClone(data)
      edit(d)
      expect(JSON.stringify(d), name).not.toBe(JSON.stringify(data)) // the edit changed something
      expect(vaultFileV2Schema.safeParse(d).success, name).toBe(true) // a well-formed file
      fs.writeFileSync(file, JSON.stringify(d))
      const bytes = fs.readFileSync(file, 'utf8')
      const vf = keyed(dir, key)
      const r = vf.read()
      expect({ name, code: !r.ok && r.code }).toEqual({ name, code: 'VAULT_TAMPERED' })
      expect(!r.ok && r.message, name).toMatch(/changed outside TokenDeck/)
      let ran = false
      const u = await vf.update(() => {
        ran = true
        return ok(undefined)
      })
      expect({ name, code: !u.ok && u.code, ran }).toEqual({
        name,
        code: 'VAULT_TAMPERED',
        ran: false,
      })
      // Without the key the header still reads (it is what unlocking needs) but nothing opens.
      const locked = new VaultFile({ dir })
      expect(locked.readHeader().ok, name).toBe(true)
      expect({ name, code: ((r2) => !r2.ok && r2.code)(locked.read()) }).toEqual({
        name,
        code: 'VAULT_LOCKED',
      })
      expect(fs.readFileSync(file, 'utf8'), name).toBe(bytes)
      expect(copiesIn(dir), name).toEqual([])
    }
  })

  it('an edited file refuses to unlock with either passphrase: VAULT_TAMPERED, locked, untouched', async () => {
    const edits: [string, (d: VaultFileV2) => void][] = [
      [
        'one base64 character of the body',
        (d) => (d.body.ct = `${d.body.ct[0] === 'A' ? 'B' : 'A'}${d.body.ct.slice(1)}`),
      ],
      ['the creation time', (d) => (d.createdAt += 1)],
      ['the key slots, reordered', (d) => d.keySlots.reverse()],
      ['the second key slot, removed', (d) => d.keySlots.splice(1, 1)],
      ['a key check naming another key', (d) => (d.keyCheck = keyCheck(generateKey()))],
    ]
    for (const [name, edit] of edits) {
      const { dir, data } = await twoSlotData()
      const file = path.join(dir, VAULT_FILE)
      const log = path.join(dir, EVENT_LOG_FILE)
      const d = structuredClone(data)
      edit(d)
      expect(JSON.stringify(d), name).not.toBe(JSON.stringify(data))
      fs.writeFileSync(file, JSON.stringify(d))
      const bytes = fs.readFileSync(file, 'utf8')
      const logBytes = fs.readFileSync(log, 'utf8')
      const passphrases =
        d.keySlots.length === 2 ? [TEST_PASSPHRASE, SECOND_PASSPHRASE] : [TEST_PASSPHRASE]
      for (const passphrase of passphrases) {
        const { r, vault } = await unlockFresh(dir, passphrase)
        expect({ name, code: !r.ok && r.code }).toEqual({ name, code: 'VAULT_TAMPERED' })
        expect(vault.status().unlocked, name).toBe(false)
      }
      expect(fs.readFileSync(file, 'utf8'), name).toBe(bytes)
      expect(fs.readFileSync(log, 'utf8'), name).toBe(logBytes)
      expect(copiesIn(dir), name).toEqual([])
    }
  })

  // The key check is compared before the body is opened: a file naming another data key reads, to
  // a VaultFile holding the old key, as re-keyed by another process (unlock again). Vault.unlock,
  // which has just unwrapped the key from one of the file's own slots, reports the same mismatch
  // as VAULT_TAMPERED (the previous test).
  it('a key check naming another key is VAULT_LOCKED (re-keyed elsewhere), and writes nothing', async () => {
    for (const other of ['A'.repeat(22), keyCheck(generateKey())]) {
      const { dir, data, key } = await validData()
      const file = path.join(dir, VAULT_FILE)
      expect(data.keyCheck).toBe(keyCheck(key))
      fs.writeFileSync(file, JSON.stringify({ ...data, keyCheck: other }))
      const bytes = fs.readFileSync(file, 'utf8')
      const vf = keyed(dir, key)
      const r = vf.read()
      expect(!r.ok && r.code).toBe('VAULT_LOCKED')
      expect(!r.ok && r.message).toMatch(/re-keyed/)
      expect(!r.ok && r.details).toMatchObject({ reason: 'key-changed' })
      let ran = false
      const u = await vf.update(() => {
        ran = true
        return ok(undefined)
      })
      expect(!u.ok && u.code).toBe('VAULT_LOCKED')
      expect(ran).toBe(false)
      expect(fs.readFileSync(file, 'utf8')).toBe(bytes)
      expect(copiesIn(dir)).toEqual([])
    }
  })

  it('shows no label, username, base URL, provider or setting in its bytes; opens only with the key', async () => {
    const v = await newVault({ clock: manualClock() })
    const PROFILE = JSON.parse(
      fs.readFileSync('src/main/providers/builtin/classic.json', 'utf8'),
    ) as Record<string, unknown>
    unwrapOk(
      await v.vault.addProvider(
        JSON.stringify({ ...PROFILE, id: 'acme-api', name: 'Acme Private API' }),
      ),
    )
    unwrapOk(
      await v.accounts.add({
        label: 'acme-prod-label',
        providerId: 'acme-api',
        baseUrl: 'https://tokens.acme-internal.example',
        fields: { username: 'alice.w@example.org', password: 'hunter2-sample-password' },
        remember: true,
      }),
    )
    unwrapOk(
      await v.accounts.add({
        label: 'ci-bot-label',
        providerId: 'classic',
        fields: { username: 'ci-robot-user' },
        remember: false,
      }),
    )
    unwrapOk(
      await v.vault.updateSettings({
        globalShortcut: 'Alt+Shift+F7',
        clipboardClearSeconds: 37,
        autoLockMinutes: 123,
        revokeOnReplace: true,
      }),
    )
    const key = vaultKey(v)
    const text = fs.readFileSync(path.join(v.dir, VAULT_FILE), 'utf8')
    const plain = [
      'acme-prod-label',
      'ci-bot-label',
      'alice.w@example.org',
      'ci-robot-user',
      'hunter2-sample-password',
      'tokens.acme-internal.example',
      'api.example.com', // the built-in profile's base URL, used by the second account
      'acme-api',
      'Acme Private API',
      'classic',
      'Alt+Shift+F7',
      // Not even the names of what the body holds.
      '"accounts"',
      '"tokens"',
      '"customProfiles"',
      '"settings"',
      '"label"',
      '"username"',
      '"baseUrl"',
      '"providerId"',
      '"clipboardClearSeconds"',
      '"autoLockMinutes"',
      '"revokeOnReplace"',
      '"globalShortcut"',
    ]
    for (const p of plain) expect(text, p).not.toContain(p)
    const parsed = JSON.parse(text) as VaultFileV2
    expect(Object.keys(parsed).sort()).toEqual(
      ['body', 'createdAt', 'format', 'keyCheck', 'keySlots', 'schemaVersion', 'vaultId'].sort(),
    )
    expect(Object.keys(parsed.body).sort()).toEqual(['ct', 'iv', 'tag', 'v'])
    // The setting values are not there as numbers or booleans either.
    const leaves: unknown[] = []
    const walk = (x: unknown): void => {
      if (x !== null && typeof x === 'object') Object.values(x).forEach(walk)
      else leaves.push(x)
    }
    walk(parsed)
    expect(leaves).not.toContain(37)
    expect(leaves).not.toContain(123)
    expect(leaves).not.toContain(true)
    // Yet all of it is in the body, for the key.
    const opened = readSealed(v.dir, key)
    expect(
      opened.accounts.map((a) => [a.label, a.providerId, a.baseUrl, a.fields.username]),
    ).toEqual([
      [
        'acme-prod-label',
        'acme-api',
        'https://tokens.acme-internal.example',
        'alice.w@example.org',
      ],
      ['ci-bot-label', 'classic', 'https://api.example.com', 'ci-robot-user'],
    ])
    expect(opened.settings).toMatchObject({
      globalShortcut: 'Alt+Shift+F7',
      clipboardClearSeconds: 37,
      autoLockMinutes: 123,
      revokeOnReplace: true,
    })
    expect(opened.customProfiles.map((p) => p.id)).toEqual(['acme-api'])
    // Without the key: the header, nothing else.
    const locked = new VaultFile({ dir: v.dir }).read()
    expect(!locked.ok && locked.code).toBe('VAULT_LOCKED')
    expect(unwrapOk(new VaultFile({ dir: v.dir }).readHeader()).keySlots).toHaveLength(1)

    // The event log beside it: sealed line by line, no label, host, provider or message in it.
    const logText = fs.readFileSync(path.join(v.dir, EVENT_LOG_FILE), 'utf8')
    const messages = v.vault.events.list().map((e) => e.message)
    expect(messages.some((m) => m.includes('acme-prod-label'))).toBe(true)
    for (const p of [...plain.slice(0, 11), ...messages.flatMap((m) => m.split(/[\s"().,:]+/))]) {
      // (6 characters or more: a shorter word could turn up in base64 by chance.)
      if (p.length >= 6) expect(logText, p).not.toContain(p)
    }
    // A hand-written plain line, a valid event in every other way, is not listed: it is counted.
    const forged = {
      id: randomUUID(),
      at: Date.now(),
      type: 'revoke',
      message: 'Forged: revoked "acme-prod-label".',
    }
    fs.appendFileSync(path.join(v.dir, EVENT_LOG_FILE), `${JSON.stringify(forged)}\n`)
    const listed = v.vault.events.list()
    expect(listed.map((e) => e.message)).toEqual(messages)
    expect(listed.map((e) => e.id)).not.toContain(forged.id)
    expect(v.vault.events.unverified).toBe(1)
    // While locked nothing is listed, not even the forged line.
    v.vault.lock()
    expect(v.vault.events.list()).toEqual([])
  })

  it('a format 1 file (the old plain layout) is still read with the key, and not rewritten by a read', async () => {
    const { dir, key } = await validData()
    const file = path.join(dir, VAULT_FILE)
    const d = readSealed(dir, key)
    fs.writeFileSync(file, JSON.stringify({ ...d, schemaVersion: 1 }))
    const bytes = fs.readFileSync(file, 'utf8')
    expect(unwrapOk(new VaultFile({ dir }).formatOnDisk())).toBe(1)
    // Even plain, it is read only for an unlocked vault (whose unlock upgrades it).
    const locked = new VaultFile({ dir }).read()
    expect(!locked.ok && locked.code).toBe('VAULT_LOCKED')
    const opened = unwrapOk(keyed(dir, key).read())
    expect(opened.accounts[0]!.label).toBe('sample')
    expect(opened.schemaVersion).toBe(2)
    expect(fs.readFileSync(file, 'utf8')).toBe(bytes)
  })

  it('a changed corrupt file gets its own copy; the old copy is kept', async () => {
    const { dir } = await validData()
    const file = path.join(dir, VAULT_FILE)
    fs.writeFileSync(file, '{"broken": ')
    expect(new VaultFile({ dir }).read().ok).toBe(false)
    fs.writeFileSync(file, '{"broken": tr')
    expect(new VaultFile({ dir }).read().ok).toBe(false)
    expect(copiesIn(dir)).toHaveLength(2)
  })

  it('a file written by a newer TokenDeck (schemaVersion 99) is UNSUPPORTED and untouched', async () => {
    const { dir, data } = await validData()
    const file = path.join(dir, VAULT_FILE)
    const bytes = Buffer.from(JSON.stringify({ ...data, schemaVersion: 99 }))
    fs.writeFileSync(file, bytes)
    const vf = new VaultFile({ dir })
    const r = vf.read()
    expect(!r.ok && r.code).toBe('UNSUPPORTED')
    if (r.ok) return
    expect(r.message).toMatch(/newer TokenDeck \(format 99\)/)
    expect(r.message).toMatch(/not changed/)
    // The message names the vault's folder (not vault.json itself).
    expect(r.message).toContain(dir)
    const u = await vf.update(() => ok(undefined))
    expect(!u.ok && u.code).toBe('UNSUPPORTED')
    const vault = new Vault({ dir, clock: manualClock() })
    const un = await vault.unlock(passphraseProtector(TEST_PASSPHRASE, CHEAP_SCRYPT))
    expect(!un.ok && un.code).toBe('UNSUPPORTED')
    expect(fs.readFileSync(file).equals(bytes)).toBe(true)
    expect(copiesIn(dir)).toEqual([])
  })

  // Regression test: conf's JSON Schema (strict on nested objects) runs before the version check,
  // so a newer file that added a key used to be reported as VAULT_CORRUPT and copied.
  it('a newer file that added a key is UNSUPPORTED, not VAULT_CORRUPT', async () => {
    const { dir, data } = await validData()
    const newer = { ...data, schemaVersion: 3, theme: 'dark' }
    fs.writeFileSync(path.join(dir, VAULT_FILE), JSON.stringify(newer))
    const r = new VaultFile({ dir }).read()
    expect(!r.ok && r.code).toBe('UNSUPPORTED')
  })
})

describe('the JSON Schema (conf) and zod agree', () => {
  /** Whether conf, given vaultJsonSchema() exactly as VaultFile passes it, accepts the data. */
  function confAccepts(data: unknown): boolean {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, VAULT_FILE), JSON.stringify(data))
    try {
      const store = confStoreFactory({
        cwd: dir,
        configName: 'vault',
        fileExtension: 'json',
        projectName: 'tokendeck',
        clearInvalidConfig: false,
        configFileMode: 0o600,
        accessPropertiesByDotNotation: false,
        watch: false,
        schema: vaultJsonSchema().properties,
        ajvOptions: { useDefaults: false },
        serialize: (v) => JSON.stringify(v),
      })
      void store.store
      return true
    } catch {
      return false
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }

  it('both accept a valid vault, and both reject the same broken samples', async () => {
    const { data } = await validData()
    const d = data as unknown as VaultFileV2
    expect(vaultFileV2Schema.safeParse(d).success).toBe(true)
    expect(confAccepts(d)).toBe(true)
    const with_ = (patch: Record<string, unknown>) => ({ ...d, ...patch })
    const samples: [string, unknown][] = [
      ['createdAt as text', with_({ createdAt: 'x' })],
      ['keySlots empty', with_({ keySlots: [] })],
      ['wrong format', with_({ format: 'other' })],
      ['body as text', with_({ body: 'plain' })],
      ['body not base64', with_({ body: { ...d.body, iv: '!!' } })],
      ['body of version 2', with_({ body: { ...d.body, v: 2 } })],
      ['unknown body key', with_({ body: { ...d.body, extra: 'x' } })],
      ['keyCheck as a number', with_({ keyCheck: 5 })],
      [
        'scrypt N too large',
        with_({
          keySlots: d.keySlots.map((s) =>
            s.kind === 'passphrase' ? { ...s, kdf: { ...s.kdf, N: 2 ** 30, r: 1000 } } : s,
          ),
        }),
      ],
      ['unknown slot kind', with_({ keySlots: [{ ...d.keySlots[0]!, kind: 'tpm' }] })],
      ['nine key slots', with_({ keySlots: Array.from({ length: 9 }, () => d.keySlots[0]!) })],
    ]
    const disagreements: string[] = []
    for (const [name, sample] of samples) {
      const zodAccepts = vaultFileV2Schema.safeParse(sample).success
      expect({ name, zodAccepts }).toEqual({ name, zodAccepts: false })
      if (confAccepts(sample) !== zodAccepts) disagreements.push(name)
    }
    expect(disagreements).toEqual([])
  })

  // vaultJsonSchema() also holds format 1's properties (the content in plain JSON), so an old file
  // can be read to be upgraded: on such a file the two still check the content the same way.
  it('on a format 1 file too: both accept it, and both reject the same broken content', async () => {
    const { dir, key } = await validData()
    const { keyCheck: _unused, ...opened } = readSealed(dir, key)
    const d = { ...opened, schemaVersion: 1 } as unknown as Omit<VaultData, 'schemaVersion'>
    expect(vaultFileV1Schema.safeParse(d).success).toBe(true)
    expect(confAccepts(d)).toBe(true)
    const acc = d.accounts[0]!
    const with_ = (patch: Record<string, unknown>) => ({ ...d, ...patch })
    const samples: [string, unknown][] = [
      ['createdAt as text', with_({ createdAt: 'x' })],
      ['settings out of range', with_({ settings: { ...d.settings, clipboardClearSeconds: 1 } })],
      ['settings not an integer', with_({ settings: { ...d.settings, autoLockMinutes: 1.5 } })],
      ['unknown setting', with_({ settings: { ...d.settings, theme: 'x' } })],
      ['label too long', with_({ accounts: [{ ...acc, label: 'x'.repeat(81) }] })],
      ['empty label', with_({ accounts: [{ ...acc, label: '' }] })],
      ['unknown account key', with_({ accounts: [{ ...acc, token: 't' }] })],
      ['secret in plain text', with_({ accounts: [{ ...acc, secrets: { password: 'p' } }] })],
      [
        'EncRecord not base64',
        with_({
          accounts: [{ ...acc, secrets: { password: { v: 1, iv: '!!', ct: '', tag: '' } } }],
        }),
      ],
      ['EncRecord version 2', with_({ accounts: [{ ...acc, secrets: { p: { v: 2 } } }] })],
      [
        'token with an unknown state',
        with_({
          tokens: [
            {
              id: 't',
              accountId: acc.id,
              providerId: 'classic',
              orgKey: 'k',
              state: 'stolen',
              issuedAt: 1,
              expiresAt: null,
              headerName: 'Authorization',
              scheme: 'Token',
              metadata: {},
              surface: 'ui',
              secret: null,
              endedAt: null,
              note: null,
            },
          ],
        }),
      ],
      ['customProfiles not an array', with_({ customProfiles: {} })],
      ['unknown slot kind', with_({ keySlots: [{ ...d.keySlots[0]!, kind: 'tpm' }] })],
    ]
    const disagreements: string[] = []
    for (const [name, sample] of samples) {
      const zodAccepts = vaultFileV1Schema.safeParse(sample).success
      expect({ name, zodAccepts }).toEqual({ name, zodAccepts: false })
      if (confAccepts(sample) !== zodAccepts) disagreements.push(name)
    }
    expect(disagreements).toEqual([])
  })

  // conf's `schema` option holds the properties only, and vault-file.ts passes neither the
  // `required` list nor `additionalProperties` (conf's `rootSchema` option would take both), so
  // conf accepts a missing or unknown top-level key. zod catches them.
  it('what only zod checks (missing or unknown top-level keys, uuid, powers of two) fails the read', async () => {
    const { dir, data } = await validData()
    const d = data as unknown as VaultFileV2
    const onlyZod: unknown[] = [
      { ...d, body: undefined },
      { ...d, vaultId: 'not-a-uuid' },
      { ...d, plaintextBackup: 'x' },
      { ...d, accounts: [] },
      {
        ...d,
        keySlots: d.keySlots.map((s) =>
          s.kind === 'passphrase' ? { ...s, kdf: { ...s.kdf, N: 3 * 2 ** 14 } } : s,
        ),
      },
    ]
    for (const sample of onlyZod) {
      expect(vaultFileV2Schema.safeParse(sample).success).toBe(false)
      fs.writeFileSync(path.join(dir, VAULT_FILE), JSON.stringify(sample))
      const r = new VaultFile({ dir }).read()
      expect(!r.ok && r.code).toBe('VAULT_CORRUPT')
    }
  })
})

describe('concurrent writers', () => {
  it('two VaultFile instances (two processes) updating 100 times each lose no update', async () => {
    const { dir, key } = await validData()
    const a = keyed(dir, key)
    const b = keyed(dir, key)
    const run = async (vf: VaultFile, name: string) => {
      for (let i = 0; i < 100; i++) {
        unwrapOk(
          await vf.update(async (d) => {
            // Read-modify-write with a pause inside, so the other writer surely waits.
            const n = d.settings.expirySkewSeconds
            if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1))
            d.settings.expirySkewSeconds = n + 1
            d.customProfiles.push({ id: `${name}-${i}` })
            return ok(undefined)
          }),
        )
      }
    }
    await Promise.all([run(a, 'a'), run(b, 'b')])
    for (const vf of [a, b, keyed(dir, key)]) {
      const d = unwrapOk(vf.read())
      expect(d.settings.expirySkewSeconds).toBe(60 + 200)
      const ids = d.customProfiles.map((p) => p.id as string)
      expect(new Set(ids).size).toBe(200)
      // Each writer's entries are in its own order.
      const mine = ids.filter((id) => id.startsWith('a-'))
      expect(mine).toEqual(Array.from({ length: 100 }, (_, i) => `a-${i}`))
    }
  })

  it('a same-size rewrite by another instance is seen (no stale cached read)', async () => {
    const { dir, key } = await validData()
    const a = keyed(dir, key)
    const b = keyed(dir, key)
    // Settings toggled between values of equal length: every file has the same size.
    for (let i = 0; i < 300; i++) {
      const writer = i % 3 === 0 ? a : b
      const value = 10 + (i % 80)
      unwrapOk(
        await writer.update((d) => {
          d.settings.clipboardClearSeconds = value
          return ok(undefined)
        }),
      )
      expect(unwrapOk(a.read()).settings.clipboardClearSeconds).toBe(value)
      expect(unwrapOk(b.read()).settings.clipboardClearSeconds).toBe(value)
    }
  })
})

describe('the event log', () => {
  function entry(i: number, extra: Partial<{ accountId: string; type: 'mint' | 'reuse' }> = {}) {
    return { at: 1_000 + i, type: 'reuse' as const, message: `event ${i}`, ...extra }
  }

  it('appends and lists newest first, with limit, account and type filters', () => {
    const log = new EventLog(tempDir(), testCipher())
    expect(log.list()).toEqual([])
    for (let i = 0; i < 30; i++) {
      log.append(
        entry(i, { accountId: i % 3 === 0 ? 'acc-a' : 'acc-b', type: i % 2 ? 'mint' : 'reuse' }),
      )
    }
    const all = log.list()
    expect(all).toHaveLength(30)
    expect(all.map((e) => e.at)).toEqual(Array.from({ length: 30 }, (_, i) => 1_029 - i))
    expect(new Set(all.map((e) => e.id)).size).toBe(30)
    expect(log.list({ limit: 5 }).map((e) => e.message)).toEqual([
      'event 29',
      'event 28',
      'event 27',
      'event 26',
      'event 25',
    ])
    const a = log.list({ accountId: 'acc-a' })
    expect(a).toHaveLength(10)
    expect(a.every((e) => e.accountId === 'acc-a')).toBe(true)
    const mints = log.list({ types: ['mint'] })
    expect(mints).toHaveLength(15)
    expect(log.list({ accountId: 'acc-a', types: ['mint'], limit: 2 }).map((e) => e.at)).toEqual([
      1_027, 1_021,
    ])
    expect(log.list({ types: ['failure'] })).toEqual([])
    expect(mode(log.path)).toBe(0o600)
  })

  it('seals each line: no message in the file, a hand-written plain line is not listed', () => {
    const log = new EventLog(tempDir(), testCipher())
    log.append({ ...entry(1), label: 'acme-prod', message: 'Reused the token of "acme-prod".' })
    const text = fs.readFileSync(log.path, 'utf8')
    expect(text).not.toContain('acme-prod')
    expect(text).not.toContain('Reused')
    fs.appendFileSync(log.path, `${JSON.stringify({ id: 'x', ...entry(2), message: 'forged' })}\n`)
    expect(log.list().map((e) => e.message)).toEqual(['Reused the token of "acme-prod".'])
    expect(log.unverified).toBe(1)
    // Another vault's key opens none of it; while locked nothing is read or written.
    expect(new EventLog(path.dirname(log.path), testCipher()).list()).toEqual([])
    const locked = new EventLog(path.dirname(log.path), () => null)
    locked.append(entry(3))
    expect(locked.list()).toEqual([])
    expect(fs.readFileSync(log.path, 'utf8').split('\n').filter(Boolean)).toHaveLength(2)
  })

  it('skips garbage lines, such as half a line left by a crash mid-append', () => {
    const log = new EventLog(tempDir(), testCipher())
    log.append(entry(1))
    log.append(entry(2))
    const line = fs.readFileSync(log.path, 'utf8').split('\n')[0]!
    fs.appendFileSync(log.path, `${line.slice(0, 20)}\n`) // a torn line, then a newline
    fs.appendFileSync(log.path, 'not json at all\n{"id":"x","at":"later","type":"mint"}\n\n')
    fs.appendFileSync(log.path, `${JSON.stringify({ ...entry(9), id: 'i', type: 'bogus' })}\n`)
    log.append(entry(3))
    expect(log.list().map((e) => e.message)).toEqual(['event 3', 'event 2', 'event 1'])
  })

  // Regression test: append() used to glue the first event after a torn last line onto it.
  it('the first event appended after a torn last line is not lost', () => {
    const log = new EventLog(tempDir(), testCipher())
    log.append(entry(1))
    const line = fs.readFileSync(log.path, 'utf8').split('\n')[0]!
    fs.appendFileSync(log.path, line.slice(0, 25)) // crash mid-append: no newline
    log.append(entry(2))
    log.append(entry(3))
    expect(log.list().map((e) => e.message)).toEqual(['event 3', 'event 2', 'event 1'])
  })

  it('compacts to exactly the newest `limit` once it holds more than twice that (limit 50)', async () => {
    let asked = 0
    let compacting = Promise.resolve()
    const log: EventLog = new EventLog(
      tempDir(),
      testCipher(),
      () => {
        asked++
        compacting = log.compactIfLarge()
      },
      50,
    )
    const lines = () => fs.readFileSync(log.path, 'utf8').split('\n').filter(Boolean)
    for (let i = 0; i < 100; i++) log.append(entry(i))
    await log.compactIfLarge() // at exactly twice the limit: nothing to do
    expect(lines()).toHaveLength(100)
    log.append(entry(100))
    await log.compactIfLarge()
    expect(lines()).toHaveLength(50)
    expect(log.list().map((e) => e.at)).toEqual(Array.from({ length: 50 }, (_, i) => 1_100 - i))
    expect(log.list({ limit: 1000 })).toHaveLength(50)
    expect(mode(log.path)).toBe(0o600)
    expect(fs.readdirSync(path.dirname(log.path))).toEqual([EVENT_LOG_FILE])

    // Appends ask for compaction by themselves (checked every 200 appends, by size).
    for (let i = 101; i < 1_000; i++) log.append({ ...entry(i), message: 'm'.repeat(200) })
    expect(asked).toBeGreaterThan(0)
    await compacting
    expect(lines().length).toBeLessThanOrEqual(300)
    expect(log.list()[0]?.at).toBe(1_999)
  })

  it('at the real limit: more than 10,000 events are compacted to the newest 5,000 by the vault', async () => {
    const v = await newVault()
    const log = v.vault.events
    expect(EVENT_LOG_LIMIT).toBe(5000)
    const pad = 'p'.repeat(150) // ~250-byte lines, as real events with labels and ids are
    const started = Date.now()
    for (let i = 0; i < 10_200; i++) v.vault.log({ type: 'vault', message: `e${i} ${pad}` })
    // The vault compacts under its write lock, asynchronously.
    const deadline = Date.now() + 10_000
    let count = 0
    while (Date.now() < deadline) {
      count = fs.readFileSync(log.path, 'utf8').split('\n').filter(Boolean).length
      if (count <= 5_000) break
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(count).toBe(5_000)
    const newest = log.list()
    expect(newest).toHaveLength(5_000)
    expect(newest[0]?.message.startsWith('e10199 ')).toBe(true)
    expect(newest.at(-1)?.message.startsWith('e5200 ')).toBe(true)
    expect(Date.now() - started).toBeLessThan(20_000)
  })
})
