// Test fixture: the core actions over a temp vault (cheap scrypt) and the real sandbox, with a
// recording clipboard: what an action test needs, with no surface in between.
import { afterEach, beforeEach } from 'vitest'
import { createActions, type Actions } from '../../src/main/actions'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { createHttpClient } from '../../src/main/providers/http-client'
import type { VaultServices } from '../../src/main/vault'
import type { Clock } from '../../src/shared/clock'
import { RecordingCopier } from './app'
import { newVault } from './vault'

export interface ActionFixture {
  actions: Actions
  services: VaultServices & { dir: string }
  copier: RecordingCopier
}

export async function actionFixture(
  o: { clock?: Clock; deadlineMs?: number } = {},
): Promise<ActionFixture> {
  const services = await newVault({
    ...(o.clock ? { clock: o.clock } : {}),
    http: createHttpClient({ defaultDeadlineMs: o.deadlineMs ?? 1500 }),
  })
  const copier = new RecordingCopier()
  const actions = createActions({
    services: () => services,
    platform: 'linux',
    safeStorage: null,
    clipboard: copier,
  })
  return { actions, services, copier }
}

/**
 * A fresh sandbox for every test of the file (each starts with no live token anywhere):
 * registers the hooks and returns a getter for the current one.
 */
export function sandboxPerTest(): () => SandboxSet {
  let sb: SandboxSet | undefined
  beforeEach(async () => {
    sb = await startSandbox()
  })
  afterEach(async () => {
    await sb?.close()
  })
  return () => {
    if (!sb) throw new Error('no sandbox outside a test')
    return sb
  }
}

/**
 * Adds `acme-prod` (TPStreams, organization acme, the first demo user's password remembered, no
 * login yet) to the vault of `actions`, against the sandbox at `baseUrl`.
 */
export async function addAcmeProd(actions: Actions, baseUrl: string): Promise<void> {
  const tp = DEMO_USERS.tpstreams[0]!
  const added = await actions.accounts.add(
    {
      label: 'acme-prod',
      providerId: 'tpstreams',
      baseUrl,
      fields: { username: tp.username, password: tp.secret, organization_id: 'acme' },
      remember: true,
      login: false,
    },
    'cli',
  )
  if (!added.ok) throw new Error(added.message)
}
