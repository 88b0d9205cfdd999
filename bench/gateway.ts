// Gateway benchmarks (issue 12), side by side in one run: the same requests sent directly to a
// local upstream (with the token) and through `tokendeck gateway` (which adds it). Real parts:
// the TPStreams sandbox as the upstream (`tokendeck sandbox`, its own process), the gateway as
// the built CLI in its own process over a real vault, and this process as the only client.
// Measured: added latency p50/p99 (sequential requests, alternating), throughput at concurrency
// 50 (alternating rounds), and the gateway's resident memory while 100 MB streams up through it
// and 100 MB streams down.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { DEMO_USERS } from '../src/main/sandbox'
import { CLI_PATH } from './agent'
import { median, percentile, round } from './stats'

const PASS = 'benchmark passphrase'
const LATENCY_REQUESTS = Number(process.env.LAT ?? 1500)
const THROUGHPUT_REQUESTS = Number(process.env.TPUT ?? 4000)
const THROUGHPUT_ROUNDS = 3
const CONCURRENCY = 50
const STREAM_BYTES = Number(process.env.MB ?? 100) * 1024 * 1024

/** Runs the CLI to completion; throws with its stderr when it fails. */
export function cli(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { env })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${args[0]}: ${err.trim()}`)),
    )
    child.stdin.end(input)
  })
}

/** Starts a long-running CLI command and resolves with its first JSON document on stdout. */
export function serve<T>(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; info: T }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args, '--json'], { env })
    child.stdin.end()
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      try {
        resolve({ child, info: JSON.parse(out) as T })
      } catch {
        // not complete yet
      }
    })
    child.on('exit', (code) => reject(new Error(`${args[0]} exited ${code}`)))
  })
}

interface Target {
  url: string
  headers: Record<string, string>
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })

function get(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
  })
}

/** Resident memory of a process, from /proc (Linux); null elsewhere. */
function rssMiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : null
  } catch {
    return null
  }
}

/** The parts every gateway bench runs against: sandbox, vault with one account, the gateway. */
export interface GatewayRig {
  /** The TPStreams sandbox's origin (the upstream). */
  upstream: string
  /** A valid token of the account, for requests sent without the gateway. */
  token: string
  /** The gateway's origin and its access token. */
  gateway: { origin: string; accessToken: string; pid: number }
  close(): void
}

/** The TPStreams sandbox, a vault with account "bench" (org acme) and `tokendeck gateway`. */
export async function startRig(): Promise<GatewayRig> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-bench-gw-'))
  const dir = path.join(home, 'vault')
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    TOKENDECK_VAULT: dir,
    TOKENDECK_PASSPHRASE: PASS,
    TOKENDECK_AGENT: 'off',
  }
  const children: ChildProcess[] = []
  const close = () => {
    for (const c of children) c.kill('SIGTERM')
    fs.rmSync(home, { recursive: true, force: true })
  }
  try {
    const sandbox = await serve<{ tpstreams: string }>(['sandbox'], env)
    children.push(sandbox.child)
    const tp = DEMO_USERS.tpstreams[0]!
    await cli(['init'], env)
    await cli(
      ['accounts', 'add', '--provider', 'tpstreams', '--base-url', sandbox.info.tpstreams]
        .concat(['--label', 'bench', '--username', tp.username, '--org', 'acme'])
        .concat(['--remember', '--secret-stdin']),
      env,
      `${tp.secret}\n`,
    )
    const { token } = JSON.parse(await cli(['token', 'bench', '--json'], env)) as {
      token: string
    }
    const gw = await serve<{ origin: string; accessToken: string }>(['gateway'], env)
    children.push(gw.child)
    return {
      upstream: sandbox.info.tpstreams,
      token,
      gateway: { ...gw.info, pid: gw.child.pid! },
      close,
    }
  } catch (e) {
    close()
    throw e
  }
}

export async function gatewayBench(): Promise<Record<string, unknown>> {
  const rig = await startRig()
  try {
    const path1 = '/api/v1/acme/assets/'
    const direct: Target = {
      url: `${rig.upstream}${path1}`,
      headers: { authorization: `Token ${rig.token}` },
    }
    const through: Target = {
      url: `${rig.gateway.origin}/bench${path1}`,
      headers: { 'x-tokendeck-gateway': rig.gateway.accessToken },
    }
    for (const t of [direct, through]) {
      for (let i = 0; i < 200; i++) {
        if ((await get(t.url, t.headers)) !== 200)
          throw new Error(`warm-up got no 200 from ${t.url}`)
      }
    }

    // Latency: sequential, alternating one direct and one gateway request.
    const lat = { direct: [] as number[], gateway: [] as number[] }
    for (let i = 0; i < LATENCY_REQUESTS; i++) {
      for (const [name, t] of [
        ['direct', direct],
        ['gateway', through],
      ] as const) {
        const t0 = performance.now()
        await get(t.url, t.headers)
        lat[name].push(performance.now() - t0)
      }
    }
    const p = (xs: number[], q: number) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        q,
      )

    // Throughput: CONCURRENCY requests in flight, alternating rounds, against the upstream as
    // it is (answers in microseconds: the worst case for any proxy, which then does as much
    // HTTP work as client and server together) and answering after 10 ms, as a real API might.
    async function throughput(t: Target, n: number): Promise<number> {
      let next = 0
      let failed = 0
      const t0 = performance.now()
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < n) {
            next += 1
            if ((await get(t.url, t.headers)) !== 200) failed += 1
          }
        }),
      )
      if (failed > 0) throw new Error(`${failed} requests failed during the throughput run`)
      return n / ((performance.now() - t0) / 1000)
    }
    const slow = (t: Target): Target => ({
      url: t.url.replace(path1, '/api/v1/acme/echo/slow?delay_ms=10'),
      headers: t.headers,
    })
    const rps = { direct: [] as number[], gateway: [] as number[] }
    const rps10 = { direct: [] as number[], gateway: [] as number[] }
    for (let r = 0; r < THROUGHPUT_ROUNDS; r++) {
      rps.direct.push(await throughput(direct, THROUGHPUT_REQUESTS))
      rps.gateway.push(await throughput(through, THROUGHPUT_REQUESTS))
      rps10.direct.push(await throughput(slow(direct), THROUGHPUT_REQUESTS / 2))
      rps10.gateway.push(await throughput(slow(through), THROUGHPUT_REQUESTS / 2))
    }

    // Memory: 100 MB up through the gateway to the echo endpoint, then 100 MB down.
    const pid = rig.gateway.pid
    const before = rssMiB(pid)
    let peak = before ?? 0
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid) ?? 0)), 10)
    const upload = await new Promise<{ bytes: number; ms: number }>((resolve, reject) => {
      const t0 = performance.now()
      const req = http.request(
        `${rig.gateway.origin}/bench/api/v1/acme/echo/upload`,
        {
          method: 'POST',
          headers: { ...through.headers, 'content-length': STREAM_BYTES },
          agent: false,
        },
        (res) => {
          let text = ''
          res.on('data', (d: Buffer) => (text += d.toString()))
          res.on('end', () =>
            resolve({
              bytes: (JSON.parse(text) as { bytes: number }).bytes,
              ms: performance.now() - t0,
            }),
          )
        },
      )
      req.on('error', reject)
      const chunk = Buffer.alloc(256 * 1024, 7)
      let sent = 0
      const pump = () => {
        while (sent < STREAM_BYTES) {
          sent += chunk.length
          if (!req.write(chunk)) return void req.once('drain', pump)
        }
        req.end()
      }
      pump()
    })
    const peakUp = peak
    const download = await new Promise<{ bytes: number; ms: number }>((resolve, reject) => {
      const t0 = performance.now()
      http
        .get(
          `${rig.gateway.origin}/bench/api/v1/acme/bytes/${STREAM_BYTES}`,
          { headers: through.headers, agent: false },
          (res) => {
            let n = 0
            res.on('data', (d: Buffer) => (n += d.length))
            res.on('end', () => resolve({ bytes: n, ms: performance.now() - t0 }))
          },
        )
        .on('error', reject)
    })
    clearInterval(sampler)
    if (upload.bytes !== STREAM_BYTES || download.bytes !== STREAM_BYTES) {
      throw new Error('the 100 MB streams did not arrive whole')
    }
    const after = rssMiB(pid)

    return {
      requests: {
        latency: LATENCY_REQUESTS,
        throughput: THROUGHPUT_REQUESTS,
        concurrency: CONCURRENCY,
      },
      latencyMs: {
        direct: { p50: round(p(lat.direct, 50)), p99: round(p(lat.direct, 99)) },
        gateway: { p50: round(p(lat.gateway, 50)), p99: round(p(lat.gateway, 99)) },
        addedP50: round(p(lat.gateway, 50) - p(lat.direct, 50)),
        addedP99: round(p(lat.gateway, 99) - p(lat.direct, 99)),
      },
      throughputRps: {
        instantUpstream: {
          direct: rps.direct.map((x) => round(x, 0)),
          gateway: rps.gateway.map((x) => round(x, 0)),
          medianRatio: round(median(rps.gateway) / median(rps.direct)),
        },
        upstream10ms: {
          direct: rps10.direct.map((x) => round(x, 0)),
          gateway: rps10.gateway.map((x) => round(x, 0)),
          medianRatio: round(median(rps10.gateway) / median(rps10.direct)),
        },
        goalRatio: 0.8,
      },
      streaming100MB: {
        uploadMs: round(upload.ms, 0),
        downloadMs: round(download.ms, 0),
        gatewayRssMiB:
          before === null
            ? null
            : {
                before: round(before, 1),
                peak: round(peak, 1),
                peakAfterUpload: round(peakUp, 1),
                after: after === null ? null : round(after, 1),
                growth: round(peak - before, 1),
                goalGrowthBelow: 50,
              },
      },
    }
  } finally {
    rig.close()
    agent.destroy()
  }
}

// `npx tsx bench/gateway.ts` runs this one alone.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  gatewayBench().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e)
      process.exit(1)
    },
  )
}
