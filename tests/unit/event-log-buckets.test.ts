// The event log keeps each kind of entry a client can cause by the thousand (agent requests, the
// reuse every header writes, gateway records) in its own bucket: a flood of them never pushes a
// mint or a revoke out, through compaction or a key rotation. A line names its bucket in clear
// text, bound to it by the AEAD: re-tagged, untagged or moved lines do not open (and are counted),
// while lines written before buckets still open and join the bucket their entry belongs to.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { generateKey, seal } from '../../src/main/vault/storage/crypto'
import {
  EventLog,
  lineBucket,
  sealedEventCipher,
  type EventCipher,
  type VaultEvent,
} from '../../src/main/vault/storage/event-log'
import { passphraseProtector } from '../../src/main/vault/storage/key-slots'
import { CHEAP_SCRYPT, newVault, tempDir } from '../helpers/vault'

const LIMIT = 50

/** A cipher that counts how many lines it was asked to open. */
function counting(c: EventCipher) {
  let opened = 0
  return {
    cipher: { seal: c.seal, open: (l: string) => (opened++, c.open(l)) } as EventCipher,
    opened: () => opened,
  }
}

function newLog(cipher: EventCipher = sealedEventCipher(generateKey(), randomUUID())) {
  const log: EventLog = new EventLog(
    tempDir(),
    () => cipher,
    () => {}, // compaction is run and awaited by each test
    LIMIT,
  )
  return log
}

const lines = (log: EventLog) => fs.readFileSync(log.path, 'utf8').split('\n').filter(Boolean)

type Entry = Omit<VaultEvent, 'id'>
const agentAsk = (i: number): Entry => ({
  at: 1_000 + i,
  type: 'agent',
  surface: 'agent',
  label: 'acme',
  message: `"flood" (pid 1) asked for the header of "acme": answered. ${i}`,
})
const reuse = (i: number): Entry => ({
  at: 1_000 + i,
  type: 'reuse',
  surface: 'agent',
  label: 'acme',
  message: `Reused the token of "acme". ${i}`,
})

