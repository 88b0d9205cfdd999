// A reference that does not parse is never left in what `tokendeck inject` writes (issue 19):
// any {{ … }} that mentions tokendeck: but is not exactly one tokendeck://LABEL/token|header, a
// {{ before one that nothing closes, a }} after one that nothing opens, is an error naming its
// line and column, before any token is asked for and before anything is written (the old inject
// wrote such a template as it was, exit 0). The template may come on stdin (no -i, or -i -);
// the passphrase then may not (refused, never mixed). An env file's mistyped reference is refused
// the same way. Real CLI processes, the sandbox, a real headless agent.
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseTemplate, type TemplatePiece } from '../../src/main/cli/token-refs'
import { cliVaultPerFile, runCli } from '../helpers/cli'
import { tempDir } from '../helpers/vault'

const shared = cliVaultPerFile()

const NO_PASS = { TOKENDECK_PASSPHRASE: undefined }

/** The problems a template's parse lists, or the output with every reference as `<L/kind>`. */
function render(text: string): string | string[] {
  const r = parseTemplate(text)
  if (!r.ok) return (r.details?.problems as string[]) ?? [r.message]
  return r.value
    .map((p: TemplatePiece) => ('text' in p ? p.text : `<${p.ref.label}/${p.ref.kind}>`))
    .join('')
}

describe('parseTemplate', () => {
  it('fills references; leaves other braces and a bare tokendeck:// alone', () => {
    expect(
      render(
        'a: "{{ tokendeck://acme/header }}"\nb: {{tokendeck://acme/token}}\n' +
          'c: {{ .Values.x }} {{- include "x" . }}\nd: tokendeck://acme/token\n',
      ),
    ).toBe(
      'a: "<acme/header>"\nb: <acme/token>\nc: {{ .Values.x }} {{- include "x" . }}\n' +
        'd: tokendeck://acme/token\n',
    )
    expect(render('{{ {{ tokendeck://a/token }} }}')).toBe('{{ <a/token> }}')
    expect(render('x\r\n  {{ tokendeck://a/token }}\r\n')).toBe('x\r\n  <a/token>\r\n')
    // White space around the reference may include line breaks.
    expect(render('{{\n  tokendeck://a/token\n}}')).toBe('<a/token>')
  })

  it('names the line and column of each reference that does not parse', () => {
    const cases: [string, RegExp][] = [
      ['{{ tokendeck://acme/secret }}', /^line 1, column 1: "secret" is not a kind/],
      ['{{ tokendeck:///token }}', /^line 1, column 1: .* names no account/],
      ['{{ tokendeck://acme }}', /^line 1, column 1: .* end it with \/token or \/header/],
      ['{{ tokendeck://acme/ }}', /^line 1, column 1: .* end it with \/token or \/header/],
      ['{{ tokendeck://a/b/token }}', /^line 1, column 1: .* more than a label and a kind/],
      ['{{ tokendeck:/acme/token }}', /^line 1, column 1: .* does not start with tokendeck:\/\//],
      ['{{ TOKENDECK://acme/token }}', /^line 1, column 1: .*\(lower case/],
      ['{{ tokendeck://acme/token | b64 }}', /^line 1, column 1: only one reference fits/],
      ['{{ "tokendeck://acme/token" }}', /^line 1, column 1: .* is not a tokendeck:\/\/ reference/],
      ['x\n  {{ tokendeck://acme/token', /^line 2, column 3: \{\{ is not closed by \}\}/],
      ['{{ tokendeck://acme/token {{ x }}', /^line 1, column 1: \{\{ is not closed/],
      ['a tokendeck://acme/token }}', /^line 1, column 3: \}\} has no \{\{ before it/],
      ['{{\n tokendeck://acme/token x\n}}', /^line 1, column 1: only one reference fits/],
      // Columns count characters: two before the braces, é and a 4-byte emoji.
      ['é😀{{ tokendeck://x/nope }}', /^line 1, column 3: "nope" is not a kind/],
    ]
    for (const [text, problem] of cases) {
      const r = render(text)
      expect(Array.isArray(r), text).toBe(true)
      expect((r as string[])[0], text).toMatch(problem)
    }
    expect(render('{{ tokendeck://a/x }}\n{{ tokendeck://b }}')).toHaveLength(2)
  })

  it('never leaves a tokendeck: inside {{ }} in its output (fast-check)', () => {
    const fragment = fc.constantFrom(
      '{{',
      '}}',
      '{',
      '}',
      ' ',
      '\n',
      'tokendeck://',
      'TokenDeck:',
      'tokendeck:',
      'acme',
      '/',
      'token',
      'header',
      'x',
      '"',
    )
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 14 }), (parts) => {
        const out = render(parts.join(''))
        if (Array.isArray(out)) return true
        // Independently of the parser: around every tokendeck: left in the output, the nearest
        // brace pair before it is not an opening one and the nearest after it not a closing one.
        for (const m of out.matchAll(/tokendeck:/gi)) {
          const before = out.slice(0, m.index)
          const after = out.slice(m.index)
          const open = before.lastIndexOf('{{')
          const close = before.lastIndexOf('}}')
          if (open >= 0 && open > close) return false
          const nextOpen = after.indexOf('{{')
          const nextClose = after.indexOf('}}')
          if (nextClose >= 0 && (nextOpen < 0 || nextClose < nextOpen)) return false
        }
        return true
      }),
      { numRuns: 3000 },
    )
  })
})

