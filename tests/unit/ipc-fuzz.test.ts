// Fuzzes every channel of the IPC contract with fast-check against the real handler table over a
// real unlocked vault with accounts (sandbox providers). Hostile payloads: wrong types, huge
// strings, prototype-pollution keys, deep nesting, extra keys, NaN/Infinity, arrays for objects,
// and mutations of valid requests. Nothing may throw or answer INTERNAL; every payload the
// contract rejects must come back VALIDATION_FAILED; the vault file must not change; no prototype
// may be polluted.
//
// Which payloads each channel gets: READ_ONLY channels get valid and invalid payloads alike (a
// valid one only reads). Every other channel changes state when given a valid payload (create,
// lock, add, revoke, copy, settings, demo...), so it gets INVALID payloads only: the generator's
// output is filtered through the contract's schema before it is sent.
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHandlers, type HandlerTable } from '../../src/main/ipc/handlers'
import { DEMO_USERS } from '../../src/main/sandbox'
import { INVOKE, INVOKE_CHANNELS, type InvokeChannel } from '../../src/shared/ipc/channels'
import { CONTRACT, resultSchema } from '../../src/shared/ipc/schemas'
import { startTestApp, type TestApp } from '../helpers/app'

const READ_ONLY = new Set<InvokeChannel>([
  INVOKE.appStatus,
  INVOKE.snapshot,
  INVOKE.providersList,
  INVOKE.settingsGet,
  INVOKE.eventsList,
  INVOKE.gatewayStatus,
  INVOKE.cliCommandStatus,
  INVOKE.ledgerStatus,
  INVOKE.loginsList,
])

const RUNS = 500

let app: TestApp
let handlers: HandlerTable
const logs: string[] = []
let accountId = ''
let tokenId = ''
let orgKey = ''

const protoNames = () => ({
  object: Object.getOwnPropertyNames(Object.prototype).sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
  fn: Object.getOwnPropertyNames(Function.prototype).sort(),
})
let protoBefore: ReturnType<typeof protoNames>

function vaultFiles(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of fs.readdirSync(app.vaultDir).sort()) {
    const file = path.join(app.vaultDir, name)
    if (fs.statSync(file).isFile()) out[name] = fs.readFileSync(file).toString('base64')
  }
  return out
}
let filesBefore: Record<string, string>

async function snapshotState(): Promise<string> {
  const r = (await app.handlers[INVOKE.snapshot](undefined)) as { value: { now?: number } }
  delete r.value.now
  return JSON.stringify(r)
}
let stateBefore: string

beforeAll(async () => {
  protoBefore = protoNames()
  app = await startTestApp()
  handlers = createHandlers(app.core, (l) => logs.push(l), {
    agent: app.agent.approvals,
    gateway: app.gateway,
    cliCommand: app.cliCommand,
    loginPages: app.loginPages,
  })
  const pass = { protection: 'passphrase', passphrase: 'a long enough passphrase' }
  expect((await handlers[INVOKE.vaultCreate](pass)).ok).toBe(true)
  const tp = DEMO_USERS.tpstreams[0]!
  const added = (await handlers[INVOKE.accountsAdd]({
    label: 'acme-prod',
    providerId: 'tpstreams',
    baseUrl: app.sandbox.tpstreams.baseUrl,
    fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
    remember: true,
    login: true,
  })) as { ok: true; value: { id: string; orgKey: string; current: { id: string } } }
  expect(added.ok).toBe(true)
  accountId = added.value.id
  orgKey = added.value.orgKey
  tokenId = added.value.current.id
  const x = DEMO_USERS.xpay[0]!
  const xpay = await handlers[INVOKE.accountsAdd]({
    label: 'xpay-dev',
    providerId: 'xpay',
    baseUrl: app.sandbox.xpay.baseUrl,
    fields: { username: x.username, secretKey: x.secret },
    remember: true,
    login: true,
  })
  expect(xpay.ok).toBe(true)
  filesBefore = vaultFiles()
  stateBefore = await snapshotState()
  logs.length = 0
})

afterAll(async () => {
  await app?.close()
})

