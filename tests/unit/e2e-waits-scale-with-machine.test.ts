// The e2e suite's waits scale with the machine (tests/e2e/machine-scale.ts): a loaded or slower
// machine gets proportionally longer waits, a fast one never shorter than the base, a factor set by
// hand wins, and Playwright's workers use the factor the runner measured.
import { describe, expect, it } from 'vitest'
import {
  SCALE_ENV,
  factorFor,
  machineScale,
  measureMachine,
  parseScaleEnv,
} from '../e2e/machine-scale'

const REFERENCE = { cores: 2, load1: 0, calibrationMs: 16.5 }

describe('the e2e wait factor', () => {
  it.each([
    ['the idle 2-core reference machine', REFERENCE, 1],
    ['two busy processes on it (load 2)', { ...REFERENCE, load1: 2 }, 2],
    ['its CPU shared three ways at calibration', { ...REFERENCE, calibrationMs: 24.8 }, 1.5],
    ['a CPU half as fast', { ...REFERENCE, calibrationMs: 33 }, 2],
    ['one core', { ...REFERENCE, cores: 1 }, 2],
    [
      'a fast idle 16-core machine: never below the base',
      { cores: 16, load1: 0.5, calibrationMs: 8 },
      1,
    ],
    ['a machine far too busy: capped', { cores: 2, load1: 40, calibrationMs: 16.5 }, 8],
  ])('%s: ×%d', (_name, facts, factor) => {
    expect(factorFor(facts)).toBe(factor)
  })

  it('a factor set by hand wins, and must be a positive number', () => {
    expect(machineScale({ [SCALE_ENV]: '3' })).toEqual({ factor: 3, source: 'env' })
    expect(parseScaleEnv(' 1.5 ')).toBe(1.5)
    for (const bad of ['', 'fast', '0', '-2', 'Infinity', '1e9']) {
      expect(() => parseScaleEnv(bad), bad).toThrow(SCALE_ENV)
    }
  })

  it('is measured once per run: the workers inherit the runner’s measurement', () => {
    const env: NodeJS.ProcessEnv = {}
    const first = machineScale(env)
    expect(first.source).toBe('measured')
    expect(first.factor).toBeGreaterThanOrEqual(1)
    expect(first.facts!.cores).toBeGreaterThanOrEqual(1)
    // A worker starts with the runner's environment: the same scale, not a new measurement.
    expect(machineScale({ ...env })).toEqual(first)
  })

  it('measures something real', () => {
    const f = measureMachine()
    expect(f.calibrationMs).toBeGreaterThan(0)
    expect(Number.isFinite(f.load1)).toBe(true)
  })
})
