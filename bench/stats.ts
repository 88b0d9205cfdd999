// The few statistics the benchmarks print: percentiles of sorted samples, the median, rounding.
// One definition, so every bench reads "p99" and "median" the same way.

/** The value at percentile `p` of ascending `sorted` (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]!
}

/** The median (the lower middle one of an even count), of samples in any order. */
export function median(xs: readonly number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50,
  )
}

export const round = (n: number, digits = 3) => Number(n.toFixed(digits))
