// Test fixture: real PostgreSQL for the shared ledger. The suite's cluster (TOKENDECK_TEST_POSTGRES,
// a role that may create databases: .ci/run starts one, else the suite's global setup does), and
// private throwaway clusters a test can stop (tests/postgres/cluster.sh); each test gets a
// database of its own.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

const SCRIPT = path.resolve('tests/postgres/cluster.sh')

/** A cluster this process started: its URL, and how to stop it for a while or for good. */
export interface Cluster {
  url: string
  /** Stops the server at once (the database is down); restart() brings it back. */
  halt(): void
  restart(): void
  stop(): void
}

/** Starts a private throwaway cluster (about a second). */
export function startCluster(): Cluster {
  const dir = path.join(os.tmpdir(), `tokendeck-pg-${randomBytes(6).toString('hex')}`)
  const url = execFileSync('bash', [SCRIPT, 'start', dir], { encoding: 'utf8' }).trim()
  return {
    url,
    halt: () => void execFileSync('bash', [SCRIPT, 'halt', dir]),
    restart: () => void execFileSync('bash', [SCRIPT, 'restart', dir]),
    stop: () => void execFileSync('bash', [SCRIPT, 'stop', dir]),
  }
}

/**
 * The URL of the suite's cluster: TOKENDECK_TEST_POSTGRES, which .ci/run or the suite's global
 * setup (tests/setup/postgres-global.ts, tests/e2e/global-setup.ts) sets.
 */
export function clusterUrl(): string {
  const given = process.env.TOKENDECK_TEST_POSTGRES
  if (given) return given
  throw new Error(
    'The shared ledger tests need PostgreSQL: install it (Debian: apt-get install postgresql) or set TOKENDECK_TEST_POSTGRES to a postgres:// URL whose role may create databases.',
  )
}

/** A new, empty database on `base`'s cluster; its URL (same role and password). */
export async function freshDatabase(base = clusterUrl()): Promise<string> {
  const name = `td_${randomBytes(6).toString('hex')}`
  const c = new pg.Client({ connectionString: base })
  await c.connect()
  try {
    await c.query(`CREATE DATABASE ${name}`)
  } finally {
    await c.end()
  }
  const u = new URL(base)
  u.pathname = `/${name}`
  return u.toString()
}

/** Runs one query on `url` (the test's own look at the database). */
export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return (await c.query<R>(sql, params)).rows
  } finally {
    await c.end()
  }
}

/** True when this machine can run a cluster (Debian's postgresql is installed). */
export const POSTGRES_INSTALLED =
  !!process.env.TOKENDECK_TEST_POSTGRES ||
  (fs.existsSync('/usr/lib/postgresql') && fs.readdirSync('/usr/lib/postgresql').length > 0)
