// Every class name a renderer component uses is defined: a CSS-module class it reads exists in
// that module, and a plain class-name string is one of the few global ones in styles/base.css.
// (CSS modules give an unknown name `undefined`, and an old global name silently matches nothing.)
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = path.resolve(import.meta.dirname, '../../src/renderer/src')
const COMPONENTS = path.join(SRC, 'components')

function classesOf(cssFile: string): Set<string> {
  const css = fs.readFileSync(cssFile, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '')
  return new Set([...css.matchAll(/\.(-?[_a-zA-Z][\w-]*)/g)].map((m) => m[1]!))
}

const components = fs
  .readdirSync(COMPONENTS)
  .filter((f) => f.endsWith('.tsx'))
  .map((f) => ({ file: f, text: fs.readFileSync(path.join(COMPONENTS, f), 'utf8') }))
const globals = classesOf(path.join(SRC, 'styles/base.css'))

describe('renderer class names', () => {
  it('reads only classes its CSS modules define', () => {
    const missing: string[] = []
    let checked = 0
    for (const { file, text } of components) {
      for (const m of text.matchAll(/^import (\w+) from '(\.[^']+\.module\.css)'$/gm)) {
        const [, name, from] = m
        const defined = classesOf(path.resolve(COMPONENTS, from!))
        const code = text.replace(/^import .*$/gm, '')
        const used = [
          ...[...code.matchAll(new RegExp(`\\b${name}\\.(\\w+)`, 'g'))].map((u) => u[1]!),
          ...[...code.matchAll(new RegExp(`\\b${name}\\['([\\w-]+)'\\]`, 'g'))].map((u) => u[1]!),
        ]
        for (const c of used) {
          checked++
          if (!defined.has(c)) missing.push(`${file}: ${name}.${c} (${from})`)
        }
      }
    }
    expect(checked).toBeGreaterThan(100)
    expect(missing).toEqual([])
  })

  it('uses plain class-name strings only for the global utilities in styles/base.css', () => {
    const unknown: string[] = []
    for (const { file, text } of components) {
      const literals = [
        ...[...text.matchAll(/className="([^"]*)"/g)].map((m) => m[1]!),
        ...[...text.matchAll(/\bcx\(([^)]*)\)/g)].flatMap((m) =>
          [...m[1]!.matchAll(/(?:^|,|&&|\s\?|\s:)\s*'([^']*)'/g)].map((s) => s[1]!),
        ),
      ]
      for (const c of literals.flatMap((l) => l.split(/\s+/)).filter(Boolean)) {
        if (!globals.has(c)) unknown.push(`${file}: "${c}"`)
      }
    }
    expect(globals).toEqual(new Set(['sr-only', 'muted', 'small', 'block', 'nowrap']))
    expect(unknown).toEqual([])
  })
})
