// Guarantee: a server that echoes the request it got (raw, HTML-escaped, JSON-escaped,
// URL-encoded, as a base64 or base64url blob, as hex, upper-cased, or a slice of it) never gets
// the password or secret key in front of a person or into a log. Each sandbox provider is armed
// with every `echo` fault on login (and signup where it has one); real logins and signups run
// through the core actions and the built CLI, and the secret, in any encoding, in any letter case,
// or any 12 characters of it (24 hex digits, 16 base64 characters: 12 of its bytes), must be in
// none of: the Failure, events.jsonl, the event and account views, the tray notification, the
// CLI's stderr and stdout.
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { copyNotice } from '../../src/main/notifications'
import type { EchoEncoding } from '../../src/main/sandbox'
import { EVENT_LOG_FILE } from '../../src/main/vault/storage/event-log'
import { actionFixture, type ActionFixture, sandboxPerTest } from '../helpers/actions'
import { tempDir } from '../helpers/vault'
import { CLI, runCli } from '../helpers/cli'

const HOME = tempDir('tokendeck-echo-home-')
const ENCODINGS: EchoEncoding[] = [
  'html',
  'json',
  'url',
  'raw',
  'base64',
  'base64url',
  'hex',
  'upper',
  'truncated',
]

/** Characters every escaper changes: markup, quotes, '&', a space and non-ASCII. */
const SECRET = `c0rrect<h0rse>&"bättery' staple`
/** Alphanumeric, so it reads the same in every encoding: a part of the secret leaking shows. */
const PART = 'h0rse'

