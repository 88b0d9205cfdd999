// A busy gateway cannot push the events that matter out of the log: compaction keeps the newest
// `limit` gateway request records and, apart from them, the newest `limit` other events, so a
// mint or a revoke survives any number of requests through the gateway. Batches are appended in
// one write, each record a whole sealed line.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
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
      asked++ // compaction itself is run and awaited by each test
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
  it('keeps every mint and revoke however many gateway requests follow', async () => {
    const { log, asked } = newLog()
    log.append({ at: 1, type: 'mint', label: 'acme', message: 'Minted the token of "acme".' })
    log.append({ at: 2, type: 'revoke', label: 'acme', message: 'Revoked the token of "acme".' })
    for (let b = 0; b < 40; b++) {
      log.appendAll(Array.from({ length: 100 }, (_, i) => traffic(b * 100 + i)))
    }
    expect(asked()).toBeGreaterThan(0)
    await log.compactIfLarge()
    const lines = fs.readFileSync(log.path, 'utf8').split('\n').filter(Boolean)
    expect(lines.length).toBeLessThanOrEqual(LIMIT * 2 + 2)
    expect(log.list({ types: ['mint', 'revoke'] }).map((e) => e.at)).toEqual([2, 1])
    expect(log.list({ types: ['gateway'] })[0]!.at).toBe(10_000 + 3_999) // the newest request
    expect(log.unverified).toBe(0)
  })

  it('without traffic it still compacts to the newest `limit` others', async () => {
    const { log } = newLog()
    for (let i = 0; i <= LIMIT * 2; i++) log.append({ at: i, type: 'vault', message: `e${i}` })
    await log.compactIfLarge()
    expect(log.list({ limit: 5000 }).map((e) => e.at)).toEqual(
      Array.from({ length: LIMIT }, (_, i) => LIMIT * 2 - i),
    )
  })

  it('a batch is one sealed line (one cipher call); its bucket and count are sealed with it', () => {
    const { log } = newLog()
    const out = log.appendAll([traffic(1), traffic(2), traffic(3)])
    expect(new Set(out.map((e) => e.id)).size).toBe(3)
    const lines = fs.readFileSync(log.path, 'utf8').split('\n').filter(Boolean)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^\{"b":"gateway","n":3,"v":1,/)
    expect(lines[0]).not.toContain('GET /acme')
    expect(log.list().map((e) => e.at)).toEqual([10_003, 10_002, 10_001])
    // Someone who can write the folder edits what is in clear: the line no longer opens.
    const line = JSON.parse(lines[0]!) as Record<string, unknown>
    for (const forged of [
      { ...line, n: 2 }, // fewer, so compaction would keep more of them
      { ...line, n: 900 },
      { ...line, b: 'other' }, // out of the flood's bucket, into the one kept for mints
      { ...line, n: undefined }, // as if it held one entry
    ]) {
      fs.writeFileSync(log.path, `${JSON.stringify(forged)}\n`)
      expect(log.list()).toEqual([])
      expect(log.unverified).toBe(1)
    }
  })

  it('runs of one bucket share a line; a mint between request records keeps its own', () => {
    const { log } = newLog()
    const mint = { at: 5, type: 'mint' as const, label: 'acme', message: 'Minted.' }
    log.appendAll([traffic(1), traffic(2), mint, traffic(3)])
    const lines = fs.readFileSync(log.path, 'utf8').split('\n').filter(Boolean)
    expect(lines.map((l) => l.slice(0, 22))).toEqual([
      '{"b":"gateway","n":2,"',
      '{"b":"other","v":1,"iv',
      '{"b":"gateway","v":1,"',
    ])
    expect(log.list().map((e) => e.at)).toEqual([10_003, 5, 10_002, 10_001])
    expect(log.list({ types: ['mint'] }).map((e) => e.at)).toEqual([5])
    expect(log.list({ limit: 2 }).map((e) => e.at)).toEqual([10_003, 5])
  })

  it('compaction runs beside the traffic: what is appended while it runs is kept, whole', async () => {
    const { log } = newLog()
    for (let b = 0; b < 10; b++) {
      log.appendAll(Array.from({ length: 100 }, (_, i) => traffic(b * 100 + i)))
    }
    let done = false
    const compaction = log.compactIfLarge().then(() => (done = true))
    // Requests keep coming while it reads, writes and syncs: one batch per turn of the loop.
    const during: number[] = []
    for (let i = 0; !done; i++) {
      if (during.length < 40) {
        log.appendAll([traffic(100_000 + i)])
        during.push(10_000 + 100_000 + i)
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
    await compaction
    // It yielded (appends landed while it ran), and every one of them is in the log.
    expect(during.length).toBeGreaterThan(1)
    const newest = log.list({ types: ['gateway'] }).map((e) => e.at)
    expect(newest.slice(0, during.length)).toEqual([...during].reverse())
    // Compacted: whole batch lines holding at least the newest LIMIT of what it read.
    const lines = fs.readFileSync(log.path, 'utf8').split('\n').filter(Boolean)
    expect(lines.length).toBeLessThan(10 + during.length)
    expect(newest).toHaveLength(LIMIT)
    expect(log.unverified).toBe(0)
    expect(fs.readdirSync(path.dirname(log.path))).toEqual([path.basename(log.path)])
  })
})
