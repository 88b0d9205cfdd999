// Agent benchmarks (issue 11), as whole processes: `tokendeck header L` through the headless
// agent, the same command opening the vault itself (TOKENDECK_AGENT=off, scrypt N=2^17), and
// `node -e 0` as the floor, alternating in one run; then single flight across processes (25 calls
// through the agent and 5 direct ones, started together, for an account with no token yet).
// Real parts throughout: the built CLI (out/main/cli.js), the sandbox providers on loopback in
// this process, a real vault in a temp folder.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { startSandbox, DEMO_USERS } from '../src/main/sandbox'
import { median, round } from './stats'

const PASS = 'benchmark passphrase'
const WARMUP_ROUNDS = 2
const ROUNDS = 15
const PARALLEL_AGENT = 25
const PARALLEL_DIRECT = 5

/** The built CLI; the bench needs `npm run build` first. */
export const CLI_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'out',
  'main',
  'cli.js',
)

// Forks and execs argv[1:], waits with wait4, and prints the wall time and the child's peak RSS
// (ru_maxrss, KiB on Linux): Node cannot give a child's rusage.
const MEASURE_PY = `
import json, os, sys, time
argv = sys.argv[1:]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
code = os.waitstatus_to_exitcode(status)
print(json.dumps({"code": code, "wall_ms": wall * 1000, "maxrss_kib": ru.ru_maxrss}), file=sys.stderr)
`

/** A benchmark stops at the first step that failed, with that step's message. */
function must(r: Run, what: string): Run {
  if (r.code !== 0) {
    throw new Error(`${what} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 400)}`)
  }
  return r
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-bench-agent-'))
}

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Runs a command to its end (asynchronously: the sandbox it talks to lives in this process). */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.once('error', reject)
    child.once('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }),
    )
    child.stdin.end(input ?? '')
  })
}

interface Measured {
  stdout: string
  wallMs: number
  rssMib: number
}

/** Runs `argv` under the Python helper: its stdout, wall time and peak RSS. */
async function measure(helper: string, argv: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  const r = await run('python3', [helper, ...argv], env)
  const lastLine = r.stderr.trim().split('\n').pop() ?? ''
  let m: { code: number; wall_ms: number; maxrss_kib: number }
  try {
    m = JSON.parse(lastLine) as typeof m
  } catch {
    throw new Error(`measure helper failed (${r.code}): ${r.stderr.trim().slice(0, 400)}`)
  }
  if (r.code !== 0 || m.code !== 0) {
    throw new Error(`${argv.slice(1).join(' ')} exited ${m.code}: ${r.stderr.trim().slice(0, 400)}`)
  }
  return { stdout: r.stdout.trim(), wallMs: m.wall_ms, rssMib: m.maxrss_kib / 1024 }
}

function summary(name: string, xs: Measured[]): Record<string, number> {
  const walls = xs.map((x) => x.wallMs)
  const rss = xs.map((x) => x.rssMib)
  return {
    [`${name}_wall_ms_median`]: round(median(walls), 1),
    [`${name}_wall_ms_max`]: round(Math.max(...walls), 1),
    [`${name}_peak_rss_mib_median`]: round(median(rss), 1),
    [`${name}_peak_rss_mib_max`]: round(Math.max(...rss), 1),
  }
}