/** A valid request per channel, as the starting point for mutations. */
function validSamples(): Record<InvokeChannel, unknown[]> {
  return {
    [INVOKE.appStatus]: [undefined],
    [INVOKE.vaultCreate]: [{ protection: 'os' }, { protection: 'passphrase', passphrase: 'p' }],
    [INVOKE.vaultUnlock]: [{ method: 'os' }, { method: 'passphrase', passphrase: 'secret!!' }],
    [INVOKE.vaultLock]: [undefined],
    [INVOKE.vaultAddPassphrase]: [
      { proof: { method: 'passphrase', passphrase: 'wrong guess' }, passphrase: 'another one' },
    ],
    [INVOKE.vaultAddOsProtection]: [{ proof: { method: 'os' } }],
    [INVOKE.vaultRemoveSlot]: [{ slotId: 'slot-1', proof: { method: 'os' } }],
    [INVOKE.vaultChangePassphrase]: [
      { proof: { method: 'passphrase', passphrase: 'wrong guess' }, passphrase: 'a new one!' },
    ],
    [INVOKE.vaultDeleteUnreadableCopy]: [{ name: 'vault.json.unreadable-000000000000' }],
    [INVOKE.demoStart]: [undefined],
    [INVOKE.snapshot]: [undefined],
    [INVOKE.providersList]: [undefined],
    [INVOKE.providersImport]: [{ text: '{"formatVersion":1}' }],
    [INVOKE.providersRemove]: [{ id: 'custom' }],
    [INVOKE.accountsAdd]: [
      {
        label: 'x',
        providerId: 'classic',
        fields: { username: 'u', password: 'p' },
        remember: true,
        login: false,
      },
    ],
    [INVOKE.accountsUpdate]: [{ accountId, patch: { label: 'renamed', remember: false } }],
    [INVOKE.accountsRemove]: [{ accountId, revokeFirst: true, force: true }],
    [INVOKE.accountsSignup]: [
      { providerId: 'classic', label: 'x', fields: { username: 'u' }, remember: false },
    ],
    [INVOKE.tokensLogin]: [{ accountId, force: true, secrets: { password: 'p' } }],
    [INVOKE.tokensRevoke]: [{ accountId, tokenId, all: false }],
    [INVOKE.tokensRevokeOldest]: [{ orgKey }],
    [INVOKE.tokensRevokeOrganization]: [{ orgKey }],
    [INVOKE.tokensDismissUncertain]: [{ tokenId }],
    [INVOKE.tokensCheck]: [{ accountId }],
    [INVOKE.copyHeader]: [
      { accountId },
      { accountId, secrets: { password: 'p' } },
      { accountId, confirmEviction: true },
    ],
    [INVOKE.accountsKeepReady]: [
      { accountId, on: true },
      { accountId, on: false },
    ],
    [INVOKE.settingsGet]: [undefined],
    [INVOKE.settingsUpdate]: [{ clipboardClearSeconds: 20, globalShortcut: 'Alt+K' }],
    [INVOKE.eventsList]: [{ limit: 5, accountId, types: ['copy'] }, undefined],
    [INVOKE.agentPending]: [undefined],
    [INVOKE.agentDecide]: [{ id: 'prompt-1', allow: true }],
    [INVOKE.agentSessions]: [undefined],
    [INVOKE.agentRevokeSession]: [{ id: 'session-1' }],
    [INVOKE.gatewayStatus]: [undefined],
    [INVOKE.gatewayCopyUrl]: [{ accountId }],
    [INVOKE.gatewayCopyAccessToken]: [undefined],
    [INVOKE.gatewayNewAccessToken]: [undefined],
    [INVOKE.cliCommandStatus]: [undefined],
    [INVOKE.cliCommandInstall]: [{ consent: false }, { consent: true }],
    [INVOKE.cliCommandRemove]: [undefined],
    [INVOKE.ledgerStatus]: [undefined],
    [INVOKE.ledgerConnect]: [
      { url: 'postgres://td:a-password@127.0.0.1:5432/ledger' },
      { url: 'postgres://td@127.0.0.1:5432/ledger', machineName: 'laptop' },
    ],
    [INVOKE.ledgerDisconnect]: [undefined],
    [INVOKE.loginsList]: [undefined],
    [INVOKE.loginsCancel]: [{ id: 'prompt-1' }],
    [INVOKE.loginsOpen]: [{ id: 'prompt-1' }],
    [INVOKE.loginsCopyCode]: [{ id: 'prompt-1' }],
  }
}

const POLLUTERS = [
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"accountId":"a","__proto__":{"polluted":"yes"}}',
  '{"fields":{"__proto__":{"polluted":"yes"}},"label":"x","providerId":"classic","remember":true,"login":false}',
  '{"patch":{"__proto__":{"polluted":"yes"}},"accountId":"a"}',
  '{"secrets":{"__proto__":"x","constructor":"y"},"accountId":"a"}',
  '[{"__proto__":{"polluted":"yes"}}]',
]

function nest(depth: number): unknown {
  let v: unknown = 'bottom'
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { accountId: v }
  return v
}

const hostileKey = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', ''),
)

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    maxDepth: 3,
    key: hostileKey,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withTypedArray: true,
    withSparseArray: true,
  }),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31),
  fc.integer({ min: 4097, max: 300_000 }).map((n) => 'A'.repeat(n)),
  fc.integer({ min: 20, max: 3000 }).map(nest),
  fc.constantFrom(...POLLUTERS).map((s) => JSON.parse(s) as unknown),
  fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 5 }),
  fc.constantFrom(null, undefined, true, '', 'vault:app-status', '\u0000', '😀'.repeat(5000)),
)

