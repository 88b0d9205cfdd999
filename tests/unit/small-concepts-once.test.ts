// Small concepts once: what a label is, which characters are controls, whether a provider can
// revoke, and the surface and token-state lists each have one definition in src/shared, and the
// places that used to spell them out themselves (the vault, the IPC contract, the agent
// protocol, the gateway, the window) agree with it, on real inputs.
import { afterEach, describe, expect, it } from 'vitest'
import { parseRequest } from '../../src/main/agent/protocol'
import { commandProblem } from '../../src/main/platform/cli-launcher'
import { BUILTIN_PROFILES } from '../../src/main/providers/registry'
import {
  accountSchema,
  SURFACES as VAULT_SURFACES,
  TOKEN_STATES as VAULT_STATES,
} from '../../src/main/vault/storage/schema'
import { canonicalPath } from '../../src/shared/canonical-path'
import { hasControls, withoutControls } from '../../src/shared/controls'
import { EVENT_TYPES, SURFACES } from '../../src/shared/event-types'
import { CONTRACT } from '../../src/shared/ipc/schemas'
import { INVOKE } from '../../src/shared/ipc/channels'
import {
  cleanLabel,
  isLabelRef,
  LABEL_INPUT_MAX,
  LABEL_MAX,
  sameLabel,
} from '../../src/shared/labels'
import { labelRefSchema } from '../../src/shared/label-ref-schema'
import { canRevoke, fieldProblem } from '../../src/shared/providers/profile'
import { findAccount } from '../../src/shared/state'
import { TOKEN_STATES } from '../../src/shared/views'
import { actionFixture, type ActionFixture } from '../helpers/actions'

// The window's words (src/renderer is outside tsconfig.node.json's program: loaded by path).
const RENDERER_FORMAT = '../../src/renderer/src/lib/format'
const { surfaceWords } = (await import(/* @vite-ignore */ RENDERER_FORMAT)) as {
  surfaceWords: (surface: string) => string
}

const RLO = '\u202e'
const client = { pid: 1, tty: '', session: '', command: 'test' }
const agentHeader = (label: string) => ({
  success: parseRequest({ v: 1, id: '1', client, op: 'header', label }) !== null,
})

let fixture: ActionFixture | undefined
afterEach(() => {
  fixture?.services.vault.lock()
  fixture = undefined
})

describe('a label', () => {
  it('is cleaned one way, and the vault stores exactly what cleanLabel gives', async () => {
    expect(cleanLabel(`  acme${RLO}-prod\tci `)).toEqual({ ok: true, value: 'acme-prod ci' })
    expect(cleanLabel(RLO + ' \n')).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' })
    expect(cleanLabel('x'.repeat(LABEL_MAX))).toMatchObject({ ok: true })
    const long = cleanLabel('x'.repeat(LABEL_MAX + 1))
    expect(long).toMatchObject({ ok: false, fields: { label: [`1 to ${LABEL_MAX} characters.`] } })

    fixture = await actionFixture()
    const { accounts } = fixture.actions
    const add = (label: string) =>
      accounts.add(
        {
          label,
          providerId: 'classic',
          baseUrl: 'https://classic.example.com',
          fields: { username: 'dev', password: 'pw' },
          remember: true,
          login: false,
        },
        'ui',
      )
    const typed = `  acme${RLO}-prod\tci `
    const added = await add(typed)
    expect(added.ok && added.value.account.label).toBe(
      (cleanLabel(typed) as { value: string }).value,
    )
    const tooLong = await add('y'.repeat(LABEL_MAX + 1))
    expect(tooLong).toMatchObject({ ok: false, fields: long.ok ? {} : long.fields })
  })

  it('has one stored bound: the vault file schema takes LABEL_MAX characters and no more', () => {
    const record = (label: string) => ({
      id: 'a1',
      label,
      providerId: 'classic',
      baseUrl: 'https://classic.example.com',
      fields: {},
      secrets: {},
      remember: true,
      createdAt: 0,
      updatedAt: 0,
    })
    const shape = accountSchema.shape.label
    expect(shape.safeParse(record('x'.repeat(LABEL_MAX)).label).success).toBe(true)
    expect(shape.safeParse(record('x'.repeat(LABEL_MAX + 1)).label).success).toBe(false)
  })

  it('is named in a request within one bound: IPC, the agent protocol and labelRefSchema agree', () => {
    const add = CONTRACT[INVOKE.accountsAdd].request
    const addWith = (label: string) =>
      add.safeParse({ label, providerId: 'classic', fields: {}, remember: true, login: false })
    for (const [label, fits] of [
      ['x'.repeat(LABEL_INPUT_MAX), true],
      ['x'.repeat(LABEL_INPUT_MAX + 1), false],
    ] as const) {
      expect(addWith(label).success).toBe(fits)
      expect(agentHeader(label).success).toBe(fits)
      expect(labelRefSchema.safeParse(label).success).toBe(fits)
      expect(isLabelRef(label)).toBe(fits)
    }
    expect(agentHeader('').success).toBe(false)
    expect(labelRefSchema.safeParse('').success).toBe(false)
    // A name with a control character matches no stored label: refused before any lookup.
    expect(labelRefSchema.safeParse(`acme${RLO}`).success).toBe(false)
    expect(isLabelRef('   ')).toBe(false)
  })

  it('ignores case wherever an account is found by it', () => {
    const accounts = [{ id: 'id-1', label: 'Acme-Prod' }]
    expect(findAccount(accounts, 'acme-prod')?.id).toBe('id-1')
    expect(findAccount(accounts, 'ACME-PROD')?.id).toBe('id-1')
    expect(sameLabel('Acme-Prod', 'aCME-pROD')).toBe(true)
    expect(findAccount(accounts, 'acme-pro')).toBeUndefined()
  })
})

