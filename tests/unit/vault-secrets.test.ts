// "No plaintext secret on disk": a vault used against the three sandbox providers (remembered and
// typed secrets, logins from every surface, forced logins, revokes, a signup, wrong passwords, a
// login whose answer was lost) never writes a password, secret key, passphrase, token or secret
// token metadata (xpay's ticket) to any file under its folder, in any common encoding, nor into
// an event, a view or a failure message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { startSandbox, DEMO_USERS, type SandboxSet } from '../../src/main/sandbox'
import { createHttpClient } from '../../src/main/providers/http-client'
import { BUILTIN_PROFILES } from '../../src/main/providers/registry'
import { passphraseProtector, Vault } from '../../src/main/vault'
import { openSecretMetadata } from '../../src/main/vault/ledger/token-records'
import type { ErrorCode, Result } from '../../src/shared/result'
import type { Surface } from '../../src/shared/views'
import { CHEAP_SCRYPT, manualClock, newVault, tempDir } from '../helpers/vault'

const clock = manualClock(Date.now())
let sb: SandboxSet

beforeAll(async () => {
  sb = await startSandbox({ clock })
})
afterAll(async () => {
  await sb.close()
})

/** A secret that cannot occur by chance (and has characters that encodings change). */
function secret(tag: string): string {
  return `${tag}-${randomBytes(12).toString('base64url')} ü+/&="%`
}

/** The byte sequences a secret could leave on disk as: raw, base64 (any alignment), hex, URL, JSON. */
function encodings(s: string): string[] {
  const raw = Buffer.from(s, 'utf8')
  const out = new Set<string>([
    s,
    raw.toString('hex'),
    raw.toString('hex').toUpperCase(),
    encodeURIComponent(s),
    new URLSearchParams({ s }).toString().slice(2),
    JSON.stringify(s).slice(1, -1),
  ])
  // base64 at each of the three alignments it can have inside a longer base64 text: the middle
  // characters that depend only on the secret's bytes.
  for (const pad of [0, 1, 2]) {
    const shifted = Buffer.concat([Buffer.alloc(pad), raw])
    for (const b64 of [shifted.toString('base64'), shifted.toString('base64url')]) {
      const start = Math.ceil((pad * 4) / 3)
      const end = Math.floor(((pad + raw.length) * 4) / 3)
      out.add(b64.slice(start, end))
    }
  }
  return [...out].filter((e) => e.length >= 6)
}

function walk(dir: string): string[] {
  const files: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    if (entry.isDirectory()) files.push(p, ...walk(p))
    else files.push(p)
  }
  return files
}

/** Every (secret, encoding, file) where a secret's bytes appear under `dir`. */
function leaksOnDisk(dir: string, secrets: Map<string, string>): string[] {
  const hits: string[] = []
  for (const f of walk(dir)) {
    if (fs.statSync(f).isDirectory()) continue
    const bytes = fs.readFileSync(f)
    for (const [value, what] of secrets) {
      for (const enc of encodings(value)) {
        if (bytes.includes(Buffer.from(enc, 'utf8')) || bytes.includes(Buffer.from(enc, 'utf16le')))
          hits.push(`${what} (as "${enc.slice(0, 12)}…") in ${path.relative(dir, f)}`)
      }
    }
  }
  return hits
}

