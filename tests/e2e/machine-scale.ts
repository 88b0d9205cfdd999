// How long the e2e suite waits, scaled to the machine it runs on: the base waits (set on an idle
// 2-core machine) times a factor, from TOKENDECK_E2E_SCALE when set, otherwise measured once when
// Playwright loads its config: the CPU's speed now (a short calibration loop, which also feels
// any contention at that moment) and how busy the machine is (load average per core, counting the
// suite's own workers). The factor is never below 1: a fast machine keeps the base waits.
// playwright.config.ts applies it to all three waits; a spec that needs a wait of its own uses
// scaled(). Nothing here decides a test's outcome: waits only bound how long a check may retry.
import os from 'node:os'

/** The waits the suite was written against, on an idle 2-core machine. */
export const BASE_WAITS = { expect: 7_000, action: 10_000, test: 60_000 } as const
/** Tests that run at once (playwright.config.ts `workers`): part of the machine's load. */
export const E2E_WORKERS = 2

/** A factor set by hand: a positive number (e.g. 3 on a slow CI runner, 1 to turn scaling off). */
export const SCALE_ENV = 'TOKENDECK_E2E_SCALE'
/** The measured scale, kept in the environment so Playwright's workers use the runner's. */
const MEASURED_ENV = 'TOKENDECK_E2E_SCALE_MEASURED'

/** Iterations of the calibration loop, and how long it took on the reference machine (ms). */
const CALIBRATION_ROUNDS = 1e7
const CALIBRATION_REFERENCE_MS = 16.5
/** The factor is kept within these bounds (rounded to a tenth). */
const MIN_FACTOR = 1
const MAX_FACTOR = 8

export interface MachineFacts {
  cores: number
  /** One-minute load average (0 where the OS has none, e.g. Windows). */
  load1: number
  /** Median time of the calibration loop now, ms. */
  calibrationMs: number
}

export interface MachineScale {
  factor: number
  source: 'env' | 'measured'
  facts?: MachineFacts
}

/** The factor for these facts: the larger of "how much slower" and "how crowded", in bounds. */
export function factorFor(f: MachineFacts, workers = E2E_WORKERS): number {
  const slower = f.calibrationMs / CALIBRATION_REFERENCE_MS
  const crowded = (f.load1 + workers) / Math.max(1, f.cores)
  const raw = Math.max(slower, crowded)
  return Math.round(Math.min(MAX_FACTOR, Math.max(MIN_FACTOR, raw)) * 10) / 10
}

/** TOKENDECK_E2E_SCALE as a factor; a value that is not a positive number is an error. */
export function parseScaleEnv(raw: string): number {
  const n = Number(raw.trim())
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 100) {
    throw new Error(`${SCALE_ENV} must be a positive number such as 2 or 1.5, not "${raw}"`)
  }
  return n
}

/** A 32-bit xorshift run for `rounds` steps: never 0 from a seed that is not 0. */
function xorshift(rounds: number): number {
  let x = 2463534242
  for (let i = 0; i < rounds; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
  }
  return x
}

/** Measures this machine: about 0.2 s on the reference machine, longer where it is slower. */
export function measureMachine(): MachineFacts {
  // Warm up first, so the JIT has compiled the loop before it is timed.
  let results = xorshift(1e6) | xorshift(1e6)
  const times: number[] = []
  for (let i = 0; i < 9; i++) {
    const start = process.hrtime.bigint()
    results |= xorshift(CALIBRATION_ROUNDS)
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  // Using the results keeps the loop from being optimised away (and checks it ran).
  if (results === 0) throw new Error('the calibration loop did not run')
  times.sort((a, b) => a - b)
  return {
    cores: os.availableParallelism(),
    load1: os.loadavg()[0] ?? 0,
    calibrationMs: times[Math.floor(times.length / 2)]!,
  }
}

/** This run's scale: from the environment, else measured once per run (the runner's workers reuse it). */
export function machineScale(env: NodeJS.ProcessEnv = process.env): MachineScale {
  const set = env[SCALE_ENV]
  if (set !== undefined) return { factor: parseScaleEnv(set), source: 'env' }
  const kept = env[MEASURED_ENV]
  if (kept !== undefined) return JSON.parse(kept) as MachineScale
  const facts = measureMachine()
  const scale: MachineScale = { factor: factorFor(facts), source: 'measured', facts }
  env[MEASURED_ENV] = JSON.stringify(scale)
  return scale
}

/** A wait of `ms` on the reference machine, on this one. */
export function scaled(ms: number): number {
  return Math.round(ms * machineScale().factor)
}

/** The three waits playwright.config.ts sets. */
export function scaledWaits(): { expect: number; action: number; test: number } {
  return {
    expect: scaled(BASE_WAITS.expect),
    action: scaled(BASE_WAITS.action),
    test: scaled(BASE_WAITS.test),
  }
}

/** One line for the log: the factor and where it came from. */
export function describeScale(s: MachineScale = machineScale()): string {
  if (s.source === 'env') return `waits ×${s.factor} (${SCALE_ENV})`
  const f = s.facts!
  return (
    `waits ×${s.factor} (measured: ${f.cores} cores, load ${f.load1.toFixed(2)}, ` +
    `calibration ${f.calibrationMs.toFixed(1)} ms vs ${CALIBRATION_REFERENCE_MS} ms; ` +
    `set ${SCALE_ENV} to override)`
  )
}