/** The secret as an echoing server may write it. */
function encodedForms(s: string): string[] {
  const html = s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;')
  const json = JSON.stringify(s).slice(1, -1)
  const goJson = json.replace(
    /[<>&'\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
  const form = new URLSearchParams({ s }).toString().slice(2)
  return [s, html, json, goJson, form, encodeURIComponent(s), PART]
}
const FORMS = encodedForms(SECRET)

/** Every `n`-character piece of `s`. */
function pieces(s: string, n: number): string[] {
  return Array.from({ length: Math.max(0, s.length - n + 1) }, (_, i) => s.slice(i, i + n))
}

/**
 * The base64 characters that hold only the secret's bits, wherever it starts in a blob (three
 * alignments), standard and url alphabets: what no blob echoed back may still show 16 of.
 */
function base64Cores(s: string): string[] {
  const bytes = Buffer.from(s)
  return [0, 1, 2].flatMap((offset) => {
    const blob = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64')
    const core = blob.slice(
      Math.ceil((8 * offset) / 6),
      Math.floor((8 * (offset + bytes.length)) / 6),
    )
    return [core, core.replace(/\+/g, '-').replace(/\//g, '_')]
  })
}
/** Lower-case pieces that must be nowhere (case ignored): 12 characters, 24 hex digits. */
const CASELESS = [
  ...FORMS.map((f) => f.toLowerCase()),
  ...pieces(SECRET.toLowerCase(), 12),
  ...pieces(Buffer.from(SECRET).toString('hex'), 24),
]
/** Pieces that must be nowhere as they are: 16 base64 characters (12 bytes) of the secret. */
const EXACT = base64Cores(SECRET).flatMap((core) => pieces(core, 16))

/** Every string inside a value, one per line (so a '"' in the secret is not hidden by JSON). */
function texts(value: unknown): string {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map(texts).join('\n')
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}\n${texts(v)}`)
      .join('\n')
  }
  return String(value)
}

function expectNoSecret(where: string, value: unknown): void {
  const text = texts(value)
  const lower = text.toLowerCase()
  for (const piece of CASELESS) expect(lower, `${where} holds "${piece}"`).not.toContain(piece)
  for (const piece of EXACT) expect(text, `${where} holds "${piece}"`).not.toContain(piece)
}

const cli = (args: string[], dir: string) => runCli(args, dir, { home: HOME })

const sandbox = sandboxPerTest()

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npx electron-vite build first`)
})

type ProviderId = 'tpstreams' | 'xpay' | 'classic'
const LOGIN_FIELDS: Record<ProviderId, Record<string, string>> = {
  tpstreams: { username: 'dev@acme.test', password: SECRET, organization_id: 'acme' },
  xpay: { username: 'dev@acme.test', secretKey: SECRET },
  classic: { username: 'admin', password: SECRET },
}

/** Everything a person or a log could show after the failure, checked for the secret. */
function expectNothingShown(f: ActionFixture, where: string, failure: unknown): void {
  expectNoSecret(`${where}: the Failure`, failure)
  const file = path.join(f.services.dir, EVENT_LOG_FILE)
  expectNoSecret(`${where}: events.jsonl`, fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '')
  expectNoSecret(`${where}: the event view`, f.actions.views.events())
  expectNoSecret(`${where}: the account views`, f.actions.views.snapshot())
}

// Each CLI run pays Node start-up and a (cheap) scrypt.
const SLOW = { timeout: 120_000 }

describe('a server that echoes the request never shows the secret to anyone', SLOW, () => {
  for (const provider of ['tpstreams', 'xpay', 'classic'] as const) {
    it(`${provider}: login echoed in every encoding (actions, notification, event log, CLI)`, async () => {
      const f = await actionFixture()
      const server = sandbox()[provider]
      for (const encoding of ENCODINGS) {
        const where = `${provider} login, ${encoding} echo`
        const label = `echo-${encoding}`
        server.setFault({ kind: 'echo', encoding }, { route: 'login' })

        // A first login while adding (the account is removed again: the server refused).
        const added = await f.actions.accounts.add(
          {
            label: `${label}-first`,
            providerId: provider,
            baseUrl: server.baseUrl,
            fields: LOGIN_FIELDS[provider],
            remember: false,
          },
          'ui',
        )
        expect(added.ok).toBe(false)
        expectNothingShown(f, `${where} (add)`, added)

        // A remembered account whose header is copied from the tray.
        const kept = await f.actions.accounts.add(
          {
            label,
            providerId: provider,
            baseUrl: server.baseUrl,
            fields: LOGIN_FIELDS[provider],
            remember: true,
            login: false,
          },
          'ui',
        )
        if (!kept.ok) throw new Error(kept.message)
        const copied = await f.actions.tokens.copyHeader(kept.value.account.id, 'tray')
        if (copied.ok) throw new Error(`${where}: expected a refusal`)
        expect(copied.code).toBe('PROVIDER_REJECTED')
        // The echo did reach the message (decoded, the secret masked), so this is no vacuous pass.
        expect(texts(copied)).toContain('[redacted]')
        expectNothingShown(f, where, copied)
        expectNoSecret(`${where}: the notification`, copyNotice(label, copied))

        // The CLI, as its own process, against the same echoing server.
        const header = await cli(['header', label], f.services.dir)
        expect(header.code, header.stderr).toBe(1)
        expect(header.stderr).toContain('[redacted]')
        expectNoSecret(`${where}: CLI stderr`, header.stderr)
        expectNoSecret(`${where}: CLI stdout`, header.stdout)
      }
      const log = await cli(['log', '--limit', '500'], f.services.dir)
      expect(log.code, log.stderr).toBe(0)
      expect(log.stdout).toContain('[redacted]')
      expectNoSecret(`${provider}: CLI log`, log)
      expectNothingShown(f, `${provider}: at the end`, null)
    })
  }

  it('classic: signup echoed in every encoding (the only sandbox provider with a signup)', async () => {
    const f = await actionFixture()
    const server = sandbox().classic
    for (const encoding of ENCODINGS) {
      const where = `classic signup, ${encoding} echo`
      server.setFault({ kind: 'echo', encoding }, { route: 'signup' })
      const r = await f.actions.accounts.signup(
        {
          label: `signup-${encoding}`,
          providerId: 'classic',
          baseUrl: server.baseUrl,
          fields: {
            username: `new-${encoding}`,
            email: `new-${encoding}@example.test`,
            password1: SECRET,
            password2: SECRET,
            accept_tos: 'true',
          },
          remember: true,
        },
        'ui',
      )
      if (r.ok) throw new Error(`${where}: expected a refusal`)
      expect(r.code).toBe('PROVIDER_REJECTED')
      // Field errors for the secret fields themselves echo it too; all masked.
      expect(Object.keys(r.fields ?? {})).toEqual(
        expect.arrayContaining(['password1', 'password2']),
      )
      expect(texts(r.fields)).toContain('[redacted]')
      expectNothingShown(f, where, r)
    }
  })
})
