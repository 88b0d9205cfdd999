// Masking benchmarks (issue 18, item 10): how fast `tokendeck run`'s Masker lets a child's output
// through (MB/s) on log lines and on base64-heavy output, in 64 KiB chunks as a pipe delivers
// them, beside a plain copy of the same chunks; and redact() on a 64 KiB server error body. Run
// alone with `npx tsx bench/masking.ts`; prints JSON.
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { Masker } from '../src/main/cli/mask'
import { redact } from '../src/shared/redact'

const CHUNK = 64 * 1024
const round = (n: number, digits = 1) => Number(n.toFixed(digits))

function chunks(data: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < data.length; i += CHUNK) out.push(data.subarray(i, i + CHUNK))
  return out
}

/** MB/s of `pass` over the chunks, best of three. */
function throughput(parts: Buffer[], pass: (c: Buffer[]) => number): number {
  const bytes = parts.reduce((n, c) => n + c.length, 0)
  let best = Infinity
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now()
    pass(parts)
    best = Math.min(best, performance.now() - t0)
  }
  return bytes / 1e6 / (best / 1000)
}

function masked(secrets: string[]) {
  return (parts: Buffer[]) => {
    const m = new Masker(secrets)
    let n = 0
    for (const c of parts) n += m.write(c).length
    return n + m.end().length
  }
}

const copied = (parts: Buffer[]) => {
  let n = 0
  for (const c of parts) n += Buffer.from(c).length
  return n
}

export async function maskingBench(): Promise<Record<string, unknown>> {
  const token = randomBytes(20).toString('hex')
  const jwt = `eyJhbGciOiJIUzI1NiJ9.${randomBytes(200).toString('base64url')}.${randomBytes(32).toString('base64url')}`
  const logs = Buffer.from(
    Array.from(
      { length: 200_000 },
      (_, i) => `[${i}] INFO build step ${i % 97} done in ${i % 1000} ms (cache hit)\n`,
    ).join(''),
  )
  const blobs = Buffer.from(randomBytes(12 << 20).toString('base64'))
  const result: Record<string, unknown> = { chunkBytes: CHUNK }
  for (const [name, data] of [
    ['logs', logs],
    ['base64', blobs],
  ] as const) {
    const parts = chunks(data)
    const copy = throughput(parts, copied)
    const hex = throughput(parts, masked([token, `Token ${token}`]))
    const long = throughput(parts, masked([jwt, `Bearer ${jwt}`]))
    result[name] = {
      megabytes: round(data.length / 1e6),
      copyMBps: round(copy),
      maskedHexTokenMBps: round(hex),
      maskedJwtMBps: round(long),
      ratioHexToCopy: round(hex / copy, 3),
    }
  }
  const body = JSON.stringify({
    detail: `Invalid request: ${'x'.repeat(60_000)} password=${token.slice(5, 25)}`,
  })
  const t0 = performance.now()
  const runs = 20
  for (let i = 0; i < runs; i++) redact(body, [token, 'a password of 24 chars!!'])
  result.redact64KiBms = round((performance.now() - t0) / runs, 2)
  return result
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  maskingBench().then(
    (r) => console.log(JSON.stringify({ node: process.versions.node, masking: r }, null, 2)),
    (e: unknown) => {
      console.error(e)
      process.exit(1)
    },
  )
}