describe('the event log buckets', () => {
  it('an agent flood (requests and reuses) never pushes a mint or a revoke out', async () => {
    const { cipher, opened } = counting(sealedEventCipher(generateKey(), randomUUID()))
    const log = newLog(cipher)
    log.append({ at: 1, type: 'mint', label: 'acme', message: 'Minted the token of "acme".' })
    log.append({ at: 2, type: 'revoke', label: 'acme', message: 'Revoked the token of "acme".' })
    for (let i = 0; i < LIMIT * 6; i++) log.appendAll([agentAsk(i), reuse(i)])
    const before = opened()
    await log.compactIfLarge()
    // Told apart by their clear-text names: compaction opened no line.
    expect(opened()).toBe(before)
    expect(lines(log).length).toBe(LIMIT * 2 + 2)
    expect(log.list({ types: ['mint', 'revoke'] }).map((e) => e.at)).toEqual([2, 1])
    expect(log.list({ types: ['agent'] })).toHaveLength(LIMIT)
    expect(log.list({ types: ['agent'] })[0]!.at).toBe(1_000 + LIMIT * 6 - 1)
    expect(log.list({ types: ['reuse'] })).toHaveLength(LIMIT)
    expect(log.unverified).toBe(0)
  })

  it('a line moved to another bucket, or stripped of its name, does not open and is counted', () => {
    const log = newLog()
    log.append(agentAsk(1))
    log.append({ at: 5, type: 'mint', label: 'acme', message: 'Minted the token of "acme".' })
    const [agent, mint] = lines(log)
    expect(lineBucket(agent!)).toBe('agent')
    expect(lineBucket(mint!)).toBe('other')
    // Nothing readable but the bucket's name.
    expect(agent).not.toContain('acme')
    const { b: _b, ...untagged } = JSON.parse(agent!) as Record<string, unknown>
    const retagged = JSON.stringify({ ...JSON.parse(agent!), b: 'other' })
    // A flood line re-tagged as "other" would survive compactions meant for mints: it must not open.
    const mintAsReuse = JSON.stringify({ ...JSON.parse(mint!), b: 'reuse' })
    fs.writeFileSync(log.path, [retagged, JSON.stringify(untagged), mintAsReuse, ''].join('\n'))
    expect(log.list()).toEqual([])
    expect(log.unverified).toBe(3)
    // With a types filter, a line in another bucket is not even opened (nor counted).
    expect(log.list({ types: ['mint'] })).toEqual([])
    expect(log.unverified).toBe(2)
  })

  it('lines written before buckets still open, and compaction files them by their entry', async () => {
    const key = generateKey()
    const vaultId = randomUUID()
    const cipher = sealedEventCipher(key, vaultId)
    const log = newLog(cipher)
    // As the previous version sealed them: no bucket name, the log's plain associated data.
    const legacy = (e: Entry) =>
      JSON.stringify(
        seal(key, JSON.stringify({ id: randomUUID(), ...e }), `tokendeck/${vaultId}/event-log`),
      )
    const old = [
      legacy({ at: 1, type: 'mint', label: 'acme', message: 'Minted the token of "acme".' }),
      ...Array.from({ length: LIMIT * 3 }, (_, i) => legacy(agentAsk(i))),
    ]
    fs.writeFileSync(log.path, `${old.join('\n')}\n`)
    expect(log.list({ limit: 1 })[0]!.at).toBe(1_000 + LIMIT * 3 - 1)
    expect(log.unverified).toBe(0)
    expect(old.every((l) => lineBucket(l) === null)).toBe(true)
    await log.compactIfLarge()
    // Opened once to be told apart, then re-sealed under their bucket's name.
    const now = lines(log)
    expect(now).toHaveLength(LIMIT + 1)
    expect(now.map((l) => lineBucket(l))).toEqual(['other', ...Array<string>(LIMIT).fill('agent')])
    expect(log.list({ types: ['mint'] }).map((e) => e.at)).toEqual([1])
    expect(log.list({ types: ['agent'] })).toHaveLength(LIMIT)
    expect(log.unverified).toBe(0)
  })

  it('compaction keeps lines it cannot open: they stay counted, never silently dropped', async () => {
    const log = newLog()
    fs.writeFileSync(log.path, 'not a sealed line\n')
    for (let i = 0; i < LIMIT * 3; i++) log.append(agentAsk(i))
    await log.compactIfLarge()
    expect(lines(log)[0]).toBe('not a sealed line')
    expect(lines(log)).toHaveLength(LIMIT + 1)
    // Read as far as it: counted (a listing counts the lines it reads, newest first).
    expect(log.list({ types: ['mint'] })).toEqual([])
    expect(log.unverified).toBe(1)
  })

  it('a key rotation keeps every bucket: a mint survives a flood bigger than twice the limit', () => {
    const dir = tempDir()
    const from = sealedEventCipher(generateKey(), randomUUID())
    const to = sealedEventCipher(generateKey(), randomUUID())
    const old = new EventLog(dir, () => from, undefined, LIMIT)
    old.append({ at: 1, type: 'mint', label: 'acme', message: 'Minted the token of "acme".' })
    for (let i = 0; i < LIMIT * 3; i++) old.appendAll([agentAsk(i), reuse(i)])
    old.prepareReseal(from, to).commit()
    const log = new EventLog(dir, () => to, undefined, LIMIT)
    expect(log.list({ types: ['mint'] }).map((e) => e.at)).toEqual([1])
    expect(log.list({ types: ['agent'] })).toHaveLength(LIMIT)
    expect(log.list({ types: ['reuse'] })).toHaveLength(LIMIT)
    expect(log.unverified).toBe(0)
    expect(lines(log).every((l) => from.open(l) === null && to.open(l) !== null)).toBe(true)
  })

  it('through a real vault: the passphrase change re-seals the log into its buckets', async () => {
    const v = await newVault()
    v.vault.log({ type: 'mint', label: 'acme', message: 'Minted the token of "acme".' })
    for (let i = 0; i < 30; i++)
      v.vault.logAll([agentAsk(i), reuse(i)].map(({ at: _at, ...e }) => e))
    const r = await v.vault.rekey([passphraseProtector('another passphrase', CHEAP_SCRYPT)], 'x')
    expect(r.ok).toBe(true)
    const log = v.vault.events
    expect(log.list({ types: ['mint'] })).toHaveLength(1)
    expect(log.list({ types: ['agent'] })).toHaveLength(30)
    expect(log.unverified).toBe(0)
    expect(new Set(lines(log).map((l) => lineBucket(l)))).toEqual(
      new Set(['other', 'agent', 'reuse']),
    )
  })
})
