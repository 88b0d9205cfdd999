// The shared ledger on PostgreSQL: one row per organization (its document as jsonb and a version
// column). compareAndSet is `UPDATE ... WHERE org_key = $1 AND version = $2` (zero rows: CONFLICT),
// and the same statement NOTIFYs the others at commit; watch is LISTEN on that channel, with a
// reconnecting listener. The schema is created and migrated on connect, versioned in a meta table.
import pg from 'pg'
import { serverText } from '../../../../shared/redact'
import { fail, ok, type Result } from '../../../../shared/result'
import type { LedgerAddress } from './postgres-url'
import type { LedgerConnectionState, OrgLedgerStore, OrgRead } from '../ledger-store'

/** The schema this build writes; a database at a newer one is refused (upgrade TokenDeck). */
export const SCHEMA_VERSION = 1
export const NOTIFY_CHANNEL = 'tokendeck_ledger'

/** Each step takes the schema from the version before it to its own number. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS tokendeck_orgs (
     org_key text PRIMARY KEY CHECK (length(org_key) <= 1200),
     version bigint NOT NULL,
     doc jsonb NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
]

const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::float8`

/** Timeouts: a ledger that does not answer fails closed quickly rather than hanging a login. */
const CONNECT_TIMEOUT_MS = 4000
const QUERY_TIMEOUT_MS = 5000

/** The PostgreSQL backend of the shared ledger (see ledger-store.ts OrgLedgerStore). */
export class PostgresLedgerStore implements OrgLedgerStore {
  private readonly pool: pg.Pool
  private migrated: Promise<Result<void>> | null = null

  constructor(private readonly address: LedgerAddress) {
    this.pool = new pg.Pool({
      ...address.config,
      max: 3,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
    })
    // An idle client that loses its server is dropped by the pool; the next query reconnects.
    this.pool.on('error', () => {})
  }

  /** Creates or migrates the schema, once per store. */
  ready(): Promise<Result<void>> {
    this.migrated ??= this.migrate().then((r) => {
      if (!r.ok) this.migrated = null
      return r
    })
    return this.migrated
  }

