// The vault's layers import one way, storage <- ledger <- vault (orchestration), and there is no
// import circle among the real files of src/main/vault (every relative import, type-only included).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(__dirname, '../../src/main/vault')

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) return filesUnder(p)
    return e.name.endsWith('.ts') ? [p] : []
  })
}

/** The files under `root` that `file` imports (relative specifiers, resolved to real files). */
function importsOf(file: string, root: string): string[] {
  const text = fs.readFileSync(file, 'utf8')
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1])
  return specs.flatMap((s = '') => {
    const base = path.resolve(path.dirname(file), s)
    const hit = [`${base}.ts`, path.join(base, 'index.ts')].find((p) => fs.existsSync(p))
    return hit && hit.startsWith(root + path.sep) ? [hit] : []
  })
}

/** One import circle under `root` if there is any: its files, the first repeated at the end. */
function findCycle(root: string): string[] | null {
  const files = filesUnder(root).sort()
  const graph = new Map(files.map((f) => [f, importsOf(f, root)]))
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (f: string): string[] | null => {
    if (state.get(f) === 'done') return null
    if (state.get(f) === 'open') return [...stack.slice(stack.indexOf(f)), f]
    state.set(f, 'open')
    stack.push(f)
    for (const g of graph.get(f) ?? []) {
      const c = visit(g)
      if (c) return c
    }
    stack.pop()
    state.set(f, 'done')
    return null
  }
  for (const f of files) {
    const c = visit(f)
    if (c) return c
  }
  return null
}

const rel = (f: string) => path.relative(ROOT, f)
const layer = (f: string) => rel(f).split(path.sep)[0]

describe('the vault layers', () => {
  it('have no import circle among the real files', () => {
    expect(filesUnder(ROOT).length).toBeGreaterThan(20)
    expect(findCycle(ROOT)?.map(rel) ?? null).toBeNull()
  })

  it('would be caught: the walker finds a circle made of a type-only import', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-cycle-'))
    try {
      fs.mkdirSync(path.join(dir, 'ledger'))
      fs.writeFileSync(
        path.join(dir, 'a.ts'),
        "import { b } from './ledger/b'\nexport const a = b\n",
      )
      fs.writeFileSync(
        path.join(dir, 'ledger', 'b.ts'),
        "import type { A } from '../a'\nexport const b = 1\n",
      )
      const cycle = findCycle(fs.realpathSync(dir))
      expect(cycle?.map((f) => path.basename(f))).toEqual(['a.ts', 'b.ts', 'a.ts'])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('import one way: storage imports neither the ledger nor the vault, the ledger not the vault', () => {
    const wrong = filesUnder(ROOT).flatMap((f) =>
      importsOf(f, ROOT)
        .filter((g) => {
          if (layer(f) === 'storage') return layer(g) !== 'storage'
          if (layer(f) === 'ledger') return layer(g) !== 'storage' && layer(g) !== 'ledger'
          return false
        })
        .map((g) => `${rel(f)} -> ${rel(g)}`),
    )
    expect(wrong).toEqual([])
  })
})
