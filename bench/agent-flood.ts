// The agent under a flood (issue 18, item 7), as whole processes: a headless agent (the built
// CLI) over a real vault and the sandbox; one client writes 3,000 `header` requests on one
// connection and never reads an answer, while another client asks for its header one call after
// another. Printed: that client's latency (p50, p99, max) without and with the flood, how many
// flood requests the agent answered meanwhile, and the agent's peak RSS (VmHWM from /proc, reset
// once the unlock's scrypt is over). Goals: the other client under 1 s, the agent under 150 MiB.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { askAgent } from '../src/main/agent/client'
import { AGENT_PROTOCOL } from '../src/main/agent/protocol'
import { DEMO_USERS, startSandbox } from '../src/main/sandbox'
import { CLI_PATH } from './agent'

const PASS = 'benchmark passphrase'
const FLOOD = 3_000
const ASKS = 200

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
  input = '',
): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { env })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    child.once('error', reject)
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`tokendeck ${args[0]} exited ${code}: ${err.slice(0, 300)}`))
      else resolve({ code: code ?? 0, out })
    })
    child.stdin.end(input)
  })
}

function vmMib(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(
    fs.readFileSync(`/proc/${pid}/status`, 'utf8'),
  )
  return m ? Number(m[1]) / 1024 : NaN
}

const round = (n: number) => Number(n.toFixed(2))
function percentiles(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b)
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
  return { p50: round(at(50)), p99: round(at(99)), max: round(s.at(-1)!) }
}

export async function agentFloodBench(): Promise<Record<string, unknown>> {
  if (process.platform !== 'linux') return { skipped: 'needs /proc (Linux)' }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-bench-flood-'))
  const vault = path.join(root, 'vault')
  fs.mkdirSync(path.join(root, 'home'))
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: path.join(root, 'home'),
    TOKENDECK_VAULT: vault,
  }
  const withPass = { ...env, TOKENDECK_PASSPHRASE: PASS }
  const sandbox = await startSandbox()
  let pid: number | undefined
  let flood: net.Socket | undefined
  try {
    await run(['init'], withPass)
    const u = DEMO_USERS.tpstreams[0]!
    await run(
      ['accounts', 'add', '--provider', 'tpstreams', '--base-url', sandbox.tpstreams.baseUrl]
        .concat(['--label', 'acme', '--username', u.username, '--org', 'acme'])
        .concat(['--remember', '--secret-stdin']),
      withPass,
      `${u.secret}\n`,
    )
    const started = JSON.parse((await run(['agent', 'start', '--json'], withPass)).out) as {
      endpoint: string
      pid: number
    }
    pid = started.pid
    const asks = async () => {
      const ms: number[] = []
      for (let i = 0; i < ASKS; i++) {
        const t0 = performance.now()
        const r = await askAgent(
          started.endpoint,
          { op: 'header', label: 'acme' },
          { command: 'bench' },
        )
        if (!r?.ok) throw new Error(`header failed: ${r ? r.code : 'no agent'}`)
        ms.push(performance.now() - t0)
      }
      return ms
    }
    await asks() // warm-up: mints the token
    const quiet = percentiles(await asks())
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5')
    const rssBefore = vmMib(pid, 'VmRSS')

    const socket = net.connect(started.endpoint)
    flood = socket
    socket.on('error', () => {})
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    const line = (i: number) =>
      JSON.stringify({
        v: AGENT_PROTOCOL,
        id: `f${i}`,
        client: { pid: 1, tty: '', session: 'flood', command: 'flood' },
        op: 'header',
        label: 'acme',
      })
    socket.write(Array.from({ length: FLOOD }, (_, i) => `${line(i)}\n`).join(''))
    const flooded = percentiles(await asks())
    const peak = vmMib(pid, 'VmHWM')
    const log = await run(['log', '--json', '--limit', '5000'], env)
    const answered = (JSON.parse(log.out) as { type: string; message: string }[]).filter(
      (e) => e.type === 'agent' && e.message.startsWith('"flood"'),
    ).length
    return {
      flood_requests: FLOOD,
      other_client_asks: ASKS,
      other_header_ms_quiet_p50: quiet.p50,
      other_header_ms_quiet_p99: quiet.p99,
      other_header_ms_flood_p50: flooded.p50,
      other_header_ms_flood_p99: flooded.p99,
      other_header_ms_flood_max: flooded.max,
      flood_requests_answered_meanwhile: answered,
      agent_rss_mib_before_flood: round(rssBefore),
      agent_peak_rss_mib_during_flood: round(peak),
    }
  } finally {
    flood?.destroy()
    await run(['agent', 'stop'], env).catch(() => {
      if (pid !== undefined) process.kill(pid, 'SIGTERM')
    })
    await sandbox.close()
    fs.rmSync(root, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  agentFloodBench().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e)
      process.exit(1)
    },
  )
}