/** `tokendeck inject ARGS` with `input` on stdin (a pipe). */
function injectWith(args: string[], input: string, env: NodeJS.ProcessEnv = {}) {
  return runCli(['inject', ...args], shared.dir, { input, env })
}

describe('tokendeck inject', { timeout: 120_000 }, () => {
  it('a template that does not parse: exit 2, line and column, no token asked, nothing written', async () => {
    const folder = tempDir()
    const tpl = path.join(folder, 'app.tpl')
    fs.writeFileSync(
      tpl,
      'ok: {{ tokendeck://acme/token }}\nbad: "{{ tokendeck://acme/secret }}"\n',
    )
    const target = path.join(folder, 'app.yaml')
    const logins = shared.sb.tpstreams.stats.loginRequests
    const r = await runCli(['inject', '-i', tpl, '-o', target], shared.dir)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('nothing was resolved or written')
    expect(r.stderr).toContain('line 2, column 7: "secret" is not a kind')
    expect(fs.existsSync(target)).toBe(false)
    // An existing file is left as it was, and no token was asked for (no login, no reuse).
    fs.writeFileSync(target, 'previous\n')
    expect((await runCli(['inject', '-i', tpl, '-o', target], shared.dir)).code).toBe(2)
    expect(fs.readFileSync(target, 'utf8')).toBe('previous\n')
    expect(shared.sb.tpstreams.stats.loginRequests).toBe(logins)
    const log = await runCli(['log', '--json'], shared.dir)
    const asked = (JSON.parse(log.stdout) as { type: string }[]).filter((e) =>
      ['mint', 'reuse'].includes(e.type),
    )
    expect(asked).toEqual([])
    const json = await runCli(['inject', '-i', tpl, '--json'], shared.dir)
    expect(JSON.parse(json.stderr)).toMatchObject({
      error: { code: 'VALIDATION_FAILED', problems: [expect.stringMatching(/^line 2, column 7/)] },
    })
  })

  it('reads the template from stdin (no -i, or -i -), through the agent without a passphrase', async () => {
    const direct = await injectWith([], 'A={{ tokendeck://acme/header }}\n')
    expect(direct.code).toBe(0)
    expect(direct.stdout).toMatch(/^A=Token [0-9a-f]{40}\n$/)
    expect((await runCli(['agent', 'start'], shared.dir)).code).toBe(0)
    try {
      const viaAgent = await injectWith(['-i', '-'], 'B={{ tokendeck://acme/token }}', NO_PASS)
      expect(viaAgent).toMatchObject({ code: 0, stdout: `B=${direct.stdout.slice(8, 48)}` })
      const out = path.join(tempDir(), 'b.env')
      const written = await injectWith(['-o', out], 'B={{ tokendeck://acme/token }}', NO_PASS)
      expect(written.code).toBe(0)
      expect(fs.readFileSync(out, 'utf8')).toBe(viaAgent.stdout)
      expect(fs.statSync(out).mode & 0o777).toBe(0o600)
    } finally {
      await runCli(['agent', 'stop'], shared.dir, { env: NO_PASS })
    }
  })

  it('a template on stdin leaves no room for the passphrase there: refused, never mixed', async () => {
    const mixed = await runCli(['inject', '--passphrase-stdin'], shared.dir, {
      input: 'pass phrase\n{{ tokendeck://acme/token }}\n',
      env: NO_PASS,
    })
    expect(mixed.code).toBe(2)
    expect(mixed.stdout).toBe('')
    expect(mixed.stderr).toMatch(/template comes on stdin, so the passphrase cannot/)
    // No agent and no passphrase: locked, and the way out named.
    const locked = await injectWith([], '{{ tokendeck://acme/token }}', NO_PASS)
    expect(locked.code).toBe(3)
    expect(locked.stdout).toBe('')
    expect(locked.stderr).toMatch(/tokendeck agent start/)
  })

  it("an env file's mistyped reference stops run before the command starts", async () => {
    const folder = tempDir()
    const envFile = path.join(folder, 'app.env')
    fs.writeFileSync(envFile, 'PLAIN=1\nAUTH=tokendeck://acme/headr\n')
    const marker = path.join(folder, 'ran')
    const r = await runCli(
      ['run', '--env-file', envFile, '--', 'sh', '-c', `touch '${marker}'`],
      shared.dir,
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/line 2: "headr" is not a kind/)
    expect(fs.existsSync(marker)).toBe(false)
    const flag = await runCli(['run', '--env', 'A=tokendeck://acme', '--', 'true'], shared.dir)
    expect(flag.code).toBe(2)
    expect(flag.stderr).toMatch(/--env A: .* end it with \/token or \/header/)
  })
})