  private async migrate(): Promise<Result<void>> {
    return this.guard(async () => {
      const c = await this.pool.connect()
      try {
        await c.query('BEGIN')
        // One migrator at a time across every machine.
        await c.query(`SELECT pg_advisory_xact_lock(hashtext('tokendeck-ledger-schema'))`)
        await c.query(
          'CREATE TABLE IF NOT EXISTS tokendeck_meta (key text PRIMARY KEY, value text NOT NULL)',
        )
        const r = await c.query<{ value: string }>(
          `SELECT value FROM tokendeck_meta WHERE key = 'schema_version'`,
        )
        const at = r.rows[0] ? Number(r.rows[0].value) : 0
        if (!Number.isInteger(at) || at > SCHEMA_VERSION) {
          await c.query('ROLLBACK')
          return fail(
            'UNSUPPORTED',
            `The shared ledger's schema is at version ${r.rows[0]?.value}, newer than this TokenDeck knows (${SCHEMA_VERSION}): update TokenDeck on this machine.`,
          )
        }
        for (let v = at; v < SCHEMA_VERSION; v++) await c.query(MIGRATIONS[v]!)
        await c.query(
          `INSERT INTO tokendeck_meta (key, value) VALUES ('schema_version', $1)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
          [String(SCHEMA_VERSION)],
        )
        await c.query('COMMIT')
        return ok(undefined)
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {})
        throw e
      } finally {
        c.release()
      }
    })
  }

  async read(orgKey: string): Promise<Result<OrgRead>> {
    const ready = await this.ready()
    if (!ready.ok) return ready
    return this.guard(async () => {
      const r = await this.pool.query<{ now: number; version: string | null; doc: unknown }>(
        `SELECT ${NOW_MS} AS now, o.version::text AS version, o.doc
           FROM (SELECT 1) AS one LEFT JOIN tokendeck_orgs o ON o.org_key = $1`,
        [orgKey],
      )
      const row = r.rows[0]!
      return ok({ version: row.version, doc: row.doc ?? null, now: Number(row.now) })
    })
  }

  async compareAndSet(
    orgKey: string,
    version: string | null,
    doc: unknown,
  ): Promise<Result<{ version: string }>> {
    return this.guard(async () => {
      const json = JSON.stringify(doc)
      const r =
        version === null
          ? await this.pool.query<{ version: string }>(
              `WITH i AS (INSERT INTO tokendeck_orgs (org_key, version, doc) VALUES ($1, 1, $2)
                          ON CONFLICT (org_key) DO NOTHING RETURNING version)
               SELECT version::text AS version, pg_notify($3, $1) FROM i`,
              [orgKey, json, NOTIFY_CHANNEL],
            )
          : await this.pool.query<{ version: string }>(
              `WITH u AS (UPDATE tokendeck_orgs SET doc = $2, version = version + 1,
                                 updated_at = now()
                          WHERE org_key = $1 AND version = $4::bigint
                          RETURNING version)
               SELECT version::text AS version, pg_notify($3, $1) FROM u`,
              [orgKey, json, NOTIFY_CHANNEL, version],
            )
      const row = r.rows[0]
      if (!row)
        return fail('CONFLICT', 'Another machine changed the organization in the shared ledger.')
      return ok({ version: row.version })
    })
  }

  async organizations(): Promise<Result<{ orgKey: string; doc: unknown; now: number }[]>> {
    const ready = await this.ready()
    if (!ready.ok) return ready
    return this.guard(async () => {
      const r = await this.pool.query<{ org_key: string; doc: unknown; now: number }>(
        `SELECT org_key, doc, ${NOW_MS} AS now FROM tokendeck_orgs ORDER BY org_key LIMIT 1000`,
      )
      return ok(r.rows.map((x) => ({ orgKey: x.org_key, doc: x.doc, now: Number(x.now) })))
    })
  }

  watch(
    onChange: (orgKey: string) => void,
    onState: (state: LedgerConnectionState) => void,
  ): () => void {
    let stopped = false
    let client: pg.Client | null = null
    let retry: NodeJS.Timeout | null = null
    let delay = 250
    const again = () => {
      if (stopped || retry) return
      onState('offline')
      retry = setTimeout(() => {
        retry = null
        void start()
      }, delay)
      retry.unref()
      delay = Math.min(delay * 2, 10_000)
    }
    const start = async () => {
      const c = new pg.Client({
        ...this.address.config,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      })
      client = c
      c.on('error', () => {
        void c.end().catch(() => {})
        again()
      })
      c.on('end', again)
      c.on('notification', (n) => {
        if (n.channel === NOTIFY_CHANNEL && n.payload) onChange(n.payload)
      })
      try {
        await c.connect()
        await c.query(`LISTEN ${NOTIFY_CHANNEL}`)
        if (stopped) return void c.end().catch(() => {})
        delay = 250
        onState('connected')
        // Whatever changed while no one listened.
        onChange('*')
      } catch {
        void c.end().catch(() => {})
        again()
      }
    }
    void start()
    return () => {
      stopped = true
      if (retry) clearTimeout(retry)
      void client?.end().catch(() => {})
    }
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => {})
  }

  /** What the server's own words must never carry back (it may have been sent it in clear). */
  private secrets(): string[] {
    const p = this.address.config.password
    return typeof p === 'string' && p !== '' ? [p] : []
  }

  /** Any error talking to the database is LEDGER_UNAVAILABLE, naming the address, never a secret. */
  private async guard<T>(f: () => Promise<Result<T>>): Promise<Result<T>> {
    try {
      return await f()
    } catch (e) {
      return fail(
        'LEDGER_UNAVAILABLE',
        `The shared ledger at ${this.address.display} cannot be used: ${reason(e, this.secrets())}`,
      )
    }
  }
}

/**
 * Why a database call failed, in words without any part of the password: the server's own text
 * (which a hostile server could fill with the password it was sent) has every form of it masked.
 */
function reason(e: unknown, secrets: readonly string[]): string {
  const err = e as { code?: string; message?: string }
  const code = serverText(String(err?.code ?? ''), secrets, 40)
  if (code === 'ECONNREFUSED') return 'nothing listens there (connection refused).'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'its host name does not resolve.'
  if (code === '28P01' || code === '28000') return 'the database refused the user or password.'
  if (code === '3D000') return 'that database does not exist.'
  if (code === '42501') return 'the user may not do that (see docs/team.md for the grants).'
  if (/timeout/i.test(err?.message ?? '')) return 'it did not answer in time.'
  if (/certificate|self.signed|unable to verify|altnames/i.test(err?.message ?? ''))
    return `its TLS certificate is not trusted (${serverText(err.message ?? '', secrets, 120)}).`
  if (/does not support SSL|server does not support/i.test(err?.message ?? ''))
    return 'it does not offer TLS, which TokenDeck requires for a host off this machine.'
  if (code === '57P01' || code === '57P03') return 'the server is shutting down or starting.'
  return `${code ? `${code}: ` : ''}${serverText(err?.message ?? String(e), secrets, 160)}`
}
