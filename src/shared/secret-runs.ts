// Runs of a secret: where 12 or more of its characters in a row (or of its hex or base64) are in a
// text, found without comparing every window: the part of secret-forms.ts that has to be fast,
// since a child's whole output goes through it.
/** A run of this many characters of a secret (or as many bytes of it, hex or base64) is masked. */
export const RUN = 12

/** Runs of one kind: every window of `length` units of the sources, read through `norm`. */
export interface RunKind {
  length: number
  norm: (text: string) => string
  sources: string[]
  windows: Set<string>
  /** A hash of every `probe`-unit piece of the sources: a window holds one every `step` units. */
  probes: Set<number>
  probe: number
  /** Which units occur in the sources (by code): a window with any other is none. */
  units: Uint8Array
}

/** A hash of `t`'s `n` units from `at` (FNV-1a): a probe is looked up without cutting a string. */
function hashAt(t: string, at: number, n: number): number {
  let h = 0x811c9dc5
  for (let i = at; i < at + n; i++) h = Math.imul(h ^ t.charCodeAt(i), 0x01000193)
  return h >>> 0
}

export function runKind(length: number, norm: (t: string) => string, sources: string[]): RunKind {
  // Short probes: few reads per unit of text, and still few false hits (64^4 pieces of base64).
  const probe = Math.max(4, Math.round(length / 4))
  const kind: RunKind = {
    length,
    norm,
    sources: [],
    windows: new Set(),
    probes: new Set(),
    probe,
    units: new Uint8Array(0x10000),
  }
  for (const s of sources) {
    if (s.length < length) continue
    kind.sources.push(s)
    for (let i = 0; i < s.length; i++) kind.units[s.charCodeAt(i)] = 1
    for (let i = 0; i + length <= s.length; i++) kind.windows.add(s.slice(i, i + length))
    for (let i = 0; i + probe <= s.length; i++) kind.probes.add(hashAt(s, i, probe))
  }
  return kind
}

/**
 * Every window of `kind` in `text`, as spans. Every window holds a probe-sized piece that starts
 * at a multiple of `step`, so only those pieces are looked at: one with a unit no source has is
 * passed over up to that unit, one whose hash is not a source piece's is passed over, and only
 * where one is do the windows around it get compared.
 */
export function runSpans(kind: RunKind, text: string, out: [number, number][]): void {
  const { length, probe, windows, probes, units } = kind
  if (kind.sources.length === 0 || text.length < length) return
  const t = kind.norm(text)
  const step = length - probe + 1
  let checked = -1
  let p = 0
  while (p + probe <= t.length) {
    let bad = p + probe - 1
    while (bad >= p && units[t.charCodeAt(bad)] === 1) bad--
    if (bad >= p) {
      p = Math.ceil((bad + 1) / step) * step
      continue
    }
    if (probes.has(hashAt(t, p, probe))) {
      for (let w = Math.max(p + probe - length, checked + 1, 0); w <= p; w++) {
        if (w + length <= t.length && windows.has(t.slice(w, w + length))) {
          out.push([w, w + length])
        }
        checked = w
      }
    }
    p += step
  }
}

/**
 * What runs are looked for in: each secret, cut where another one is inside it ("Token abc..."
 * holds the token "abc...": its runs are the token's, and a run of "n abc..." would only mask
 * the space in front of every mask), pieces of at least RUN characters.
 */
export function runPieces(secrets: readonly string[]): string[] {
  const long = secrets.filter((s) => s.length >= RUN)
  return long.flatMap((s) =>
    long
      .filter((t) => t !== s && s.includes(t))
      .reduce((parts, t) => parts.flatMap((p) => p.split(t)), [s])
      .filter((p) => p.length >= RUN),
  )
}