describe('no plaintext secret on disk, in events or in failures', () => {
  it('the scanner finds a planted secret in every encoding, at any depth (positive control)', () => {
    const dir = tempDir()
    const s = secret('planted')
    const raw = Buffer.from(s, 'utf8')
    const planted: [string, string | Buffer][] = [
      ['raw.txt', `xx${s}yy`],
      ['b64-0.txt', Buffer.concat([raw]).toString('base64')],
      ['b64-1.txt', Buffer.concat([Buffer.from('a'), raw, Buffer.from('zz')]).toString('base64')],
      ['b64-2.txt', Buffer.concat([Buffer.from('ab'), raw]).toString('base64url')],
      ['hex.txt', `0x${raw.toString('hex')}`],
      ['url.txt', `a=${encodeURIComponent(s)}&b=1`],
      ['form.txt', new URLSearchParams({ password: s }).toString()],
      ['json.txt', JSON.stringify({ password: s })],
      ['utf16.txt', Buffer.from(s, 'utf16le')],
      ['.lock/deep/inner.txt', `${s}`],
    ]
    for (const [name, content] of planted) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
      fs.writeFileSync(path.join(dir, name), content)
    }
    const hits = leaksOnDisk(dir, new Map([[s, 'planted']]))
    for (const [name] of planted) expect(hits.some((h) => h.endsWith(` in ${name}`))).toBe(true)
    fs.writeFileSync(path.join(dir, 'clean.txt'), 'nothing here')
    expect(leaksOnDisk(dir, new Map([[s, 'planted']])).some((h) => h.endsWith('clean.txt'))).toBe(
      false,
    )
  })

  it('holds across logins, re-logins, revokes, signup, wrong passwords and lost answers', async () => {
    const secrets = new Map<string, string>() // value -> where it came from
    const keep = (what: string, value: string) => {
      secrets.set(value, what)
      return value
    }
    const failures: unknown[] = []
    const shown: unknown[] = [] // every view and report the services return
    const scans: string[] = [] // what was scanned, to be sure the walk saw the files

    const passphrase = keep('passphrase', secret('passphrase'))
    const v = await newVault({
      clock,
      http: createHttpClient({ defaultDeadlineMs: 1000 }),
      passphrase,
    })

    const tpUser = { username: 'leak-test@acme.test', secret: keep('tp password', secret('tp')) }
    sb.tpstreams.addUser({ ...tpUser, organizations: ['acme', 'globex'] })
    const xpUser = { username: 'leak-test@xpay.test', secret: keep('xpay key', secret('xp')) }
    sb.xpay.addUser({ ...xpUser, scopes: ['tme_user'] })
    const clUser = { username: 'leaktest', secret: keep('classic password', secret('cl')) }
    sb.classic.addUser(clUser)
    const demoTp = DEMO_USERS.tpstreams[0]!
    const demoXp = DEMO_USERS.xpay[1]!
    const demoCl = DEMO_USERS.classic[1]!
    for (const [what, s] of [
      ['demo tp password', demoTp.secret],
      ['demo xpay key', demoXp.secret],
      ['demo classic password', demoCl.secret],
    ] as const)
      keep(what, s)

    const failed = <T>(r: Result<T>): Result<T> => {
      if (!r.ok) failures.push(r)
      return r
    }
    const check = <T>(r: Result<T>): Result<T> => {
      if (r.ok) shown.push(r.value)
      else failures.push(r)
      return r
    }
    /** Records a step's Result for the scan and asserts the outcome the step expects. */
    const passes = <T>(r: Result<T>) => expect(check(r)).toMatchObject({ ok: true })
    const failsWith = <T>(r: Result<T>, code: ErrorCode) =>
      expect(check(r)).toMatchObject({ ok: false, code })
    const tokenOf = async (
      accountId: string,
      surface: Surface,
      o: { force?: boolean; secrets?: Record<string, string> } = {},
    ) => {
      const r = check(await v.tokens.header(accountId, { surface, ...o }))
      if (r.ok) {
        keep(`token (${r.value.label})`, r.value.token)
        keep(`header (${r.value.label})`, r.value.value)
        // Secret metadata (xpay's ticket) is kept sealed beside the token: scan for it too.
        const t = v.vault.readUnlocked()
        const record = t.ok ? t.value.tokens.find((x) => x.id === r.value.tokenId) : undefined
        const owner = t.ok ? t.value.accounts.find((a) => a.id === record?.accountId) : undefined
        const meta =
          record && owner ? openSecretMetadata(v.tokens.ledger, record, owner) : undefined
        expect(meta?.ok).toBe(true)
        for (const [name, value] of Object.entries(meta?.ok ? meta.value : {}))
          keep(`secret metadata ${name} (${r.value.label})`, value)
      }
      return r
    }
    const add = async (
      label: string,
      providerId: string,
      baseUrl: string,
      fields: Record<string, string>,
      remember: boolean,
    ) => {
      const r = check(await v.accounts.add({ label, providerId, baseUrl, fields, remember }))
      if (!r.ok) throw new Error(r.message)
      return r.value.id
    }

    const scanDisk = (phase: string) => {
      for (const f of walk(v.dir)) scans.push(`${phase}: ${path.relative(v.dir, f)}`)
      expect(leaksOnDisk(v.dir, secrets).map((h) => `${phase}: ${h}`)).toEqual([])
    }

    // Accounts on all three providers, remembering their secret or not.
    const tpR = await add(
      'tp-remembered',
      'tpstreams',
      sb.tpstreams.baseUrl,
      {
        username: tpUser.username,
        password: tpUser.secret,
        organization_id: 'acme',
      },
      true,
    )
    const tpT = await add(
      'tp-typed',
      'tpstreams',
      sb.tpstreams.baseUrl,
      {
        username: demoTp.username,
        organization_id: 'globex',
      },
      false,
    )
    const xpR = await add(
      'xp-remembered',
      'xpay',
      sb.xpay.baseUrl,
      {
        username: xpUser.username,
        secretKey: xpUser.secret,
      },
      true,
    )
    const xpT = await add('xp-typed', 'xpay', sb.xpay.baseUrl, { username: demoXp.username }, false)
    const clR = await add(
      'cl-remembered',
      'classic',
      sb.classic.baseUrl,
      {
        username: clUser.username,
        password: clUser.secret,
      },
      true,
    )
    const clT = await add(
      'cl-typed',
      'classic',
      sb.classic.baseUrl,
      { username: demoCl.username },
      false,
    )
    scanDisk('accounts added')

    // Logins from every surface; reuse; typed secrets.
    const surfaces: Surface[] = ['ui', 'tray', 'cli']
    for (const [i, s] of surfaces.entries()) {
      expect((await tokenOf(tpR, s)).ok).toBe(true)
      expect((await tokenOf(xpR, s)).ok).toBe(true)
      expect((await tokenOf(clR, s)).ok).toBe(true)
      if (i === 0) {
        expect((await tokenOf(tpT, s, { secrets: { password: demoTp.secret } })).ok).toBe(true)
        expect((await tokenOf(xpT, s, { secrets: { secretKey: demoXp.secret } })).ok).toBe(true)
        expect((await tokenOf(clT, s, { secrets: { password: demoCl.secret } })).ok).toBe(true)
      }
    }
    passes(await v.tokens.login(tpT, { surface: 'ui' }))
    scanDisk('first logins')

    // login --force (with revoke-on-replace for TPStreams), from the CLI and the tray.
    expect((await tokenOf(tpR, 'cli', { force: true })).ok).toBe(true)
    expect((await tokenOf(clR, 'tray', { force: true })).ok).toBe(true)
    expect((await tokenOf(xpR, 'cli', { force: true })).ok).toBe(true)
    expect(
      (await tokenOf(clT, 'cli', { force: true, secrets: { password: demoCl.secret } })).ok,
    ).toBe(true)
    scanDisk('forced logins')

    // Revokes: on the server (classic, TPStreams) and forgotten locally (xpay).
    const rc = check(await v.tokens.revoke(clR, { surface: 'ui', all: true }))
    expect(rc.ok && rc.value.revoked.length).toBeGreaterThan(0)
    const rt = check(await v.tokens.revoke(tpR, { surface: 'tray' }))
    expect(rt.ok && rt.value.revoked.length).toBe(1)
    const rx = check(await v.tokens.revoke(xpR, { surface: 'cli', all: true }))
    expect(rx.ok && rx.value.forgotten.length).toBeGreaterThan(0)
    failsWith(await v.tokens.revoke(xpR, { surface: 'cli' }), 'NOT_FOUND') // nothing left
    scanDisk('revokes')

    // Wrong passwords, remembered and typed.
    const wrongRemembered = keep('wrong remembered password', secret('wrong-r'))
    const wrongTyped = keep('wrong typed password', secret('wrong-t'))
    const wrongKey = keep('wrong typed key', secret('wrong-k'))
    const clW = await add(
      'cl-wrong',
      'classic',
      sb.classic.baseUrl,
      {
        username: clUser.username,
        password: wrongRemembered,
      },
      true,
    )
    const w1 = await tokenOf(clW, 'ui')
    expect(!w1.ok && w1.code).toBe('PROVIDER_REJECTED')
    const w2 = await tokenOf(tpT, 'cli', { force: true, secrets: { password: wrongTyped } })
    expect(w2.ok).toBe(false)
    const w3 = await tokenOf(xpT, 'tray', { force: true, secrets: { secretKey: wrongKey } })
    expect(w3.ok).toBe(false)
    // A changed remembered password is re-encrypted, never written in plain text.
    const newPassword = keep('updated password', secret('updated'))
    sb.classic.addUser({ username: 'leaktest2', secret: newPassword })
    passes(
      await v.accounts.update(clW, { fields: { username: 'leaktest2', password: newPassword } }),
    )
    expect((await tokenOf(clW, 'ui')).ok).toBe(true)
    scanDisk('wrong passwords')

    // A classic signup (which also returns a token), then an account from its fields.
    const signupPassword = keep('signup password', secret('signup'))
    const profile = BUILTIN_PROFILES.find((p) => p.id === 'classic')!
    const su = failed(
      await v.engine.signup({
        profile,
        baseUrl: sb.classic.baseUrl,
        fields: {
          username: 'signup-leak',
          email: 'signup-leak@example.test',
          password1: signupPassword,
          password2: signupPassword,
          accept_tos: 'true',
        },
      }),
    )
    expect(su.ok).toBe(true)
    if (su.ok && su.value.minted) keep('signup token', su.value.minted.token)
    if (su.ok) {
      const id = await add('cl-signup', 'classic', sb.classic.baseUrl, su.value.accountFields, true)
      expect((await tokenOf(id, 'ui')).ok).toBe(true)
    }
    // A signup that fails (passwords differ) echoes neither password.
    const mismatch = keep('mismatched signup password', secret('mismatch'))
    const su2 = failed(
      await v.engine.signup({
        profile,
        baseUrl: sb.classic.baseUrl,
        fields: {
          username: 'signup-leak-2',
          email: 'signup-leak-2@example.test',
          password1: signupPassword,
          password2: mismatch,
          accept_tos: 'true',
        },
      }),
    )
    expect(su2.ok).toBe(false)

    // A login whose answer is lost after the server minted (mint-then-hang, 1 s deadline).
    const tpH = await add(
      'tp-hang',
      'tpstreams',
      sb.tpstreams.baseUrl,
      {
        username: tpUser.username,
        password: tpUser.secret,
        organization_id: 'globex',
      },
      true,
    )
    sb.tpstreams.setFault({ kind: 'mint-then-hang' }, { route: 'login', times: 1 })
    const hung = await tokenOf(tpH, 'tray')
    expect(!hung.ok && hung.code).toBe('OUTCOME_UNKNOWN')
    expect((await tokenOf(tpH, 'tray')).ok).toBe(true)
    scanDisk('signup and lost answer')

    // Key slots: a second passphrase, lock, unlock with it, turn "remember" off.
    const second = keep('second passphrase', secret('second-passphrase'))
    passes(await v.vault.addKeySlot(passphraseProtector(second, CHEAP_SCRYPT)))
    v.vault.lock()
    passes(await v.vault.unlock(passphraseProtector(second)))
    passes(await v.accounts.update(xpR, { remember: false }))
    passes(v.accounts.list())
    passes(v.accounts.organizations())
    failsWith(await v.tokens.header(xpR, { surface: 'ui' }), 'NO_SECRET')
    scanDisk('slots')

    // The file the vault keeps when it cannot read its own file is a copy of encrypted bytes.
    const good = fs.readFileSync(v.vault.file.path)
    fs.writeFileSync(v.vault.file.path, good.subarray(0, good.length - 10))
    const broken = new Vault({ dir: v.dir, clock })
    failsWith(await broken.unlock(passphraseProtector(passphrase)), 'VAULT_CORRUPT')
    expect(fs.readdirSync(v.dir).some((f) => f.includes('.unreadable-'))).toBe(true)
    fs.writeFileSync(v.vault.file.path, good)
    scanDisk('corrupt copy')

    // The tokens really were minted and collected, and the scan really read the files.
    const tokenCount = [...secrets.values()].filter((w) => w.startsWith('token')).length
    expect(tokenCount).toBeGreaterThanOrEqual(12)
    const tickets = [...secrets.values()].filter((w) => w.startsWith('secret metadata ticket'))
    expect(tickets.length).toBeGreaterThanOrEqual(3)
    expect(scans.some((s) => s.endsWith('events.jsonl'))).toBe(true)
    expect(scans.some((s) => s.includes('.unreadable-'))).toBe(true)
    expect(failures.length).toBeGreaterThanOrEqual(6)

    // Nothing secret in events, failures or anything shown.
    const events = JSON.stringify(v.vault.events.list({ limit: 5000 }))
    expect(v.vault.events.list().length).toBeGreaterThan(30)
    const texts: [string, string][] = [
      ['events', events],
      ['failures', JSON.stringify(failures)],
      ['views and reports', JSON.stringify(shown.filter((x) => !isIssuedHeader(x)))],
    ]
    const leaks: string[] = []
    for (const [where, text] of texts) {
      for (const [value, what] of secrets) {
        for (const enc of encodings(value))
          if (text.includes(enc)) leaks.push(`${what} in ${where}`)
      }
    }
    expect(leaks).toEqual([])
  })
})

/** header() results hold the token by design (they go to the clipboard or the CLI's stdout). */
function isIssuedHeader(x: unknown): boolean {
  return typeof x === 'object' && x !== null && 'token' in x && 'value' in x
}
