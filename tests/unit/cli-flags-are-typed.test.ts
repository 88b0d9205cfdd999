// A command's flags are read by name through typed readers (src/main/cli/ctx.ts): the names and
// their kinds come from the command table itself, so a misspelt flag, or a switch read as text,
// does not compile. The `@ts-expect-error` lines below are the proof: `npm run typecheck` (part
// of `npm test`) fails the moment one of them compiles. At run time, every flag the table
// declares is one the parser gives back under that name.
import { parseArgs } from 'node:util'
import { describe, expect, it } from 'vitest'
import { COMMANDS } from '../../src/main/cli/commands'
import { bool, list, str, type Ctx } from '../../src/main/cli/ctx'

const ctx: Ctx = { json: false, flags: { 'secret-stdin': true, org: 'acme' }, args: [], env: {} }

describe('flags are typed from the command table', () => {
  it('misspelt or mistyped flags do not compile; declared ones read their values', () => {
    // @ts-expect-error: no command has --secret-stdn
    expect(bool(ctx, 'secret-stdn')).toBe(false)
    // @ts-expect-error: --limit takes a value; it is no switch
    expect(bool(ctx, 'limit')).toBe(false)
    // @ts-expect-error: --force is a switch; it has no text
    expect(str(ctx, 'force')).toBeUndefined()
    // @ts-expect-error: flags are read through the readers, by declared names only
    expect(ctx.flags.claer).toBeUndefined()
    expect(bool(ctx, 'secret-stdin')).toBe(true)
    // --org is text for `accounts add` and a switch for `revoke`: both readers take it.
    expect(str(ctx, 'org')).toBe('acme')
    expect(bool(ctx, 'org')).toBe(false)
    expect(list(ctx, 'field')).toEqual([])
  })

  it("every declared flag parses under its own name, with its declared kind's value", () => {
    for (const c of COMMANDS) {
      for (const [name, o] of Object.entries(c.options)) {
        const args = o.type === 'boolean' ? [`--${name}`] : [`--${name}`, 'x']
        const { values } = parseArgs({ args, options: c.options, strict: true })
        const v = values[name]
        if (o.type === 'boolean') expect(v, `${c.name} --${name}`).toBe(true)
        else if (o.multiple) expect(v, `${c.name} --${name}`).toEqual(['x'])
        else expect(v, `${c.name} --${name}`).toBe('x')
      }
    }
  })
})
