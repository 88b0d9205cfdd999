// A busy gateway cannot push the events that matter out of the log: compaction keeps the newest
// `limit` gateway request records and, apart from them, the newest `limit` other events, so a
// mint or a revoke survives any number of requests through the gateway. Batches are appended in
// one write, each record a whole sealed line.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { generateKey } from '../../src/main/vault/storage/crypto'
import { EventLog, sealedEventCipher } from '../../src/main/vault/storage/event-log'
import { tempDir } from '../helpers/vault'

const LIMIT = 50

function newLog() {
  const cipher = sealedEventCipher(generateKey(), randomUUID())
  let asked = 0
  const log: EventLog = new EventLog(
    tempDir(),
    () => cipher,
    () => {
      asked++
      log.compactIfLarge()
    },
    LIMIT,
  )
  return { log, asked: () => asked }
}

const traffic = (i: number) => ({
  at: 10_000 + i,
  type: 'gateway' as const,
  surface: 'gateway' as const,
  label: 'acme',
  message: `GET /acme/x -> 200 in 1 ms (${i}) ${'p'.repeat(150)}`,
})

describe('the event log under gateway traffic', () => {
  it('keeps every mint and revoke however many gateway requests follow', () => {
    const { log, asked } = newLog()
    log.append({ at: 1, type: 'mint', label: 'acme', message: 'Minted the token of "acme".' })
    log.append({ at: 2, type: 'revoke', label: 'acme', message: 'Revoked the token of "acme".' })
    for (let b = 0; b < 40; b++) {
      log.appendAll(Array.from({ length: 100 }, (_, i) => traffic(b * 100 + i)))
    }
    expect(asked()).toBeGreaterThan(0)
    log.compactIfLarge()
    const lines = fs.readFileSync(log.path, 'utf8').split('\n').filter(Boolean)
    expect(lines.length).toBeLessThanOrEqual(LIMIT * 2 + 2)
    expect(log.list({ types: ['mint', 'revoke'] }).map((e) => e.at)).toEqual([2, 1])
    expect(log.list({ types: ['gateway'] })[0]!.at).toBe(10_000 + 3_999) // the newest request
    expect(log.unverified).toBe(0)
  })

  it('without traffic it still compacts to the newest `limit` others', () => {
    const { log } = newLog()
    for (let i = 0; i <= LIMIT * 2; i++) log.append({ at: i, type: 'vault', message: `e${i}` })
    log.compactIfLarge()
    expect(log.list({ limit: 5000 }).map((e) => e.at)).toEqual(
      Array.from({ length: LIMIT }, (_, i) => LIMIT * 2 - i),
    )
  })

  it('a batch is one append of whole sealed lines, each opening on its own', () => {
    const { log } = newLog()
    const out = log.appendAll([traffic(1), traffic(2), traffic(3)])
    expect(new Set(out.map((e) => e.id)).size).toBe(3)
    const lines = fs.readFileSync(log.path, 'utf8').split('\n').filter(Boolean)
    expect(lines).toHaveLength(3)
    expect(lines.join('\n')).not.toContain('GET /acme')
    expect(log.list().map((e) => e.at)).toEqual([10_003, 10_002, 10_001])
  })
})