describe('control characters', () => {
  it('hasControls refuses exactly what withoutControls strips (every code point to U+FFFF)', () => {
    const disagree: string[] = []
    for (let c = 0; c <= 0xffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue
      const ch = String.fromCharCode(c)
      if (hasControls(ch) !== (withoutControls(ch) !== ch)) disagree.push(c.toString(16))
    }
    expect(disagree).toEqual([])
  })

  it('the field check, the gateway path and the CLI launcher refuse the same characters', () => {
    const field = { kind: 'text', required: true } as const
    for (const bad of ['\u0000', '\n', '\u007f', '\u0085', '\u2028', RLO, '\u2066']) {
      const value = `dev${bad}ops`
      expect(fieldProblem(field, value, true), JSON.stringify(bad)).toMatch(/control/)
      expect(canonicalPath(`/a/${encodeURIComponent(value)}`).ok, JSON.stringify(bad)).toBe(false)
      expect(commandProblem('linux', [`/opt/${value}/tokendeck`]), JSON.stringify(bad)).toMatch(
        /control/,
      )
    }
    expect(fieldProblem(field, 'dev-ops', true)).toBeNull()
    expect(canonicalPath('/a/dev-ops').ok).toBe(true)
    expect(commandProblem('linux', ['/opt/dev-ops/tokendeck'])).toBeNull()
  })
})

describe('revocable', () => {
  it('providers.list says canRevoke exactly when the profile has a revoke request', async () => {
    fixture = await actionFixture()
    const listed = fixture.actions.providers.list()
    expect(listed.ok).toBe(true)
    if (!listed.ok) return
    for (const p of BUILTIN_PROFILES) {
      const view = listed.value.find((v) => v.id === p.id)
      expect(view?.canRevoke, p.id).toBe(canRevoke(p))
      expect(canRevoke(p), p.id).toBe(p.revoke !== undefined)
    }
    // Both answers occur among the built-ins, so the comparison above can tell them apart.
    expect(new Set(BUILTIN_PROFILES.map(canRevoke)).size).toBe(2)
  })
})

describe('the surface and token-state lists', () => {
  it('the vault file keeps the shared lists', () => {
    expect([...VAULT_SURFACES]).toEqual([...SURFACES])
    expect([...VAULT_STATES]).toEqual([...TOKEN_STATES])
  })

  it('the agent protocol and the window know every surface', () => {
    for (const surface of SURFACES) {
      const log = parseRequest({
        v: 1,
        id: '1',
        client,
        op: 'log',
        limit: 10,
        surfaces: [surface],
      })
      expect(log, surface).not.toBeNull()
      expect(surfaceWords(surface), surface).not.toBe(surface)
    }
    expect(
      parseRequest({
        v: 1,
        id: '1',
        client,
        op: 'log',
        limit: 10,
        types: [...EVENT_TYPES],
      }),
    ).not.toBeNull()
  })
})
