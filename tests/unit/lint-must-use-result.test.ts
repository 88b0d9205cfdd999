// The lint rule tokendeck/must-use-result (eslint-rules/must-use-result.js): a call whose (awaited)
// value is a Result cannot be dropped, whether as a statement, awaited, or discarded with `void`;
// using the value in any way is fine, and a Promise of something else is not this rule's business.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { RuleTester } from 'eslint'
import tseslint from 'typescript-eslint'
import { describe, it } from 'vitest'
import rule from '../../eslint-rules/must-use-result.js'

RuleTester.describe = describe
RuleTester.it = it
RuleTester.itOnly = it.only

const fixture = fileURLToPath(new URL('../fixtures/must-use-result', import.meta.url))
const filename = path.join(fixture, 'file.ts')

const tester = new RuleTester({
  languageOptions: {
    parser: tseslint.parser,
    // The project service opens each case's code as the file's content. With `project`, CI=true
    // makes typescript-eslint infer a single run and reuse the first case's program for this
    // file name, so later cases were checked against the wrong code (red in CI only).
    parserOptions: { projectService: true, tsconfigRootDir: fixture },
  },
})

// The same shape as src/shared/result.ts, plus calls of every kind.
const prelude = `
interface Failure { ok: false; code: string; message: string }
interface Success<T> { ok: true; value: T }
type Result<T> = Success<T> | Failure
declare function write(): Result<void>
declare function writeAsync(): Promise<Result<number>>
declare function maybe(): Result<void> | undefined
declare function always(): Success<number>
declare function plain(): Promise<number>
declare function flag(): { ok: boolean }
declare function use(value: unknown): void
declare const cond: boolean
class Store {
  save(): Result<void> { return { ok: true, value: undefined } }
  async load(): Promise<Result<string>> { return { ok: true, value: '' } }
}
declare const store: Store
`

const valid = (code: string) => ({ name: code, code: prelude + code, filename })
const invalid = (code: string, ...names: string[]) => ({
  name: code,
  code: prelude + code,
  filename,
  errors: names.map((name) => ({ messageId: 'ignored', data: { name } })),
})

tester.run('tokendeck/must-use-result', rule, {
  valid: [
    valid('const r = write(); use(r)'),
    valid('const _ = write()'),
    valid('let r: unknown; r = write(); use(r)'),
    valid('function f() { return write() }'),
    valid('if (write().ok) use(1)'),
    valid('use(write())'),
    valid('const f = () => write(); use(f)'),
    valid('async function g() { const r = await writeAsync(); return r.ok }'),
    valid('async function g() { return await store.load() }'),
    valid('writeAsync().then((r) => { if (!r.ok) use(r.message) }, () => {})'),
    // A Promise of something that is not a Result: no-floating-promises' business, not this rule's.
    valid('async function g() { await plain() }'),
    valid('void plain()'),
    // Cannot fail (no `ok: false` member), or `ok` is a plain boolean: not a Result.
    valid('always()'),
    valid('flag()'),
  ],
  invalid: [
    invalid('write()', 'write'),
    invalid('async function g() { await writeAsync() }', 'writeAsync'),
    invalid('void write()', 'write'),
    invalid('async function g() { void (await writeAsync()) }', 'writeAsync'),
    invalid('store.save()', 'store.save'),
    invalid('store?.save()', 'store?.save'),
    invalid('async function g() { await store.load() }', 'store.load'),
    invalid('writeAsync()', 'writeAsync'),
    invalid('writeAsync().catch(() => undefined)', 'writeAsync().catch'),
    invalid('const h = () => { write() }; use(h)', 'write'),
    invalid('maybe()', 'maybe'),
    invalid('cond && write()', 'write'),
    invalid('cond ? write() : store.save()', 'write', 'store.save'),
    // The project's own type, imported from src/shared/result.ts.
    invalid(
      `import type { Result as R } from '../../../src/shared/result'
       declare function real(): Promise<R<string>>
       async function g() { await real() }`,
      'real',
    ),
  ],
})
