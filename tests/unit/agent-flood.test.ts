// One client flooding the agent neither stalls another client nor grows the agent (issue 18,
// item 7): a real headless agent (the built CLI, a child process) over a real vault and the
// sandbox; a client writes 3,000 `header` requests on one connection and never reads an answer;
// meanwhile a second client's `header` answers within a second every time, and the agent's peak
// RSS (VmHWM, reset once the unlock's scrypt is over) stays under 150 MiB. The flood is really
// being served meanwhile: its entries interleave with the other client's in the event log.
// (A timed bound, exceptionally: it is the stated guarantee, with generous margins.)
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { askAgent } from '../../src/main/agent/client'
import { AGENT_PROTOCOL } from '../../src/main/agent/protocol'
import { DEMO_USERS, startSandbox, type SandboxSet } from '../../src/main/sandbox'
import { CLI, addTpstreamsAccount, runCli, cheapVault } from '../helpers/cli'
import { tempDir } from '../helpers/vault'

const FLOOD = 3_000
const ASKS = 20
const tp = DEMO_USERS.tpstreams[0]!
let sb: SandboxSet
beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)
  sb = await startSandbox()
})
afterAll(async () => {
  await sb.close()
})

/** A field of /proc/PID/status in MiB (VmHWM: the peak resident set since the last reset). */
function statusMib(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(
    fs.readFileSync(`/proc/${pid}/status`, 'utf8'),
  )
  if (!m) throw new Error(`no ${field} for ${pid}`)
  return Number(m[1]) / 1024
}

const request = (i: number) =>
  JSON.stringify({
    v: AGENT_PROTOCOL,
    id: `flood-${i}`,
    client: { pid: 1, tty: '', session: 'flood', command: 'flood-client' },
    op: 'header',
    label: 'acme',
  })

describe('an agent under a flood', { timeout: 120_000 }, () => {
  it.skipIf(process.platform !== 'linux')(
    "3,000 unread requests on one connection: another client's header within 1 s, the agent under 150 MiB",
    async () => {
      const dir = path.join(tempDir(), 'vault')
      await cheapVault(dir)
      const added = await addTpstreamsAccount(dir, {
        baseUrl: sb.tpstreams.baseUrl,
        label: 'acme',
        org: 'acme',
        username: tp.username,
        secret: tp.secret,
      })
      expect(added.code).toBe(0)
      const started = await runCli(['agent', 'start', '--json', '--idle-timeout', '5'], dir)
      expect(started.code).toBe(0)
      const { endpoint, pid } = JSON.parse(started.stdout) as { endpoint: string; pid: number }
      let flood: net.Socket | undefined
      try {
        const header = () =>
          askAgent(endpoint, { op: 'header', label: 'acme' }, { command: 'other' })
        expect((await header())?.ok).toBe(true) // the token is minted before the flood
        // The peak so far is the unlock's scrypt (128 MiB, freed since): measure from here.
        fs.writeFileSync(`/proc/${pid}/clear_refs`, '5')

        // The flood: every request at once, and no 'data' listener: not one answer is read.
        const socket = net.connect(endpoint)
        flood = socket
        socket.on('error', () => {})
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
        socket.write(Array.from({ length: FLOOD }, (_, i) => `${request(i)}\n`).join(''))

        const latencies: number[] = []
        for (let i = 0; i < ASKS; i++) {
          const t0 = performance.now()
          const r = await header()
          latencies.push(performance.now() - t0)
          expect(r?.ok).toBe(true)
        }
        const peak = statusMib(pid, 'VmHWM')
        expect(Math.max(...latencies)).toBeLessThan(1_000)
        expect(peak).toBeLessThan(150)

        // The flood was being answered all along: its entries sit between the other client's.
        const log = await runCli(['log', '--json', '--limit', '5000'], dir, {
          env: { TOKENDECK_PASSPHRASE: undefined },
        })
        // Each header asked through the agent is one entry (its reuse) naming who asked.
        const asked = (JSON.parse(log.stdout) as { client?: string }[])
          .filter((e) => e.client !== undefined)
          .reverse()
          .map((e) =>
            e.client!.startsWith('"flood-client"')
              ? 'F'
              : e.client!.startsWith('"other"')
                ? 'O'
                : '-',
          )
          .join('')
        const first = asked.indexOf('O', 1) // after the warm-up call
        const last = asked.lastIndexOf('O')
        expect(asked.slice(first, last)).toContain('F')
        expect(asked.match(/O/g)).toHaveLength(ASKS + 1)
      } finally {
        flood?.destroy()
        expect(
          (await runCli(['agent', 'stop'], dir, { env: { TOKENDECK_PASSPHRASE: undefined } })).code,
        ).toBe(0)
      }
    },
  )
})
