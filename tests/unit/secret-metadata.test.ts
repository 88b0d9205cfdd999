// Guarantee: token metadata a profile marks `secret` (xpay's ticket) comes out of the engine in
// `MintedToken.secretMetadata`, never in `metadata`, so no view, event or message carries it;
// plain metadata that echoes it is masked.
import { afterEach, describe, expect, it } from 'vitest'
import { extractToken } from '../../src/main/providers/interpret'
import type { HttpResponse } from '../../src/main/providers/http-client'
import { BUILTIN_PROFILES } from '../../src/main/providers/registry'
import { metadataEntries, parseProfile } from '../../src/shared/providers/profile'
import { actionFixture } from '../helpers/actions'
import { startRecordingServer, type RecordingServer } from '../helpers/recording-server'

const T = 1_750_000_000_000
const TICKET = 'b1d4b9a9511dd58fb84a9aab9cc2a740'
const xpay = BUILTIN_PROFILES.find((p) => p.id === 'xpay')!

/** xpay's documented success answer (../shared/seeds/xpay-auth.txt). */
const xpayAnswer = (expiresAt: number) => ({
  success: {
    message: 'Authenticated',
    data: {
      success: true,
      expiresAt,
      user: { username: 'dev@acme.test', scopes: ['tme_user'], isAPI: true },
      ticket: TICKET,
      access_token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXYifQ.sig-nature',
    },
    uuid: 'f8623092-a59a-4ceb-bc75-18e59815d5df',
  },
})

function answer(json: unknown): HttpResponse {
  const text = JSON.stringify(json)
  return { status: 200, headers: {}, mediaType: 'application/json', text, json, jsonInvalid: false }
}

describe('secret metadata', () => {
  it('xpay marks its ticket secret: the engine keeps it out of metadata', () => {
    expect(metadataEntries(xpay).find((e) => e.name === 'ticket')).toEqual({
      name: 'ticket',
      path: 'success.data.ticket',
      secret: true,
    })
    const r = extractToken(answer(xpayAnswer(T + 3600_000)), xpay, [], T)
    if (!r.ok) throw new Error(r.message)
    expect(r.value.metadata).toEqual({
      scopes: ['tme_user'],
      requestId: 'f8623092-a59a-4ceb-bc75-18e59815d5df',
    })
    expect(r.value.secretMetadata).toEqual({ ticket: TICKET })
    expect(JSON.stringify(r.value.metadata)).not.toContain(TICKET)
  })

  it('a custom profile declares one with { path, secret: true }; plain metadata echoing it is masked', () => {
    const raw = {
      ...structuredClone(xpay),
      id: 'xpay-copy',
      name: 'xpay copy',
      metadata: {
        ticket: { path: 'success.data.ticket', secret: true },
        echo: 'success.message',
        expiry: { path: 'success.data.expiresAt' },
      },
    }
    const p = parseProfile(raw)
    if (!p.ok) throw new Error(JSON.stringify(p.details))
    const body = xpayAnswer(T + 3600_000)
    body.success.message = `Authenticated with ticket ${TICKET}`
    const r = extractToken(answer(body), p.value, [], T)
    if (!r.ok) throw new Error(r.message)
    expect(r.value.secretMetadata).toEqual({ ticket: TICKET })
    expect(r.value.metadata).toEqual({
      echo: 'Authenticated with ticket [redacted]',
      expiry: T + 3600_000,
    })
    // Unknown keys in an entry are errors, like everywhere in a profile.
    const typo = { ...raw, metadata: { ticket: { path: 'success.data.ticket', secert: true } } }
    expect(parseProfile(typo).ok).toBe(false)
  })

  it('profiles without secret metadata give an empty secretMetadata', () => {
    const classic = BUILTIN_PROFILES.find((p) => p.id === 'classic')!
    const r = extractToken(answer({ token: 'abc123' }), classic, [], T)
    expect(r.ok && r.value.secretMetadata).toEqual({})
  })

  describe('through the core actions', () => {
    let server: RecordingServer | undefined
    afterEach(async () => {
      await server?.close()
    })

    it('the ticket of an xpay login never reaches a view or the event log', async () => {
      const { actions } = await actionFixture()
      server = await startRecordingServer(() => ({
        status: 200,
        json: xpayAnswer(Date.now() + 3600_000),
      }))
      const added = await actions.accounts.add(
        {
          label: 'xpay-dev',
          providerId: 'xpay',
          baseUrl: server.baseUrl,
          fields: { username: 'dev@acme.test', secretKey: 'xpay-demo-secret-key' },
          remember: true,
          login: true,
        },
        'ui',
      )
      if (!added.ok) throw new Error(added.message)
      expect(added.value.token?.metadata).toEqual({
        scopes: ['tme_user'],
        requestId: 'f8623092-a59a-4ceb-bc75-18e59815d5df',
      })
      const seen = JSON.stringify([
        added.value,
        actions.views.snapshot(),
        actions.views.account('xpay-dev'),
        actions.views.events(),
        await actions.tokens.header(added.value.account.id, 'cli'),
      ])
      expect(seen).toContain('tme_user')
      expect(seen).not.toContain(TICKET)
    })
  })
})