export async function agentBench(): Promise<Record<string, number>> {
  if (!fs.existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run npm run build first`)
  const root = tempDir()
  const home = path.join(root, 'home')
  const vault = path.join(root, 'vault')
  fs.mkdirSync(home)
  const helper = path.join(root, 'measure.py')
  fs.writeFileSync(helper, MEASURE_PY)
  // A clean environment: no XDG_RUNTIME_DIR, so the agent's socket goes under the vault folder.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    TOKENDECK_VAULT: vault,
  }
  const withPass = { ...env, TOKENDECK_PASSPHRASE: PASS }
  const direct = { ...withPass, TOKENDECK_AGENT: 'off' }
  const node = process.execPath
  const cli = (...args: string[]) => [node, CLI_PATH, ...args]

  const sandbox = await startSandbox()
  let agentPid: number | undefined
  try {
    must(await run(node, [CLI_PATH, 'init'], withPass), 'tokendeck init')
    const dev = DEMO_USERS.tpstreams[0]!
    const ops = DEMO_USERS.tpstreams[1]!
    const addAccount = async (label: string, user: typeof dev, org: string) => {
      const args = ['accounts', 'add', '--provider', 'tpstreams']
      args.push('--base-url', sandbox.tpstreams.baseUrl, '--label', label)
      // --no-verify: no login at add time, so the accounts start without a token.
      args.push('--username', user.username, '--org', org, '--remember', '--no-verify')
      args.push('--secret-stdin')
      must(await run(node, [CLI_PATH, ...args], withPass, `${user.secret}\n`), `add ${label}`)
    }
    await addAccount('acme', dev, 'acme')
    // The second account, in its own organization, gets no token before the parallel test.
    await addAccount('globex', ops, 'globex')

    const started = must(
      await run(node, [CLI_PATH, 'agent', 'start', '--json', '--idle-timeout', '10'], withPass),
      'tokendeck agent start',
    )
    const info = JSON.parse(started.stdout) as { endpoint: string; pid: number }
    agentPid = info.pid
    if (!info.endpoint.startsWith(vault + path.sep)) {
      throw new Error(`agent socket ${info.endpoint} is not under the vault folder ${vault}`)
    }

    // 1. A, D, N alternating; the warm-up rounds mint the token (through the agent) and are
    // left out of the numbers.
    const results = { agent: [] as Measured[], direct: [] as Measured[], node: [] as Measured[] }
    let headerLine: string | undefined
    for (let i = 0; i < WARMUP_ROUNDS + ROUNDS; i++) {
      const a = await measure(helper, cli('header', 'acme'), env)
      const d = await measure(helper, cli('header', 'acme'), direct)
      const n = await measure(helper, [node, '-e', '0'], env)
      if (!a.stdout.startsWith('Authorization: ') || a.stdout !== d.stdout) {
        throw new Error(`agent and direct headers differ in round ${i}`)
      }
      headerLine ??= a.stdout
      if (a.stdout !== headerLine) throw new Error(`the header changed in round ${i}`)
      if (i < WARMUP_ROUNDS) continue
      results.agent.push(a)
      results.direct.push(d)
      results.node.push(n)
    }
    const agentStats = summary('agent_header', results.agent)
    const directStats = summary('direct_header', results.direct)
    const nodeStats = summary('node_e0', results.node)
    const ratio = (a: number, b: number) => round(a / b, 2)

    // 2. Single flight across processes: 25 through the agent and 5 direct, started together.
    const before = sandbox.tpstreams.stats.loginRequests
    const calls = [
      ...Array.from({ length: PARALLEL_AGENT }, () =>
        run(node, [CLI_PATH, 'header', 'globex'], env),
      ),
      ...Array.from({ length: PARALLEL_DIRECT }, () =>
        run(node, [CLI_PATH, 'header', 'globex'], direct),
      ),
    ]
    const parallel = await Promise.all(calls)
    const logins = sandbox.tpstreams.stats.loginRequests - before
    const failed = parallel.filter((r) => r.code !== 0)
    const headers = new Set(parallel.map((r) => r.stdout.trim()))
    const sameHeader = failed.length === 0 && headers.size === 1
    if (failed.length > 0) {
      console.error(`agent bench: ${failed.length} parallel header calls failed:`)
      for (const r of failed.slice(0, 3)) console.error(`  exit ${r.code}: ${r.stderr.trim()}`)
    }

    return {
      rounds: ROUNDS,
      ...agentStats,
      ...directStats,
      ...nodeStats,
      agent_over_node_wall_ratio: ratio(
        agentStats.agent_header_wall_ms_median!,
        nodeStats.node_e0_wall_ms_median!,
      ),
      direct_over_node_wall_ratio: ratio(
        directStats.direct_header_wall_ms_median!,
        nodeStats.node_e0_wall_ms_median!,
      ),
      agent_over_node_peak_rss_ratio: ratio(
        agentStats.agent_header_peak_rss_mib_median!,
        nodeStats.node_e0_peak_rss_mib_median!,
      ),
      direct_over_node_peak_rss_ratio: ratio(
        directStats.direct_header_peak_rss_mib_median!,
        nodeStats.node_e0_peak_rss_mib_median!,
      ),
      parallel_25_agent_5_direct_logins: logins,
      parallel_25_agent_5_direct_failed: failed.length,
      parallel_25_agent_5_direct_distinct_headers: headers.size,
      parallel_25_agent_5_direct_same_header: sameHeader ? 1 : 0,
    }
  } finally {
    const stopped = await run(node, [CLI_PATH, 'agent', 'stop'], env).catch(() => null)
    if (stopped?.code !== 0 && agentPid !== undefined) {
      try {
        process.kill(agentPid, 'SIGTERM')
      } catch {
        // already gone
      }
    }
    await sandbox.close()
    fs.rmSync(root, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  agentBench().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e)
      process.exit(1)
    },
  )
}
