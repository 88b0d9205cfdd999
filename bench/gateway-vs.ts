// The gateway against the proxies it should match (issue 22), side by side in one run:
// - nginx as a header-injecting reverse proxy (one worker, upstream keep-alive, access log on,
//   buffered), with the upstream answering after 10 ms, as a real API might;
// - a bare node:http + undici proxy (bench/bare-proxy.mjs), with the upstream answering at once.
// The load generator is wrk (Debian's), so the client does not share Node's costs; without wrk,
// Node's own client in this process (and the output says so); without nginx its rows say skipped. Contenders alternate, three rounds,
// 50 connections; the upstream is the TPStreams sandbox in its own process, the gateway the
// built CLI (`tokendeck gateway`) over a real vault, logging every request as it always does.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { freePort } from '../tests/helpers/free-port'
import { startRig } from './gateway'
import { median, round } from './stats'

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const SECONDS = Number(process.env.SECONDS_PER_RUN ?? 5)
const CONNECTIONS = 50

function which(cmd: string): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin']) {
    const p = path.join(dir, cmd)
    try {
      fs.accessSync(p, fs.constants.X_OK)
      return p
    } catch {
      // not here
    }
  }
  return null
}

export interface WrkRun {
  rps: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  errors: number
}

/** "10.5ms", "830.00us", "1.20s" -> milliseconds. */
function ms(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text)
  if (!m) throw new Error(`wrk printed an unknown duration: ${text}`)
  const n = Number(m[1])
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000
}

/** Parses wrk --latency output. */
export function parseWrk(out: string): WrkRun {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)
  const lat = /Latency\s+(\S+)\s+(\S+)\s+(\S+)/.exec(out)
  const p50 = /\s50%\s+(\S+)/.exec(out)
  const p99 = /\s99%\s+(\S+)/.exec(out)
  if (!rps || !lat || !p50 || !p99) throw new Error(`wrk printed no figures:\n${out}`)
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)
  const sockets = /Socket errors:.*?connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const errors =
    Number(non2xx?.[1] ?? 0) + (sockets ? sockets.slice(1).reduce((a, b) => a + Number(b), 0) : 0)
  return {
    rps: Number(rps[1]),
    p50Ms: ms(p50[1]!),
    p99Ms: ms(p99[1]!),
    maxMs: ms(lat[3]!),
    errors,
  }
}

/** One run: wrk when installed, else Node's own client in this process (said in the output). */
type Load = (url: string, headers: Record<string, string>) => Promise<WrkRun>

function wrk(bin: string, url: string, headers: Record<string, string>): WrkRun {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', '--timeout', '10s']
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`)
  return parseWrk(execFileSync(bin, [...args, url], { encoding: 'utf8' }))
}

/** The fallback: CONNECTIONS keep-alive loops for SECONDS, with node:http. */
async function nodeLoad(url: string, headers: Record<string, string>): Promise<WrkRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS })
  const latencies: number[] = []
  let errors = 0
  const until = performance.now() + SECONDS * 1000
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now()
      http
        .get(url, { headers, agent }, (res) => {
          res.resume()
          res.on('end', () => {
            if ((res.statusCode ?? 0) >= 400) errors++
            latencies.push(performance.now() - t0)
            resolve()
          })
        })
        .on('error', () => {
          errors++
          resolve()
        })
    })
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) await one()
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!
  return {
    rps: latencies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies.at(-1)!,
    errors,
  }
}

function waitForPort(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10_000
    const attempt = () => {
      const c = net.connect(port, '127.0.0.1')
      c.once('connect', () => {
        c.destroy()
        resolve()
      })
      c.once('error', () =>
        Date.now() > deadline ? reject(new Error('nginx did not start')) : setTimeout(attempt, 50),
      )
    }
    attempt()
  })
}

/** nginx, one worker, adding the same header the gateway adds. */
async function startNginx(
  bin: string,
  dir: string,
  upstream: string,
  authorization: string,
): Promise<{ origin: string; child: ChildProcess }> {
  const port = await freePort()
  const up = new URL(upstream)
  const conf = path.join(dir, 'nginx.conf')
  fs.writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
${process.getuid?.() === 0 ? 'user root;' : ''}
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log ${dir}/access.log combined buffer=64k flush=1s;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream api { server ${up.host}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "${authorization}";
    }
  }
}
`,
    { mode: 0o600 },
  )
  const child = spawn(bin, ['-c', conf, '-p', dir, '-e', `${dir}/error.log`], { stdio: 'ignore' })
  await waitForPort(port)
  return { origin: `http://127.0.0.1:${port}`, child }
}

function startBare(
  upstream: string,
  authorization: string,
): Promise<{ origin: string; child: ChildProcess }> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bare-proxy.mjs')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, upstream, authorization], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    child.stdout!.once('data', (d: Buffer) =>
      resolve({ child, ...(JSON.parse(d.toString()) as { origin: string }) }),
    )
    child.once('exit', (code) => reject(new Error(`the bare proxy exited ${code}`)))
  })
}