/** Mutations of a valid object payload: extra key, replaced value, deleted key, wrapping. */
function mutate(base: unknown): fc.Arbitrary<unknown> {
  if (base === null || typeof base !== 'object') {
    return fc.oneof(hostileValue, fc.record({ extra: hostileValue }))
  }
  const obj = base as Record<string, unknown>
  const keys = Object.keys(obj)
  const withKey = (k: string, v: unknown) => {
    const copy: Record<string, unknown> = { ...obj }
    Object.defineProperty(copy, k, {
      value: v,
      enumerable: true,
      configurable: true,
      writable: true,
    })
    return copy
  }
  const nested = keys.filter((k) => obj[k] !== null && typeof obj[k] === 'object')
  return fc.oneof(
    fc.tuple(hostileKey, hostileValue).map(([k, v]) => withKey(k === '' ? 'extra' : k, v)),
    fc.tuple(fc.constantFrom(...keys), hostileValue).map(([k, v]) => withKey(k, v)),
    fc.constantFrom(...keys).map((k) => {
      const copy = { ...obj }
      delete copy[k]
      return copy
    }),
    fc.constant([obj]),
    fc.constant(JSON.stringify(obj)),
    ...(nested.length > 0
      ? [
          fc.tuple(fc.constantFrom(...nested), hostileKey, hostileValue).map(([k, ik, v]) => {
            const inner = { ...(obj[k] as Record<string, unknown>) }
            Object.defineProperty(inner, ik, { value: v, enumerable: true, writable: true })
            return withKey(k, inner)
          }),
        ]
      : []),
  )
}

function payloads(channel: InvokeChannel): fc.Arbitrary<unknown> {
  const samples = validSamples()[channel]
  const all = fc.oneof(hostileValue, fc.constantFrom(...samples).chain(mutate))
  const schema = CONTRACT[channel].request
  return READ_ONLY.has(channel) ? all : all.filter((p) => !schema.safeParse(p).success)
}

function isPlainObjectRequest(channel: InvokeChannel): boolean {
  const sample = validSamples()[channel].find((s) => s !== undefined)
  return sample !== undefined && typeof sample === 'object'
}

describe('IPC fuzzing', () => {
  it.each([...INVOKE_CHANNELS])(
    '%s: hostile payloads are rejected, nothing throws',
    async (channel) => {
      const schema = CONTRACT[channel].request
      const response = resultSchema(CONTRACT[channel].response)
      await fc.assert(
        fc.asyncProperty(payloads(channel), async (payload) => {
          const r = (await handlers[channel](payload)) as {
            ok: boolean
            code?: string
            message?: string
          }
          expect(response.safeParse(r).success).toBe(true)
          expect(r.code).not.toBe('INTERNAL')
          const valid = schema.safeParse(payload).success
          if (!valid) {
            expect(r).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' })
            expect(r.message).toBe('The request was malformed and was ignored.')
          }
          // Independent of the schema oracle: arrays, primitives and strings are never a
          // request of a channel that takes an object.
          if (
            isPlainObjectRequest(channel) &&
            (Array.isArray(payload) || typeof payload !== 'object' || payload === null)
          ) {
            if (payload !== undefined) expect(r.code).toBe('VALIDATION_FAILED')
          }
          // An answer never echoes a huge payload back.
          expect(JSON.stringify(r).length).toBeLessThan(64 * 1024)
        }),
        { numRuns: RUNS, seed: 20301, endOnFailure: true },
      )
    },
  )

  it('the vault file, the vault state and the prototypes are untouched afterwards', async () => {
    expect(vaultFiles()).toEqual(filesBefore)
    expect(await snapshotState()).toBe(stateBefore)
    expect(app.core.status().vault.unlocked).toBe(true)
    expect(protoNames()).toEqual(protoBefore)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false)
  })

  // VALIDATION_FAILED details name unrecognized keys; formatIssues cuts them so a 100 kB key does
  // not come back as a 100 kB answer.
  it('does not echo a huge unknown key name back', async () => {
    const r = await handlers[INVOKE.copyHeader]({ accountId, ['K'.repeat(100_000)]: 1 })
    expect(JSON.stringify(r).length).toBeLessThan(64 * 1024)
  })

  it('logged one fixed tag per rejection, never a payload', () => {
    expect(logs.length).toBeGreaterThan(INVOKE_CHANNELS.length * 10)
    for (const l of logs) expect(l).toMatch(/^ipc: rejected malformed payload on vault:[a-z-]+$/)
  })
})
