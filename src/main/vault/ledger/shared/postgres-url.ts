// A shared ledger's address: a postgres:// URL checked and turned into the pg client's settings.
// TLS with verification for every host that is not loopback (sslmode=disable, prefer or allow is
// refused there); on loopback and Unix sockets, plain unless the URL asks for TLS. The password
// never appears in what is shown (displayUrl) nor in any message.
import fs from 'node:fs'
import type { ClientConfig } from 'pg'
import { fail, ok, type Result } from '../../../../shared/result'
import { isLoopbackHost } from '../../../../shared/url-policy'

const PLAIN_MODES = new Set(['disable', 'allow', 'prefer'])
const TLS_MODES = new Set(['require', 'verify-ca', 'verify-full'])
const KNOWN_PARAMS = new Set(['sslmode', 'sslrootcert', 'host', 'application_name'])

export interface LedgerAddress {
  /** The pg client's settings (holds the password: never logged, never shown). */
  config: ClientConfig
  /** postgres://user@host:port/db, for people: no password, no parameters. */
  display: string
  /** The URL has a password in it. */
  hasPassword: boolean
}

function invalid(message: string): Result<never> {
  return fail('VALIDATION_FAILED', message, { fields: { url: [message] } })
}

/** Parses and checks a shared ledger URL (postgres:// or postgresql://). */
export function parseLedgerUrl(raw: string): Result<LedgerAddress> {
  const text = raw.trim()
  if (text.length === 0 || text.length > 2000) return invalid('Give a postgres:// URL.')
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return invalid('That is not a URL: give postgres://user@host:5432/database.')
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    return invalid(`A shared ledger is a PostgreSQL database: the URL starts with postgres://.`)
  if (url.hash) return invalid('A postgres:// URL has no #fragment.')
  for (const k of url.searchParams.keys())
    if (!KNOWN_PARAMS.has(k))
      return invalid(`Unknown parameter "${k}" (known: ${[...KNOWN_PARAMS].join(', ')}).`)
  const socketDir = url.searchParams.get('host')
  if (socketDir !== null && !socketDir.startsWith('/'))
    return invalid('host= in the query names a Unix socket folder (an absolute path).')
  const hostname = url.hostname.replace(/^\[|\]$/g, '')
  if (!socketDir && !hostname) return invalid('The URL names no host.')
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''))
  if (!database || database.includes('/'))
    return invalid('The URL names no database: postgres://user@host:5432/database.')
  const user = decodeURIComponent(url.username)
  if (!user) return invalid('The URL names no user: postgres://user@host:5432/database.')
  const port = url.port ? Number(url.port) : 5432
  const local = socketDir !== null || isLoopbackHost(url.hostname)
  const mode = url.searchParams.get('sslmode')
  if (mode !== null && !PLAIN_MODES.has(mode) && !TLS_MODES.has(mode))
    return invalid(`sslmode=${mode} is not one of disable, require, verify-ca, verify-full.`)
  if (!local && mode !== null && PLAIN_MODES.has(mode))
    return invalid(
      `sslmode=${mode} would send the ledger's traffic in the clear to ${hostname}: TokenDeck connects to a database off this machine only over TLS, verified.`,
    )
  const useTls = !local || (mode !== null && TLS_MODES.has(mode))
  let ca: string | undefined
  const rootCert = url.searchParams.get('sslrootcert')
  if (rootCert !== null) {
    try {
      ca = fs.readFileSync(rootCert, 'utf8')
    } catch {
      return invalid(`sslrootcert: cannot read ${rootCert}.`)
    }
  }
  const password = url.password ? decodeURIComponent(url.password) : undefined
  const config: ClientConfig = {
    host: socketDir ?? (hostname === 'localhost' ? '127.0.0.1' : hostname),
    port,
    user,
    database,
    ...(password !== undefined ? { password } : {}),
    application_name: url.searchParams.get('application_name') ?? 'tokendeck',
    // Verified TLS: the system's roots, or the sslrootcert given; never rejectUnauthorized: false.
    ...(useTls ? { ssl: { rejectUnauthorized: true, ...(ca ? { ca } : {}) } } : { ssl: false }),
  }
  const where = socketDir ? `${socketDir}` : `${url.host}`
  return ok({
    config,
    display: `postgres://${encodeURIComponent(user)}@${where}/${encodeURIComponent(database)}`,
    hasPassword: password !== undefined,
  })
}