export async function gatewayVsBench(): Promise<Record<string, unknown>> {
  const wrkBin = which('wrk')
  const nginxBin = which('nginx')
  const load: Load = wrkBin
    ? (url, headers) => Promise.resolve(wrk(wrkBin, url, headers))
    : nodeLoad
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-bench-vs-'))
  fs.chmodSync(dir, 0o755)
  const rig = await startRig()
  const children: ChildProcess[] = []
  try {
    const authorization = `Token ${rig.token}`
    const bare = await startBare(rig.upstream, authorization)
    children.push(bare.child)
    const nginx = nginxBin ? await startNginx(nginxBin, dir, rig.upstream, authorization) : null
    if (nginx) children.push(nginx.child)
    const api = '/api/v1/acme'
    const gwHeaders = { 'x-tokendeck-gateway': rig.gateway.accessToken }
    const contenders = {
      gateway: { origin: `${rig.gateway.origin}/bench`, headers: gwHeaders },
      bare: { origin: bare.origin, headers: {} },
      ...(nginx ? { nginx: { origin: nginx.origin, headers: {} } } : {}),
    }
    const scenarios = {
      upstream10ms: `${api}/echo/slow?delay_ms=10`,
      instantUpstream: `${api}/assets/`,
    }
    type Runs = Record<string, Record<string, WrkRun[]>>
    const runs: Runs = {}
    for (const [scenario, rest] of Object.entries(scenarios)) {
      runs[scenario] = {}
      for (const [name, c] of Object.entries(contenders)) {
        runs[scenario]![name] = []
        await load(`${c.origin}${rest}`, c.headers) // warm-up, not counted
      }
      for (let r = 0; r < ROUNDS; r++) {
        for (const [name, c] of Object.entries(contenders)) {
          const run = await load(`${c.origin}${rest}`, c.headers)
          if (run.errors > 0)
            throw new Error(`${name}: ${run.errors} failed requests in ${scenario}`)
          runs[scenario]![name]!.push(run)
        }
      }
    }
    const summary = (xs: WrkRun[]) => ({
      rps: xs.map((x) => round(x.rps, 0)),
      p50Ms: xs.map((x) => round(x.p50Ms, 2)),
      p99Ms: xs.map((x) => round(x.p99Ms, 2)),
      maxMs: xs.map((x) => round(x.maxMs, 1)),
    })
    const ratio = (scenario: string, a: string, b: string) => {
      const xs = runs[scenario]![a]!
      const ys = runs[scenario]![b]!
      return round(median(xs.map((x, i) => x.rps / ys[i]!.rps)))
    }
    const out: Record<string, unknown> = {
      loadGenerator: wrkBin
        ? 'wrk'
        : 'node:http in the bench process (wrk is not installed; Debian: apt-get install wrk)',
      connections: CONNECTIONS,
      secondsPerRun: SECONDS,
      rounds: ROUNDS,
      runs: Object.fromEntries(
        Object.entries(runs).map(([s, byName]) => [
          s,
          Object.fromEntries(Object.entries(byName).map(([n, xs]) => [n, summary(xs)])),
        ]),
      ),
      gatewayOverBare: {
        instantUpstream: ratio('instantUpstream', 'gateway', 'bare'),
        upstream10ms: ratio('upstream10ms', 'gateway', 'bare'),
        goal: 0.9,
      },
    }
    if (nginx) {
      const gw = runs.upstream10ms!.gateway!
      const ng = runs.upstream10ms!.nginx!
      out.gatewayOverNginx = {
        upstream10ms: ratio('upstream10ms', 'gateway', 'nginx'),
        instantUpstream: ratio('instantUpstream', 'gateway', 'nginx'),
        goal: 0.9,
      }
      out.p99Upstream10ms = {
        gateway: round(median(gw.map((x) => x.p99Ms)), 2),
        nginx: round(median(ng.map((x) => x.p99Ms)), 2),
        ratio: round(median(gw.map((x, i) => x.p99Ms / ng[i]!.p99Ms))),
        goal: 3,
      }
      // A stall: the slowest request beyond the upstream's own 10 ms.
      out.worstStallMs = {
        gateway: round(Math.max(...gw.map((x) => x.maxMs)) - 10, 1),
        nginx: round(Math.max(...ng.map((x) => x.maxMs)) - 10, 1),
        goalBelow: 50,
      }
    } else {
      out.gatewayOverNginx = { skipped: 'nginx is not installed (Debian: apt-get install nginx)' }
    }
    return out
  } finally {
    for (const c of children) c.kill('SIGTERM')
    rig.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// `npx tsx bench/gateway-vs.ts` runs this one alone.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  gatewayVsBench().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e)
      process.exit(1)
    },
  )
}
