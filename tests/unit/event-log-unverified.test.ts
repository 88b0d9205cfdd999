// Event-log lines that do not open are counted and said wherever the log is shown, not silently
// left out: a real vault whose events.jsonl got one edited line and one foreign line (sealed with
// another key, as a line copied from another vault is) tells `tokendeck log` (directly and through
// the agent, in both output modes) and the window's events answer how many lines it could not
// verify, and still shows every entry that opens.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateKey } from '../../src/main/vault/storage/crypto'
import { EVENT_LOG_FILE, sealedEventCipher } from '../../src/main/vault/storage/event-log'
import { INVOKE } from '../../src/shared/ipc/channels'
import { CONTRACT } from '../../src/shared/ipc/schemas'
import { CLI, runCli, cheapVault } from '../helpers/cli'
import { startTestApp } from '../helpers/app'
import { TEST_PASSPHRASE, tempDir } from '../helpers/vault'

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
})

/** Edits one byte of the ciphertext of the newest line, and appends a line of another vault. */
function tamper(dir: string): void {
  const file = path.join(dir, EVENT_LOG_FILE)
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)
  expect(lines.length).toBeGreaterThanOrEqual(2)
  const rec = JSON.parse(lines.at(-1)!) as { ct: string }
  const flipped = rec.ct[0] === 'A' ? 'B' : 'A'
  lines[lines.length - 1] = JSON.stringify({ ...rec, ct: flipped + rec.ct.slice(1) })
  const foreign = sealedEventCipher(generateKey(), randomUUID()).seal(
    JSON.stringify({ id: randomUUID(), at: Date.now(), type: 'mint', message: 'Minted.' }),
    'other',
  )
  fs.writeFileSync(file, `${[...lines, foreign].join('\n')}\n`)
}

const WORDS = /^tokendeck: 2 entries could not be verified: changed or written outside TokenDeck/m

describe('unverified event-log lines', { timeout: 120_000 }, () => {
  let dir: string
  let shown: number
  beforeAll(async () => {
    dir = path.join(tempDir(), 'vault')
    await cheapVault(dir)
    // The agent's start and stop are two more entries.
    expect((await runCli(['agent', 'start', '--idle-timeout', '5'], dir)).code).toBe(0)
    expect((await runCli(['agent', 'stop'], dir)).code).toBe(0)
    const before = await runCli(['log', '--json'], dir, { env: { TOKENDECK_AGENT: 'off' } })
    shown = (JSON.parse(before.stdout) as unknown[]).length
    expect(before.stderr).toBe('')
    tamper(dir)
  })

  it('`tokendeck log` says how many lines it could not verify, and shows the rest', async () => {
    const direct = { TOKENDECK_AGENT: 'off' }
    const r = await runCli(['log'], dir, { env: direct })
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(WORDS)
    expect(r.stdout.trim().split('\n')).toHaveLength(shown - 1)
    // --json keeps its list on stdout; the count is said on stderr all the same.
    const j = await runCli(['log', '--json'], dir, { env: direct })
    expect(j.code).toBe(0)
    expect(JSON.parse(j.stdout) as unknown[]).toHaveLength(shown - 1)
    expect(j.stderr).toMatch(WORDS)
  })

  it('through the agent: the `log` answer carries the count, and the CLI says it', async () => {
    const started = await runCli(['agent', 'start', '--idle-timeout', '5'], dir)
    expect(started.code).toBe(0)
    try {
      const r = await runCli(['log'], dir, { env: { TOKENDECK_PASSPHRASE: undefined } })
      expect(r.code).toBe(0)
      expect(r.stderr).toMatch(WORDS)
      expect(r.stdout).toMatch(/The headless agent started/)
    } finally {
      expect((await runCli(['agent', 'stop'], dir)).code).toBe(0)
    }
  })

  it('the window: the events answer carries the count', async () => {
    const app = await startTestApp()
    try {
      const h = app.handlers
      const created = await h[INVOKE.vaultCreate]({
        protection: 'passphrase',
        passphrase: TEST_PASSPHRASE,
      })
      expect(created.ok).toBe(true)
      // Each answer as the window gets it: checked against the IPC contract.
      const list = async (q: { limit?: number; types?: 'mint'[] }) => {
        const r = await h[INVOKE.eventsList](q)
        if (!r.ok) throw new Error(r.message)
        return CONTRACT[INVOKE.eventsList].response.parse(r.value)
      }
      expect((await list({ limit: 100 })).unverified).toBe(0)
      expect((await h[INVOKE.vaultLock](undefined)).ok).toBe(true)
      const unlock = { method: 'passphrase', passphrase: TEST_PASSPHRASE } as const
      expect((await h[INVOKE.vaultUnlock](unlock)).ok).toBe(true)
      const before = await list({ limit: 100 })
      tamper(app.vaultDir)
      const after = await list({ limit: 100 })
      expect(after.unverified).toBe(2)
      // The newest line was edited: the rest still shows.
      expect(after.events).toEqual(before.events.slice(1))
      // Filtered to a type: both lines name the bucket mints are in, so both are counted.
      expect(await list({ types: ['mint'] })).toEqual({ events: [], unverified: 2 })
    } finally {
      await app.close()
    }
  })
})
