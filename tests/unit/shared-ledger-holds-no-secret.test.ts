// What the shared ledger's database holds, attacked the way someone with access to it would
// (threat model 6): a full pg_dump contains no token, password, slot key, token id or hash of a
// token; a writer who fills the slots can deny new tokens but not learn or use one (a valid
// local token is still handed out); a document that is not TokenDeck's fails a mint closed with
// nothing sent; a schema newer than this build is refused on connect.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { tokenSecretId } from '../../src/main/vault/storage/bindings'
import { freshDatabase, query } from '../helpers/postgres'
import { idOf, machineVault, type MachineVault } from '../helpers/shared-ledger'

let sb: SandboxSet
let url: string
beforeEach(async () => {
  sb = await startSandbox()
  url = await freshDatabase()
})
afterEach(async () => {
  await sb.close()
})

function tokensOf(v: MachineVault): { id: string; value: string }[] {
  const d = v.vault.readUnlocked()
  if (!d.ok) throw new Error(d.message)
  return d.value.tokens
    .filter((t) => t.secret)
    .map((t) => {
      const acc = d.value.accounts.find((a) => a.id === t.accountId)!
      const s = v.vault.storage.openSecret(tokenSecretId(t.id), acc, t.secret!)
      if (!s.ok) throw new Error(s.message)
      return { id: t.id, value: s.value }
    })
}

function pgDump(): string {
  const bin = execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1'], {
    encoding: 'utf8',
  }).trim()
  return execFileSync(`${bin}/pg_dump`, ['--no-owner', '--data-only', '--inserts', url], {
    encoding: 'utf8',
  })
}

describe('the shared ledger database', () => {
  it('holds no token, password, slot key, token id or token hash (a full pg_dump)', async () => {
    const a = await machineVault(sb, url, { machine: 'laptop', accounts: 3 })
    const b = await machineVault(sb, url, { machine: 'ci', accounts: 2 })
    for (const v of [a, b])
      for (const l of v.labels)
        expect((await v.tokens.header(idOf(v, l), { surface: 'cli' })).ok).toBe(true)
    const dump = pgDump()
    expect(dump).toContain('tokendeck_orgs')
    expect((await query(url, 'SELECT 1 FROM tokendeck_orgs')).length).toBe(1)
    const forbidden: string[] = [DEMO_USERS.tpstreams[0]!.secret, new URL(url).password]
    for (const v of [a, b]) {
      const d = v.vault.readUnlocked()
      if (!d.ok) throw new Error(d.message)
      forbidden.push(
        d.value.sharedLedger!.slotKey,
        Buffer.from(d.value.sharedLedger!.slotKey, 'base64').toString('hex'),
      )
      for (const t of tokensOf(v)) {
        forbidden.push(t.value, t.id, createHash('sha256').update(t.value).digest('hex'))
        forbidden.push(createHash('sha256').update(t.value).digest('base64'))
      }
    }
    expect(forbidden.length).toBeGreaterThan(10)
    for (const f of forbidden) expect(dump).not.toContain(f)
  }, 60_000)

  it('a writer who fills the slots denies new tokens, but a valid local token is still handed out', async () => {
    const v = await machineVault(sb, url, { machine: 'laptop', accounts: 2 })
    const [held, other] = v.labels as [string, string]
    const first = await v.tokens.header(idOf(v, held), { surface: 'cli' })
    expect(first.ok).toBe(true)
    // The attacker writes 20 well-formed slots of a machine of their own.
    const [row] = await query<{ org_key: string; doc: { slots: unknown[] } }>(
      url,
      'SELECT org_key, doc FROM tokendeck_orgs',
    )
    const fake = Array.from({ length: 20 }, (_, i) => ({
      id: createHash('md5').update(`fake${i}`).digest('hex'),
      machine: '00000000-0000-4000-8000-000000000000',
      state: 'uncertain',
      at: Date.now(),
      expiresAt: null,
    }))
    await query(
      url,
      `UPDATE tokendeck_orgs SET doc = jsonb_set(doc, '{slots}', $1::jsonb), version = version + 1`,
      [JSON.stringify([...row!.doc.slots, ...fake])],
    )
    const before = sb.tpstreams.stats.loginRequests
    const denied = await v.tokens.header(idOf(v, other), { surface: 'cli' })
    expect(denied.ok).toBe(false)
    expect(!denied.ok && denied.code).toBe('TOKEN_CAP_REACHED')
    const reused = await v.tokens.header(idOf(v, held), { surface: 'cli' })
    expect(reused.ok && reused.value.reused).toBe(true)
    expect(reused.ok && first.ok && reused.value.token).toBe(first.ok ? first.value.token : '')
    expect(sb.tpstreams.stats.loginRequests).toBe(before)
  }, 60_000)

  it('a document that is not TokenDeck’s fails a mint closed (LEDGER_UNAVAILABLE), nothing sent', async () => {
    const v = await machineVault(sb, url, { machine: 'laptop', accounts: 2 })
    const [held, other] = v.labels as [string, string]
    expect((await v.tokens.header(idOf(v, held), { surface: 'cli' })).ok).toBe(true)
    await query(
      url,
      `UPDATE tokendeck_orgs SET doc = '{"cap": 20, "slots": "lots", "machines": {}}'::jsonb, version = version + 1`,
    )
    const before = sb.tpstreams.stats.loginRequests
    const r = await v.tokens.header(idOf(v, other), { surface: 'cli' })
    expect(!r.ok && r.code).toBe('LEDGER_UNAVAILABLE')
    expect(sb.tpstreams.stats.loginRequests).toBe(before)
    expect((await v.tokens.header(idOf(v, held), { surface: 'cli' })).ok).toBe(true)
  }, 60_000)

  it('connect creates the schema at version 1, and refuses a database at a newer version', async () => {
    const v = await machineVault(sb, url, { machine: 'laptop', accounts: 1 })
    const meta = await query<{ value: string }>(
      url,
      `SELECT value FROM tokendeck_meta WHERE key = 'schema_version'`,
    )
    expect(meta[0]!.value).toBe('1')
    const other = await freshDatabase()
    await query(other, `CREATE TABLE tokendeck_meta (key text PRIMARY KEY, value text NOT NULL)`)
    await query(other, `INSERT INTO tokendeck_meta VALUES ('schema_version', '99')`)
    const r = await v.sharedLedger.connect(other, { machineName: 'laptop' })
    expect(!r.ok && r.code).toBe('UNSUPPORTED')
    expect(!r.ok && r.message).toMatch(/newer/)
    // Nothing changed: the vault still uses the first database.
    const s = await v.sharedLedger.status()
    expect(s.ok && s.value.url).toBe(
      `postgres://tokendeck@${new URL(url).host}${new URL(url).pathname}`,
    )
  }, 60_000)
})
