// Test fixture: an in-process agent (agent/host.ts) on a real Unix socket in a temp folder, over
// the core actions of a temp vault with one TPStreams account ("acme-prod") on the sandbox.
import path from 'node:path'
import { afterEach } from 'vitest'
import { startAgent, type AgentHostOptions, type RunningAgent } from '../../src/main/agent/host'
import type { SandboxSet } from '../../src/main/sandbox'
import { actionFixture, addAcmeProd } from './actions'
import { tempDir } from './vault'

/** Registers the cleanup and returns the factory: each agent is closed after its test. */
export function agentsPerTest(sandbox: () => SandboxSet) {
  const running: RunningAgent[] = []
  afterEach(async () => {
    for (const a of running.splice(0)) await a.close()
  })
  return async function agentOverVault(o: Pick<AgentHostOptions, 'approvals' | 'limits'> = {}) {
    const f = await actionFixture()
    await addAcmeProd(f.actions, sandbox().tpstreams.baseUrl)
    const endpoint = path.join(tempDir('tokendeck-agent-'), 'run', 'agent.sock')
    const a = await startAgent({
      endpoint,
      vaultDir: f.services.dir,
      kind: 'headless',
      actions: () => (f.services.vault.unlocked ? f.actions : null),
      log: (e) => f.services.vault.log(e),
      now: () => Date.now(),
      idleTimeoutMinutes: 0,
      ...o,
    })
    if (!a.ok) throw new Error(a.message)
    running.push(a.value)
    return { ...f, endpoint, agent: a.value }
  }
}
